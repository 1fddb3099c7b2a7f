import Testing
@testable import VecheCore

@Suite struct TallyTests {
    static let opens = Timestamp(milliseconds: 1_796_083_200_000)  // 2026-12-01T00:00:00Z
    static let closes = Timestamp(milliseconds: 1_796_947_200_000)  // 2026-12-11T00:00:00Z
    static let during = Timestamp(milliseconds: 1_796_200_000_000)

    static func meeting(_ revote: RevotePolicy = .forbidden, items: [AgendaItem] = [AgendaItem(item: "1", threshold: .participantsMajority)]) -> MeetingSpec {
        MeetingSpec(id: "M1", rules: .ruZhk2024, revote: revote, opensAt: opens, closesAt: closes, items: items)
    }

    static func sole(_ number: String, _ area: String, _ owner: String) throws -> Premises {
        try Premises(number: number, kind: .residential, areaText: area, stakes: [Stake(holders: [owner], shareText: "1")])
    }

    static func ballot(_ owner: String, _ choices: [String: MarkChoice] = ["1": .single(.for)], source: BallotSource = .own,
                       at time: Timestamp = during) -> Ballot {
        Ballot(owner: owner, source: source, choices: choices, time: time)
    }

    // MARK: - Exactness at scale

    @Test func threeThousandDistinctPrimeDenominatorsAreCountedExactly() throws {
        let primes = RationalTests.primes(count: 3000, from: 101)
        var premises: [Premises] = []
        var ballots: [Ballot] = []
        var totalArea = 0
        var numerators: [UInt64] = []  // a_i · k_i, the "for" numerator of premises i over p_i
        for (index, p) in primes.enumerated() {
            let area = 30 + index % 70  // < 101 ≤ p, so p never cancels
            let k = 1 + UInt64(index * 7919) % (p - 1)
            totalArea += area
            numerators.append(UInt64(area) * k)
            premises.append(try Premises(number: String(index + 1), kind: .residential, areaText: String(area), stakes: [
                try Stake(holders: ["a\(index)"], shareText: "\(k)/\(p)"),
                try Stake(holders: ["b\(index)"], shareText: "\(p - k)/\(p)"),
            ]))
            ballots.append(Self.ballot("a\(index)", ["1": .single(.for)]))
        }
        for index in primes.indices { ballots.append(Self.ballot("b\(index)", ["1": .single(.against)])) }
        let register = Register(building: "b-primes", address: "Простая ул., 1", premises: premises)
        try register.validate()

        let (result, refusals) = Tally.run(meeting: Self.meeting(), register: register, ballots: ballots)
        #expect(refusals.isEmpty)
        let item = try #require(result.items.first)
        #expect(result.total == Rational(totalArea))
        #expect(result.participating == Rational(totalArea))
        #expect(result.ballots == 6000)
        // Each premises' two stakes sum to its area, so for + against is the whole building, exactly.
        #expect(item.for + item.against == Rational(totalArea))
        #expect(item.abstain.isZero && item.invalid.isZero && item.blank.isZero)
        // The denominator is the product of all 3000 primes (a_i·k_i is never divisible by p_i).
        var product = BigInt.one
        for p in primes { product *= BigInt(p) }
        #expect(item.for.denominator == product)
        #expect(item.for.denominator.bitWidth > 35_000)
        // for = N/P with N = Σ a_i·k_i·P/p_i, so N ≡ a_j·k_j·Π_{i≠j} p_i (mod p_j): checked with
        // UInt64 arithmetic on the printed digits, independent of BigInt.
        let digits = Array(item.for.numerator.description.utf8)
        for j in stride(from: 0, to: primes.count, by: 97) {
            let p = primes[j]
            var residue: UInt64 = 0
            for digit in digits { residue = (residue * 10 + UInt64(digit - 48)) % p }
            var expected = numerators[j] % p
            for (i, q) in primes.enumerated() where i != j { expected = expected * (q % p) % p }
            #expect(residue == expected, "residue mod \(p)")
        }
        #expect(item.adopted == (item.for.times(2) > result.participating))
    }

    @Test func eighteenDigitPrimeDenominatorsAreCountedExactly() throws {
        // The largest shares the grammar allows: 18-digit prime denominators.
        var primes: [UInt64] = []
        var candidate: UInt64 = 999_999_999_999_999_999
        while primes.count < 400 {
            if Self.isPrime(candidate) { primes.append(candidate) }
            candidate -= 2
        }
        var premises: [Premises] = []
        var ballots: [Ballot] = []
        for (index, p) in primes.enumerated() {
            let k = p / 3 + UInt64(index)
            premises.append(try Premises(number: "\(index)", kind: .residential, areaText: "\(40 + index % 50).\(10 + index % 89)", stakes: [
                try Stake(holders: ["a\(index)"], shareText: "\(k)/\(p)"), try Stake(holders: ["b\(index)"], shareText: "\(p - k)/\(p)"),
            ]))
            ballots.append(Self.ballot("a\(index)", ["1": .single(.for)]))
            if index % 2 == 0 { ballots.append(Self.ballot("b\(index)", ["1": .single(.abstain)])) }
        }
        let register = Register(building: "b-big-primes", address: "Простая ул., 2", premises: premises)
        try register.validate()
        let (result, refusals) = Tally.run(meeting: Self.meeting(), register: register, ballots: ballots)
        #expect(refusals.isEmpty)
        let item = result.items[0]
        // Stakes of premises voted in full add up to their areas; the rest are a_i·k_i/p_i.
        var expected = Rational.zero
        for (index, p) in primes.enumerated() {
            let area = register.premises[index].area
            expected += index % 2 == 0 ? area : area * Rational(BigInt(p / 3 + UInt64(index)), BigInt(p))
        }
        #expect(result.participating == expected)
        #expect(item.for + item.abstain == expected)
        var product = BigInt.one
        for p in primes { product *= BigInt(p) }
        #expect(item.for.denominator % product == .zero)
    }

    /// Deterministic Miller–Rabin for 64-bit numbers, with full-width products (no BigInt).
    static func isPrime(_ n: UInt64) -> Bool {
        if n < 2 { return false }
        let bases: [UInt64] = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37]
        for p in bases where n % p == 0 { return n == p }
        var d = n - 1
        var r = 0
        while d % 2 == 0 { d /= 2; r += 1 }
        func mulmod(_ a: UInt64, _ b: UInt64) -> UInt64 { n.dividingFullWidth(a.multipliedFullWidth(by: b)).remainder }
        func powmod(_ base: UInt64, _ exponent: UInt64) -> UInt64 {
            var (result, b, e) = (UInt64(1), base % n, exponent)
            while e > 0 {
                if e & 1 == 1 { result = mulmod(result, b) }
                b = mulmod(b, b)
                e >>= 1
            }
            return result
        }
        outer: for a in bases {
            var x = powmod(a, d)
            if x == 1 || x == n - 1 { continue }
            for _ in 0..<(r - 1) {
                x = mulmod(x, x)
                if x == n - 1 { continue outer }
            }
            return false
        }
        return true
    }

    @Test func aHundredThousandBallotsAreCountedQuickly() throws {
        let owners = 100_000
        var premises: [Premises] = []
        premises.reserveCapacity(owners)
        var hundredths = 0
        var forHundredths = 0
        for index in 0..<owners {
            let area = 3000 + index % 6500  // 30.00 … 94.99 m²
            hundredths += area
            if index % 3 != 0 { forHundredths += area }
            premises.append(Premises(number: String(index), kind: .residential, area: Rational(BigInt(area), 100),
                                     areaText: "\(area / 100).\(area % 100 < 10 ? "0" : "")\(area % 100)",
                                     stakes: [Stake(holders: ["o\(index)"], share: .one, shareText: "1")]))
        }
        let register = Register(building: "b-big", address: "Большая ул., 1", premises: premises)
        let items = [AgendaItem(item: "1", threshold: .participantsMajority), AgendaItem(item: "2", threshold: .allMajority),
                     AgendaItem(item: "3", threshold: .allTwoThirds), AgendaItem(item: "4", threshold: .allUnanimous)]
        var tally = Tally(meeting: Self.meeting(items: items), register: register)
        for index in 0..<owners {
            let mark: Mark = index % 3 == 0 ? .against : .for
            try tally.admit(Self.ballot("o\(index)", ["1": .single(mark), "2": .single(mark), "3": .single(mark), "4": .single(mark)]))
        }
        let clock = ContinuousClock()
        let start = clock.now
        let result = tally.result()
        let elapsed = clock.now - start
        #expect(result.total == Rational(BigInt(hundredths), 100))
        #expect(result.participating == result.total)
        #expect(result.items.allSatisfy { $0.for == Rational(BigInt(forHundredths), 100) })
        #expect(result.items.map(\.adopted) == [true, true, false, false])
        // Generous bound for a debug build on a shared machine; release is far faster.
        #expect(elapsed < .seconds(5))
    }

    // MARK: - Order of checks

    @Test func referencesAreJudgedBeforeTheWindowAndTheWindowBeforeThePolicy() throws {
        let register = Register(building: "b", address: "a", premises: [try Self.sole("1", "50", "o1"), try Self.sole("2", "50", "o2")])
        var tally = Tally(meeting: Self.meeting(), register: register)
        try tally.admit(Self.ballot("o1"))
        let late = Self.closes
        #expect(throws: BallotRefusal.unknownOwner("o9")) { try tally.checkReferences(Self.ballot("o9", at: late)) }
        #expect(throws: BallotRefusal.unknownItem("2")) { try tally.check(Self.ballot("o1", ["2": .single(.for)], at: late)) }
        #expect(throws: BallotRefusal.notOpen(.afterClosing)) { try tally.check(Self.ballot("o1", at: late)) }
        #expect(throws: BallotRefusal.secondOwnBallot) { try tally.check(Self.ballot("o1")) }
        // References alone do not look at time or policy.
        try tally.checkReferences(Self.ballot("o1", at: late))
    }

    @Test func theLeastUnknownItemIsNamed() throws {
        let register = Register(building: "b", address: "a", premises: [try Self.sole("1", "50", "o1")])
        let tally = Tally(meeting: Self.meeting(), register: register)
        let choices: [String: MarkChoice] = ["z": .single(.for), "b": .single(.for), "a1": .single(.for), "1": .single(.for), "B": .single(.for)]
        for _ in 0..<5 {
            #expect(throws: BallotRefusal.unknownItem("B")) { try tally.checkReferences(Self.ballot("o1", choices)) }
        }
    }

    @Test func namesMatchByteForByteNotByCanonicalEquivalence() throws {
        // U+212A KELVIN SIGN is canonically equivalent to "K", so Swift's == says they are equal.
        #expect("\u{212A}" == "K")
        let register = Register(building: "b", address: "a", premises: [try Self.sole("1", "50", "oK")])
        let tally = Tally(meeting: Self.meeting(items: [AgendaItem(item: "K", threshold: .participantsMajority)]), register: register)
        #expect(throws: BallotRefusal.unknownOwner("o\u{212A}")) { try tally.checkReferences(Self.ballot("o\u{212A}", ["K": .single(.for)])) }
        #expect(throws: BallotRefusal.unknownItem("\u{212A}")) { try tally.checkReferences(Self.ballot("oK", ["\u{212A}": .single(.for)])) }
        try tally.checkReferences(Self.ballot("oK", ["K": .single(.for)]))
    }

    @Test func refusedBallotsChangeNothing() throws {
        let register = Register(building: "b", address: "a", premises: [try Self.sole("1", "60", "o1"), try Self.sole("2", "40", "o2")])
        var tally = Tally(meeting: Self.meeting(), register: register)
        try tally.admit(Self.ballot("o1"))
        let before = tally.result()
        for refused in [Self.ballot("o1", ["1": .single(.against)]), Self.ballot("o1", source: .proxy), Self.ballot("o2", at: Self.closes),
                        Self.ballot("o2", at: Timestamp(milliseconds: Self.opens.milliseconds - 1)), Self.ballot("x")] {
            #expect(throws: BallotRefusal.self) { try tally.admit(refused) }
        }
        #expect(tally.result() == before)
        #expect(tally.admittedBallotCount == 1)
        // o2 was never blocked by its refused late ballots.
        try tally.admit(Self.ballot("o2", ["1": .single(.against)]))
        #expect(tally.participating == Rational(100))
    }

    @Test func refusalsMapToConflictOrUnknownReference() {
        #expect(BallotRefusal.unknownOwner("x").code == .unknownReference)
        #expect(BallotRefusal.unknownItem("9").domainError.pointer == "/choices/9")
        #expect(BallotRefusal.unknownOwner("x").domainError.pointer == "/owner")
        for refusal: BallotRefusal in [.notOpen(.beforeOpening), .notOpen(.afterClosing), .secondOwnBallot, .ownBallotCoversNothingNew,
                                       .proxyAfterOwnBallot, .secondProxyBallot, .proxyBallotCoveredByOwn] {
            #expect(refusal.code == .conflict)
            #expect(refusal.domainError.code == .conflict)
            #expect(!refusal.message.isEmpty)
        }
        let reasons = [BallotRefusal.unknownOwner(""), .unknownItem(""), .notOpen(.beforeOpening), .notOpen(.afterClosing), .secondOwnBallot,
                       .ownBallotCoversNothingNew, .proxyAfterOwnBallot, .secondProxyBallot, .proxyBallotCoveredByOwn].map(\.reason)
        #expect(Set(reasons).count == reasons.count)
        #expect(reasons.allSatisfy { $0.allSatisfy { $0.isLowercase || $0 == "-" } })
    }

    @Test func liveTurnoutFollowsAdmissions() throws {
        let register = Register(building: "b", address: "a", premises: [
            try Self.sole("1", "30", "o1"), try Self.sole("2", "30", "o2"),
            try Premises(number: "3", kind: .residential, areaText: "40", stakes: [try Stake(holders: ["o3", "o4"], shareText: "1")]),
        ])
        var tally = Tally(meeting: Self.meeting(.lastCounts), register: register)
        #expect(tally.total == Rational(100) && tally.participating.isZero && !tally.quorumReached && tally.effectiveBallotCount == 0)
        try tally.admit(Self.ballot("o3"))
        #expect(tally.participating == Rational(40) && !tally.quorumReached && tally.effectiveBallotCount == 1)
        try tally.admit(Self.ballot("o4"))  // supersedes o3 on the joint stake: turnout unchanged
        #expect(tally.participating == Rational(40) && tally.effectiveBallotCount == 1 && tally.admittedBallotCount == 2)
        try tally.admit(Self.ballot("o1", source: .proxy))
        #expect(tally.participating == Rational(70) && tally.quorumReached && tally.effectiveBallotCount == 2)
        try tally.admit(Self.ballot("o1"))  // own replaces proxy on the same stake
        #expect(tally.participating == Rational(70) && tally.effectiveBallotCount == 2 && tally.admittedBallotCount == 4)
    }

    @Test func severalMarksCountAsInvalidWhatTheSourceSays() throws {
        // Only paper carries lists on the wire; the tally itself treats any list as invalid.
        let register = Register(building: "b", address: "a", premises: [try Self.sole("1", "60", "o1"), try Self.sole("2", "40", "o2")])
        let (result, _) = Tally.run(meeting: Self.meeting(), register: register, ballots: [
            Self.ballot("o1", ["1": .multiple([.for, .against])], source: .paper), Self.ballot("o2"),
        ])
        #expect(result.items[0].invalid == Rational(60) && result.items[0].for == Rational(40) && !result.items[0].adopted)
    }
}

@Suite struct MeetingRulesTests {
    static let created = Timestamp(milliseconds: 1_795_219_200_000)  // 2026-11-21T00:00:00Z
    static let day = Timestamp.millisecondsPerDay

    static func spec(rules: RuleSet = .ruZhk2024, opensAfter notice: Int64 = 10 * day, lasting duration: Int64 = 10 * day,
                     items: [String] = ["1", "2"], quorum: Rational = RuleSet.defaultQuorum) -> MeetingSpec {
        let opens = Timestamp(milliseconds: created.milliseconds + notice)
        return MeetingSpec(id: "M1", rules: rules, quorum: quorum, revote: .forbidden, opensAt: opens,
                           closesAt: Timestamp(milliseconds: opens.milliseconds + duration),
                           items: items.map { AgendaItem(item: $0, threshold: .participantsMajority) })
    }

    func refusal(_ meeting: MeetingSpec, form: MeetingForm = .electronic, quorumGiven: Bool = false) -> DomainError? {
        do throws(DomainError) {
            try MeetingRules.check(meeting: meeting, form: form, createdAt: Self.created, quorumGiven: quorumGiven)
            return nil
        } catch {
            return error
        }
    }

    @Test func boundariesOfTheLegalPeriodsAreInclusive() {
        #expect(refusal(Self.spec(opensAfter: 10 * Self.day, lasting: 7 * Self.day)) == nil)
        #expect(refusal(Self.spec(opensAfter: 10 * Self.day, lasting: 60 * Self.day)) == nil)
    }

    @Test func noticeShorterThanTenDaysIsRefused() {
        let error = refusal(Self.spec(opensAfter: 10 * Self.day - 1))
        #expect(error?.code == .rule && error?.pointer == "/opens_at")
        #expect(error?.message.contains("10 days") == true)
    }

    @Test func electronicVotingOutsideSevenToSixtyDaysIsRefused() {
        for duration in [7 * Self.day - 1, 60 * Self.day + 1, 1] {
            let error = refusal(Self.spec(lasting: duration))
            #expect(error?.code == .rule && error?.pointer == "/closes_at")
        }
        // Other forms have no duration rule.
        #expect(refusal(Self.spec(lasting: 1), form: .absentee) == nil)
        #expect(refusal(Self.spec(lasting: 90 * Self.day), form: .mixed) == nil)
    }

    @Test func quorumIsFixedByLawUnderRuZhk() {
        #expect(refusal(Self.spec(), quorumGiven: true)?.pointer == "/quorum")
        #expect(refusal(Self.spec(quorum: Rational(1, 3)))?.pointer == "/quorum")
        #expect(refusal(Self.spec(rules: .generic, quorum: .zero), quorumGiven: true) == nil)
        #expect(refusal(Self.spec(rules: .generic, quorum: Rational(3, 2)), quorumGiven: true)?.pointer == "/quorum")
    }

    @Test func windowAndAgendaAreCheckedUnderBothRuleSets() {
        for rules in RuleSet.allCases {
            #expect(refusal(Self.spec(rules: rules, lasting: 0))?.pointer == "/closes_at")
            #expect(refusal(Self.spec(rules: rules, lasting: -1))?.pointer == "/closes_at")
            #expect(refusal(Self.spec(rules: rules, items: []))?.pointer == "/agenda")
            let duplicate = refusal(Self.spec(rules: rules, items: ["1", "2", "1"]))
            #expect(duplicate?.pointer == "/agenda/2/item" && duplicate?.code == .rule)
        }
    }

    @Test func genericSkipsTheTimeChecks() {
        #expect(refusal(Self.spec(rules: .generic, opensAfter: -30 * Self.day, lasting: 1)) == nil)
    }
}
