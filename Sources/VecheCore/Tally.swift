/// The counting of one meeting, fed one ballot at a time in ledger order.
///
/// The live server admits ballots as they arrive and shows turnout, so the tally is
/// incremental: admitting a ballot costs time proportional to the owner's stakes, and the
/// live figures (`participating`, `quorumReached`, `effectiveBallotCount`) are kept current.
/// `result()` then sums each item once over the stakes.
///
/// Stakes resolve independently (WIRE.md "Ballots, proxies and revotes"): for each stake the
/// effective ballot is its own ballot if any (an own or paper ballot of any of its holders),
/// else its proxy ballot; under `forbidden` the first of each kind, under `last-counts` the
/// latest in ledger (admission) order. Superseded ballots stay admitted but count nowhere.
///
/// The register should have passed `Register.validate()`; the tally trusts its shape.
public struct Tally: Sendable {
    /// The meeting being counted.
    public let meeting: MeetingSpec
    /// Total votes of the building.
    public let total: Rational
    /// quorum × total: participating must exceed it.
    private let quorumVotes: Rational

    private let itemIndex: [String: Int]
    private let ownerIndex: [String: Int]
    private let ownerNames: [String]
    private let ownerStakes: [[Int]]
    /// Per stake (flattened in register order): its weight, and the weight split as a numerator
    /// over one of a few distinct denominators, so sums are integer additions per denominator.
    private let stakeWeights: [Rational]
    private let stakeNumerators: [BigInt]
    private let stakeClass: [Int]
    private let classDenominators: [BigInt]

    /// Per stake: index of the effective own ballot and proxy ballot, or -1.
    private var ownBallot: [Int]
    private var proxyBallot: [Int]
    /// Per owner: whether an own / proxy ballot was admitted for them.
    private var ownerHasOwn: [Bool]
    private var ownerHasProxy: [Bool]

    /// An admitted ballot: marks per agenda item (see `MarkCode`) and the stakes it is effective for.
    private struct Admitted: Sendable {
        var marks: [UInt8]
        var effectiveStakes: Int
    }

    private enum MarkCode {
        static let blank: UInt8 = 0, votesFor: UInt8 = 1, against: UInt8 = 2, abstain: UInt8 = 3, invalid: UInt8 = 4
        static let count = 5
    }

    private var admitted: [Admitted] = []

    /// Votes of the stakes covered by effective ballots so far.
    public private(set) var participating: Rational = .zero
    /// Ballots effective for at least one stake so far (the result's `ballots`).
    public private(set) var effectiveBallotCount = 0

    /// Starts counting `meeting` over its frozen `register`.
    public init(meeting: MeetingSpec, register: Register) {
        self.meeting = meeting
        var itemIndex: [String: Int] = [:]
        for (index, item) in meeting.items.enumerated() where itemIndex[item.item] == nil {
            itemIndex[item.item] = index
        }
        self.itemIndex = itemIndex

        var ownerIndex: [String: Int] = [:]
        var ownerNames: [String] = []
        var ownerStakes: [[Int]] = []
        var weights: [Rational] = []
        var numerators: [BigInt] = []
        var classes: [Int] = []
        var classOf: [BigInt: Int] = [:]
        var denominators: [BigInt] = []
        var total = RationalSum()
        for premises in register.premises {
            total.add(premises.area)
            for stake in premises.stakes {
                let stakeIndex = weights.count
                let weight = premises.area * stake.share
                weights.append(weight)
                numerators.append(weight.numerator)
                if let known = classOf[weight.denominator] {
                    classes.append(known)
                } else {
                    classOf[weight.denominator] = denominators.count
                    classes.append(denominators.count)
                    denominators.append(weight.denominator)
                }
                for holder in stake.holders {
                    if let owner = ownerIndex[holder] {
                        if ownerStakes[owner].last != stakeIndex { ownerStakes[owner].append(stakeIndex) }
                    } else {
                        ownerIndex[holder] = ownerStakes.count
                        ownerNames.append(holder)
                        ownerStakes.append([stakeIndex])
                    }
                }
            }
        }
        self.ownerIndex = ownerIndex
        self.ownerNames = ownerNames
        self.ownerStakes = ownerStakes
        self.stakeWeights = weights
        self.stakeNumerators = numerators
        self.stakeClass = classes
        self.classDenominators = denominators
        self.total = total.value
        self.quorumVotes = meeting.quorum * self.total
        ownBallot = Array(repeating: -1, count: weights.count)
        proxyBallot = Array(repeating: -1, count: weights.count)
        ownerHasOwn = Array(repeating: false, count: ownerStakes.count)
        ownerHasProxy = Array(repeating: false, count: ownerStakes.count)
    }

    /// Whether participating votes exceed the quorum: participating > quorum × total.
    public var quorumReached: Bool { participating > quorumVotes }

    /// The number of ballots admitted so far, effective or superseded.
    public var admittedBallotCount: Int { admitted.count }

    /// Per admitted ballot, in admission order: how many stakes it is effective for now
    /// (0 = superseded on every stake it covers).
    ///
    /// A protocol lists every ballot of the ledger and marks which ones count; a ballot can
    /// also count for some of its owner's stakes only (a joint co-holder's own ballot took the
    /// joint stake), so this is a count, not a flag.
    public var effectiveStakeCounts: [Int] { admitted.map(\.effectiveStakes) }

    // MARK: - Admission

    /// Refuses a ballot whose owner has no stakes in the register (`unknownOwner`) or whose
    /// choices name an item not on the agenda (`unknownItem`). Separate from `admit` because
    /// the ledger judges references (422) before authority (403) and conflicts (409).
    public func checkReferences(_ ballot: Ballot) throws(BallotRefusal) {
        _ = try resolveReferences(ballot)
    }

    /// Whether `owner` holds stakes in this meeting's frozen register (byte-exact id match).
    public func holdsStakes(owner: String) -> Bool {
        guard let index = ownerIndex[owner] else { return false }
        return ownerNames[index].utf8.elementsEqual(owner.utf8)
    }

    /// Runs every check of `admit` without recording anything.
    public func check(_ ballot: Ballot) throws(BallotRefusal) {
        let owner = try resolveReferences(ballot)
        try checkState(ballot, owner: owner)
    }

    /// Checks the ballot (references, then the window [opensAt, closesAt) on its time, then the
    /// refusal rules of the revote policy) and records it. A refused ballot changes nothing.
    public mutating func admit(_ ballot: Ballot) throws(BallotRefusal) {
        let owner = try resolveReferences(ballot)
        try checkState(ballot, owner: owner)
        record(ballot, owner: owner)
    }

    /// Swift compares strings by canonical equivalence (U+212A KELVIN SIGN equals "K"), but the
    /// wire compares them scalar by scalar; a hit is confirmed byte for byte so the tally never
    /// matches a name another implementation would not.
    private func lookUpItem(_ item: String) -> Int? {
        guard let index = itemIndex[item], meeting.items[index].item.utf8.elementsEqual(item.utf8) else { return nil }
        return index
    }

    private func resolveReferences(_ ballot: Ballot) throws(BallotRefusal) -> Int {
        guard let owner = ownerIndex[ballot.owner], ownerNames[owner].utf8.elementsEqual(ballot.owner.utf8) else {
            throw .unknownOwner(ballot.owner)
        }
        var unknown: String?
        for item in ballot.choices.keys where lookUpItem(item) == nil {
            // Dictionary order is arbitrary; name the least unknown item so the answer is reproducible.
            if let current = unknown, !item.utf8.lexicographicallyPrecedes(current.utf8) { continue }
            unknown = item
        }
        if let unknown { throw .unknownItem(unknown) }
        return owner
    }

    private func checkState(_ ballot: Ballot, owner: Int) throws(BallotRefusal) {
        if ballot.time < meeting.opensAt { throw .notOpen(.beforeOpening) }
        if ballot.time >= meeting.closesAt { throw .notOpen(.afterClosing) }
        let allStakesHaveOwn = ownerStakes[owner].allSatisfy { ownBallot[$0] >= 0 }
        switch (ballot.source.isOwn, meeting.revote) {
        case (true, .forbidden):
            if ownerHasOwn[owner] { throw .secondOwnBallot }
            if allStakesHaveOwn { throw .ownBallotCoversNothingNew }
        case (true, .lastCounts):
            break
        case (false, .forbidden):
            if ownerHasOwn[owner] { throw .proxyAfterOwnBallot }
            if ownerHasProxy[owner] { throw .secondProxyBallot }
            if allStakesHaveOwn { throw .proxyBallotCoveredByOwn }
        case (false, .lastCounts):
            if allStakesHaveOwn { throw .proxyBallotCoveredByOwn }
        }
    }

    private mutating func record(_ ballot: Ballot, owner: Int) {
        var marks = [UInt8](repeating: MarkCode.blank, count: meeting.items.count)
        for (item, choice) in ballot.choices {
            guard let index = lookUpItem(item) else { continue }
            switch choice {
            case .single(.for): marks[index] = MarkCode.votesFor
            case .single(.against): marks[index] = MarkCode.against
            case .single(.abstain): marks[index] = MarkCode.abstain
            case .multiple: marks[index] = MarkCode.invalid
            }
        }
        let ballotIndex = admitted.count
        admitted.append(Admitted(marks: marks, effectiveStakes: 0))
        let replaces = meeting.revote == .lastCounts
        let isOwn = ballot.source.isOwn
        if isOwn { ownerHasOwn[owner] = true } else { ownerHasProxy[owner] = true }
        for stake in ownerStakes[owner] {
            let before = effective(stake)
            if isOwn {
                if replaces || ownBallot[stake] < 0 { ownBallot[stake] = ballotIndex }
            } else {
                if replaces || proxyBallot[stake] < 0 { proxyBallot[stake] = ballotIndex }
            }
            let after = effective(stake)
            guard after != before else { continue }
            if before >= 0 {
                admitted[before].effectiveStakes -= 1
                if admitted[before].effectiveStakes == 0 { effectiveBallotCount -= 1 }
            } else {
                participating += stakeWeights[stake]
            }
            if admitted[after].effectiveStakes == 0 { effectiveBallotCount += 1 }
            admitted[after].effectiveStakes += 1
        }
    }

    /// The effective ballot of a stake: its own ballot if any, else its proxy ballot, else -1.
    @inline(__always)
    private func effective(_ stake: Int) -> Int {
        let own = ownBallot[stake]
        return own >= 0 ? own : proxyBallot[stake]
    }

    // MARK: - Result

    /// The exact result of the ballots admitted so far (the final result once closes_at has passed).
    public func result() -> MeetingResult {
        let classCount = classDenominators.count
        let itemCount = meeting.items.count
        // sums[(item × 5 + mark) × classCount + class]: integer numerators over the class denominator.
        var sums = [BigInt](repeating: .zero, count: itemCount * MarkCode.count * classCount)
        for stake in 0..<stakeWeights.count {
            let ballot = effective(stake)
            guard ballot >= 0 else { continue }
            let marks = admitted[ballot].marks
            let numerator = stakeNumerators[stake]
            let weightClass = stakeClass[stake]
            for item in 0..<itemCount {
                sums[(item * MarkCode.count + Int(marks[item])) * classCount + weightClass] += numerator
            }
        }
        func amount(item: Int, mark: UInt8) -> Rational {
            var value = Rational.zero
            let base = (item * MarkCode.count + Int(mark)) * classCount
            for weightClass in 0..<classCount where !sums[base + weightClass].isZero {
                value += Rational(sums[base + weightClass], classDenominators[weightClass])
            }
            return value
        }
        let quorumReached = self.quorumReached
        let items = meeting.items.enumerated().map { index, item in
            let votesFor = amount(item: index, mark: MarkCode.votesFor)
            return ItemResult(
                item: item.item, threshold: item.threshold,
                for: votesFor,
                against: amount(item: index, mark: MarkCode.against),
                abstain: amount(item: index, mark: MarkCode.abstain),
                invalid: amount(item: index, mark: MarkCode.invalid),
                blank: amount(item: index, mark: MarkCode.blank),
                adopted: quorumReached && item.threshold.isMet(votesFor: votesFor, participating: participating, total: total))
        }
        return MeetingResult(
            meeting: meeting.id, rules: meeting.rules, total: total, participating: participating,
            quorumRequired: meeting.quorum, quorumReached: quorumReached, ballots: effectiveBallotCount, items: items)
    }

    /// Counts `ballots` in ledger order: the result, and each refused ballot's index and reason.
    public static func run(meeting: MeetingSpec, register: Register, ballots: [Ballot])
        -> (result: MeetingResult, refusals: [(index: Int, refusal: BallotRefusal)]) {
        var tally = Tally(meeting: meeting, register: register)
        var refusals: [(index: Int, refusal: BallotRefusal)] = []
        for (index, ballot) in ballots.enumerated() {
            do throws(BallotRefusal) {
                try tally.admit(ballot)
            } catch {
                refusals.append((index, error))
            }
        }
        return (tally.result(), refusals)
    }
}
