import Testing
import VecheCore

/// `Tally.effectiveStakeCounts`: which admitted ballots count, and for how many stakes.
@Suite struct TallyEffectiveStakeTests {
    static let opens = Timestamp(milliseconds: 1_796_083_200_000)  // 2026-12-01T00:00:00Z
    static let closes = Timestamp(milliseconds: 1_796_947_200_000)  // 2026-12-11T00:00:00Z

    static func at(_ minutes: Int64) -> Timestamp { Timestamp(milliseconds: opens.milliseconds + minutes * 60_000) }

    /// A (sole flat 1), A and B jointly (flat 2), C (sole flat 3).
    static func register() throws -> Register {
        Register(building: "B1", address: "г. Казань, ул. Пушкина, д. 1", premises: [
            try Premises(number: "1", kind: .residential, areaText: "50", stakes: [Stake(holders: ["A"], shareText: "1")]),
            try Premises(number: "2", kind: .residential, areaText: "60", stakes: [Stake(holders: ["A", "B"], shareText: "1")]),
            try Premises(number: "3", kind: .residential, areaText: "40", stakes: [Stake(holders: ["C"], shareText: "1")]),
        ])
    }

    static func meeting(_ revote: RevotePolicy) -> MeetingSpec {
        MeetingSpec(id: "M1", rules: .generic, revote: revote, opensAt: opens, closesAt: closes,
                    items: [AgendaItem(item: "1", threshold: .participantsMajority)])
    }

    @Test func ownBallotSupersedesAnEarlierProxyBallot() throws {
        var tally = Tally(meeting: Self.meeting(.forbidden), register: try Self.register())
        try tally.admit(Ballot(owner: "C", source: .proxy, choices: ["1": .single(.for)], time: Self.at(1)))
        #expect(tally.effectiveStakeCounts == [1])
        try tally.admit(Ballot(owner: "C", source: .own, choices: ["1": .single(.against)], time: Self.at(2)))
        #expect(tally.effectiveStakeCounts == [0, 1])
        #expect(tally.effectiveBallotCount == 1)
    }

    @Test func jointCoHolderTakesOnlyTheJointStakeUnderLastCounts() throws {
        var tally = Tally(meeting: Self.meeting(.lastCounts), register: try Self.register())
        try tally.admit(Ballot(owner: "A", source: .own, choices: ["1": .single(.for)], time: Self.at(1)))
        #expect(tally.effectiveStakeCounts == [2])
        try tally.admit(Ballot(owner: "B", source: .own, choices: ["1": .single(.against)], time: Self.at(2)))
        // A's ballot still counts for flat 1; B's latest own ballot took the joint flat 2.
        #expect(tally.effectiveStakeCounts == [1, 1])
        try tally.admit(Ballot(owner: "A", source: .own, choices: ["1": .single(.abstain)], time: Self.at(3)))
        #expect(tally.effectiveStakeCounts == [0, 0, 2])
        #expect(tally.effectiveBallotCount == 1)
    }

    @Test func refusedBallotsAreNotListed() throws {
        var tally = Tally(meeting: Self.meeting(.forbidden), register: try Self.register())
        try tally.admit(Ballot(owner: "C", source: .own, choices: [:], time: Self.at(1)))
        #expect(throws: BallotRefusal.secondOwnBallot) {
            try tally.admit(Ballot(owner: "C", source: .own, choices: [:], time: Self.at(2)))
        }
        #expect(tally.effectiveStakeCounts == [1])
    }
}
