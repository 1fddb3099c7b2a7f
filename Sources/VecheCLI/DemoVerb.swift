import Foundation
import VecheCore

/// `veche demo`: counts a whole meeting on the bundled sample building and prints the outcome in Russian.
struct DemoVerb: Verb {
    static let name = ["demo"]
    static let summary = "run a whole meeting on the bundled sample building"
    static let usage = "demo"
    static let discussion = """
        Loads the sample owner register (Samples/building.csv: 121 premises, shared, joint and \
        municipal ownership, non-residential premises), creates an electronic meeting under \
        ru-zhk-2024 with one item per threshold, admits a fixed set of ballots (own, paper, proxy, \
        a double mark, refused repeats and a late ballot) and prints turnout, quorum and decisions.
        """
    static let options: [OptionSpec] = []

    static func run(_ arguments: ParsedArguments, console: Console) throws -> Int32 {
        try arguments.expectPositionals(0...0, what: "nothing")
        let register = try loadSampleRegister()
        let created = try Timestamp.parse("2026-11-01T09:00:00Z")
        let meeting = MeetingSpec(
            id: "M-2026-11", rules: .ruZhk2024, revote: .forbidden,
            opensAt: try Timestamp.parse("2026-11-12T09:00:00Z"), closesAt: try Timestamp.parse("2026-11-26T21:00:00Z"),
            items: agenda.map { AgendaItem(item: $0.item, threshold: $0.threshold) })
        try MeetingRules.check(meeting: meeting, form: .electronic, createdAt: created, quorumGiven: false)

        var tally = Tally(meeting: meeting, register: register)
        var refused: [(ballot: Ballot, refusal: BallotRefusal)] = []
        let ballots = sampleBallots(register: register, meeting: meeting)
        for ballot in ballots {
            do throws(BallotRefusal) {
                try tally.admit(ballot)
            } catch {
                refused.append((ballot, error))
            }
        }
        let result = tally.result()
        print(result, register: register, meeting: meeting, admitted: tally.admittedBallotCount, refused: refused, console: console)
        return 0
    }

    // MARK: - The sample

    static let address = "г. Казань, ул. Профсоюзная, д. 17"

    static let agenda: [(item: String, threshold: Threshold, title: String)] = [
        ("1", .participantsMajority, "Утвердить отчёт управляющей организации за 2025 год"),
        ("2", .allMajority, "Формировать фонд капитального ремонта на специальном счёте"),
        ("3", .allTwoThirds, "Заменить лифты в 2027 году за счёт фонда капитального ремонта"),
        ("4", .allUnanimous, "Передать часть подвала в пользование под кладовые (уменьшение общего имущества)"),
    ]

    static func loadSampleRegister() throws -> Register {
        guard let url = Bundle.module.url(forResource: "building", withExtension: "csv", subdirectory: "Samples") else {
            throw CLIFailure("the sample register Samples/building.csv is missing from the bundle")
        }
        let bytes = [UInt8](try Data(contentsOf: url))
        do throws(CSVError) {
            return try RegisterCSV.parse(bytes: bytes, building: "b-demo-17", address: address)
        } catch {
            throw CLIFailure("Samples/building.csv: \(error)")
        }
    }

    /// A fixed, reproducible set of ballots: about 90 owners vote, with the cases the rules are about.
    static func sampleBallots(register: Register, meeting: MeetingSpec) -> [Ballot] {
        var random = DemoRandom(seed: 17)
        func mark(_ forPercent: UInt64, _ againstPercent: UInt64) -> MarkChoice {
            let roll = random.next() % 100
            if roll < forPercent { return .single(.for) }
            if roll < forPercent + againstPercent { return .single(.against) }
            return .single(.abstain)
        }
        func usualChoices() -> [String: MarkChoice] {
            var choices = ["1": mark(72, 14), "2": mark(86, 8), "3": mark(74, 16), "4": mark(88, 8)]
            if random.next() % 25 == 0 { choices["3"] = nil }  // now and then an item left blank
            return choices
        }
        func all(_ mark: Mark) -> [String: MarkChoice] { ["1": .single(mark), "2": .single(mark), "3": .single(mark), "4": .single(mark)] }

        // Owners voting in the ordinary way. Usually one spouse votes for a jointly held flat, so
        // the other co-holders stay out of the draw; the owners of the special cases below too.
        let special: Set<String> = ["o-033", "o-048", "o-071", "o-012a", "o-012b", "o-020", "o-090", "municipality"]
        var secondHolders: Set<String> = []
        for premises in register.premises {
            for stake in premises.stakes { secondHolders.formUnion(stake.holders.dropFirst()) }
        }
        var plan: [(owner: String, source: BallotSource, choices: [String: MarkChoice])] = []
        for owner in register.stakesByOwner.keys.sorted() where !special.contains(owner) && !secondHolders.contains(owner) {
            guard random.next() % 100 < 72 else { continue }
            plan.append((owner, .own, usualChoices()))
        }
        // The special cases, at fixed places in the stream.
        plan.insert(("o-033", .proxy, all(.for)), at: 0)  // a representative votes for o-033 early…
        plan.insert(("municipality", .own, ["1": .single(.for), "2": .single(.for), "3": .single(.for), "4": .single(.against)]), at: 3)
        plan.insert(("o-012a", .own, usualChoices()), at: 10)  // one spouse votes for the joint flat…
        plan.insert(("o-012b", .own, ["1": .single(.against)]), at: 20)  // …the other's later ballot is refused
        plan.insert(("o-048", .proxy, usualChoices()), at: 30)  // a representative's ballot that stays effective
        plan.insert(("o-071", .paper, ["1": .single(.for), "2": .single(.for), "3": .multiple([.for, .against]), "4": .single(.for)]), at: 40)
        plan.insert(("o-020", .own, usualChoices()), at: 50)
        plan.insert(("o-020", .own, ["1": .single(.against), "2": .single(.against)]), at: 60)  // revoting is forbidden
        plan.append(("o-033", .own, ["1": .single(.for), "2": .single(.against), "3": .single(.against), "4": .single(.against)]))  // …and o-033's own ballot wins

        var clock = meeting.opensAt.milliseconds + 3_600_000
        var ballots: [Ballot] = plan.map { entry in
            clock += 60_000 + Int64(random.next() % 9_000_000)
            return Ballot(owner: entry.owner, source: entry.source, choices: entry.choices, time: Timestamp(milliseconds: clock))
        }
        // A ballot arriving exactly at closes_at is not counted.
        ballots.append(Ballot(owner: "o-090", source: .own, choices: ["1": .single(.for)], time: meeting.closesAt))
        return ballots
    }

    // MARK: - Printing

    static func print(_ result: MeetingResult, register: Register, meeting: MeetingSpec, admitted: Int,
                      refused: [(ballot: Ballot, refusal: BallotRefusal)], console: Console) {
        let owners = register.stakesByOwner.count
        console.out("Veche — демонстрация: общее собрание собственников помещений")
        console.out("")
        console.out("Дом: \(register.address) (\(register.building)), помещений: \(register.premises.count), собственников: \(owners)")
        console.out("Всего голосов (площадь всех помещений): \(squareMeters(result.total))")
        console.out("Собрание \(meeting.id): правила \(meeting.rules.rawValue), повторное голосование запрещено")
        console.out("Голосование (электронная форма): с \(meeting.opensAt.rfc3339String) до \(meeting.closesAt.rfc3339String)")
        console.out("")
        console.out("Бюллетеней принято: \(admitted), учтено: \(result.ballots), отклонено: \(refused.count)")
        for (ballot, refusal) in refused {
            console.out("  • \(ballot.owner), \(ballot.time.rfc3339String): \(russian(refusal))")
        }
        console.out("  Бюллетень представителя o-033 уступил бюллетеню самого собственника; в бумажном бюллетене o-071 две отметки по вопросу 3.")
        console.out("Приняли участие: \(squareMeters(result.participating)) — \(percent(result.participating, of: result.total)) всех голосов")
        console.out("Кворум: \(result.quorumReached ? "есть" : "нет") (нужно более 50 % всех голосов)")
        console.out("")
        for (index, item) in result.items.enumerated() {
            let base = item.threshold == .participantsMajority ? result.participating : result.total
            console.out("\(item.item). \(agenda[index].title)")
            console.out("   Порог: \(russian(item.threshold))")
            console.out("   за \(squareMeters(item.for)) (\(percent(item.for, of: base)))"
                + " · против \(squareMeters(item.against)) (\(percent(item.against, of: base)))"
                + " · воздержались \(squareMeters(item.abstain)) (\(percent(item.abstain, of: base)))")
            if !item.invalid.isZero || !item.blank.isZero {
                console.out("   недействительно (несколько отметок) \(squareMeters(item.invalid)) · без отметки \(squareMeters(item.blank))")
            }
            console.out("   Решение: \(item.adopted ? "ПРИНЯТО" : "НЕ ПРИНЯТО")")
        }
        console.out("")
        console.out("Проценты — от голосов участников для порога «более половины голосов участников», иначе от всех голосов;")
        console.out("значения округлены до сотых только для показа. Решения приняты по точным значениям:")
        console.out("всего \(result.total.exactString), участвовали \(result.participating.exactString), "
            + "«за» по вопросам: \(result.items.map(\.for.exactString).joined(separator: ", "))")
    }

    static func russian(_ threshold: Threshold) -> String {
        switch threshold {
        case .participantsMajority: return "более половины голосов участников собрания"
        case .allMajority: return "более половины всех голосов собственников"
        case .allTwoThirds: return "не менее двух третей всех голосов собственников"
        case .allUnanimous: return "все голоса собственников (единогласно)"
        }
    }

    static func russian(_ refusal: BallotRefusal) -> String {
        switch refusal {
        case .unknownOwner: return "нет такого собственника в реестре"
        case .unknownItem(let item): return "вопроса \(item) нет в повестке"
        case .notOpen(.beforeOpening): return "голосование ещё не началось"
        case .notOpen(.afterClosing): return "голосование уже закончилось"
        case .secondOwnBallot: return "повторный бюллетень: переголосование запрещено"
        case .ownBallotCoversNothingNew: return "за совместную долю уже проголосовал другой сособственник"
        case .proxyAfterOwnBallot: return "собственник уже проголосовал сам"
        case .secondProxyBallot: return "представитель уже голосовал за этого собственника"
        case .proxyBallotCoveredByOwn: return "по всем долям уже есть бюллетень собственника"
        }
    }

    /// `7 046,05 м²`: the display value, rounded half-up to hundredths, digits grouped as in Russian.
    static func squareMeters(_ value: Rational) -> String { russianNumber(value.decimalString(places: 2)) + " м²" }

    /// `75,08 %` of `base`.
    static func percent(_ value: Rational, of base: Rational) -> String { russianNumber(value.percentString(of: base)) + " %" }

    static func russianNumber(_ decimal: String) -> String {
        var whole = Substring(decimal)
        var fraction = Substring("")
        if let dot = decimal.firstIndex(of: ".") {
            whole = decimal[..<dot]
            fraction = decimal[decimal.index(after: dot)...]
        }
        var negative = false
        if whole.first == "-" {
            negative = true
            whole = whole.dropFirst()
        }
        var groups: [Substring] = []
        while whole.count > 3 {
            groups.insert(whole.suffix(3), at: 0)
            whole = whole.dropLast(3)
        }
        groups.insert(whole, at: 0)
        return (negative ? "-" : "") + groups.joined(separator: "\u{00A0}") + (fraction.isEmpty ? "" : "," + fraction)
    }
}

/// SplitMix64, so the demo's ballots are the same on every run.
struct DemoRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
