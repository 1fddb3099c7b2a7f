import Foundation
import VecheCore
import VecheReport

/// The sample building and meeting the demo uses, and the Russian formatting it prints with.
enum DemoSample {
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

    /// One ballot of the demo: who, how, and the marks.
    struct Step {
        let owner: String
        let source: BallotSource
        let choices: [String: MarkChoice]
        /// What the demo expects the server to do with it.
        let note: String?
    }

    /// A fixed, reproducible set of ballots: about 90 owners vote, with the cases the rules are about.
    static func samplePlan(register: Register) -> [Step] {
        var random = SplitMix64(seed: 17)
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

        let notes: [String: String] = [
            "o-033": "представитель голосует за o-033, затем собственник голосует сам — учитывается его бюллетень",
            "o-012b": "второй сособственник совместной квартиры — отклоняется (409)",
            "o-071": "бумажный бюллетень с двумя отметками по вопросу 3 — недействителен только вопрос 3",
            "o-020": "повторный бюллетень при запрете переголосования — отклоняется (409)",
        ]
        var seen: Set<String> = []
        return plan.map { entry in
            let note = seen.contains(entry.owner) || entry.owner == "o-012b" || entry.owner == "o-071" ? notes[entry.owner] : nil
            seen.insert(entry.owner)
            return Step(owner: entry.owner, source: entry.source, choices: entry.choices, note: note)
        }
    }

    // MARK: - Formatting

    static func russian(_ threshold: Threshold) -> String {
        switch threshold {
        case .participantsMajority: return "более половины голосов участников собрания"
        case .allMajority: return "более половины всех голосов собственников"
        case .allTwoThirds: return "не менее двух третей всех голосов собственников"
        case .allUnanimous: return "все голоса собственников (единогласно)"
        }
    }

    /// Russian for the refusal reasons the demo provokes (the server's problem `type`).
    static let russianRefusal: [String: String] = [
        "second-own-ballot": "повторный бюллетень: переголосование запрещено",
        "own-ballot-covers-nothing-new": "за совместную долю уже проголосовал другой сособственник",
        "proxy-after-own-ballot": "собственник уже проголосовал сам",
        "second-proxy-ballot": "представитель уже голосовал за этого собственника",
        "proxy-covered-by-own": "по всем долям уже есть бюллетень собственника",
        "closed": "голосование уже закончилось",
        "meeting-closed": "голосование уже закончилось",
        "not-open-yet": "голосование ещё не началось",
    ]

    /// `7 046,05 м²`: the display value, rounded half-up to hundredths, as the protocol writes it.
    static func squareMeters(_ value: Rational) -> String { Russian.squareMeters(value) }

    /// `74,05 %` of `base`.
    static func percent(_ value: Rational, of base: Rational) -> String { Russian.percent(value, of: base) }
}

