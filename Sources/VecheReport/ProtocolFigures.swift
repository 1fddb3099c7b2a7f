import VecheCore
import VecheLedger

/// The mark columns of a vote table, in protocol order.
enum VoteColumn: String, CaseIterable {
    case votesFor = "for"
    case against
    case abstain
    case invalid
    case blank

    /// Column heading in the protocol.
    var title: String {
        switch self {
        case .votesFor: return "за"
        case .against: return "против"
        case .abstain: return "воздержались"
        case .invalid: return "недействительно (несколько отметок)"
        case .blank: return "без отметки"
        }
    }

    func amount(in item: ItemResult) -> Rational {
        switch self {
        case .votesFor: return item.for
        case .against: return item.against
        case .abstain: return item.abstain
        case .invalid: return item.invalid
        case .blank: return item.blank
        }
    }
}

/// An exact amount with its display forms: the one place rounding happens, half-up to 2 decimals.
struct DisplayAmount {
    /// The exact reduced fraction (`"2469/20"`).
    let exact: String
    /// Rounded m², decimal point (`"123.45"`).
    let decimal: String
    /// Rounded m², Russian form with unit (`"123,45 м²"`).
    let display: String
    /// Rounded percent of the base, decimal point (`"50.00"`), when a base applies.
    let percent: String?
    /// Rounded percent, Russian form (`"50,00 %"`).
    let percentDisplay: String?

    init(_ value: Rational, of base: Rational? = nil) {
        exact = value.exactString
        decimal = value.decimalString(places: 2)
        display = Russian.squareMeters(value)
        percent = base.map { value.percentString(of: $0) }
        percentDisplay = base.map { Russian.percent(value, of: $0) }
    }
}

/// What was decided on an item.
enum ItemDecision: String {
    case adopted
    case notAdopted = "not-adopted"
    case noQuorum = "no-quorum"
}

/// Every figure the renderers print, computed once from the input so HTML, Markdown, JSON and
/// CSV cannot disagree.
struct ProtocolFigures {
    /// Which votes a threshold is measured against.
    enum Base: String {
        case participating
        case total
    }

    struct Item {
        let index: Int
        let agenda: MeetingCreate.Item
        /// The legal basis: the item's own, or the threshold's default.
        let basis: String
        /// nil when cancelled.
        let result: ItemResult?
        let base: Base
        let baseValue: Rational?
        /// What adopts the item: for > required (majorities), for ≥ required (2/3), for = required (all).
        let required: Rational?
        let decision: ItemDecision?
        let decisionText: String
    }

    let input: ProtocolInput
    let title: String
    let labels: [String]
    let isPoll: Bool
    let place: String
    let items: [Item]

    init(_ input: ProtocolInput) {
        self.input = input
        let meeting = input.meeting
        isPoll = meeting.rules == .generic
        title = isPoll
            ? "Итоги опроса собственников помещений в многоквартирном доме"
            : "Протокол общего собрания собственников помещений в многоквартирном доме"
        var labels: [String] = []
        if isPoll { labels.append("Опрос, не является решением общего собрания собственников") }
        switch input.status {
        case .preliminary: labels.append("Предварительные итоги, голосование не завершено")
        case .cancelled: labels.append("Собрание отменено")
        case .closed: break
        }
        self.labels = labels
        place = meeting.form == .electronic
            ? "электронная форма, система Вече (" + input.origin + ")"
            : input.register.address

        let result = input.result
        items = meeting.agenda.enumerated().map { index, agenda in
            let itemResult = result?.items[index]
            let base: Base = agenda.threshold == .participantsMajority ? .participating : .total
            let baseValue = result.map { base == .participating ? $0.participating : $0.total }
            let required: Rational? = baseValue.map { value in
                switch agenda.threshold {
                case .participantsMajority, .allMajority: return value * Rational(BigInt(1), BigInt(2))
                case .allTwoThirds: return value * Rational(BigInt(2), BigInt(3))
                case .allUnanimous: return value
                }
            }
            var decision: ItemDecision?
            if let result, let itemResult {
                decision = !result.quorumReached ? .noQuorum : itemResult.adopted ? .adopted : .notAdopted
            }
            return Item(
                index: index, agenda: agenda,
                basis: agenda.basis ?? Russian.defaultBasis(agenda.threshold, rules: meeting.rules),
                result: itemResult, base: base, baseValue: baseValue, required: required, decision: decision,
                decisionText: Self.decisionText(decision, status: input.status))
        }
    }

    /// The decision as a sentence, the same in every format.
    static func decisionText(_ decision: ItemDecision?, status: ProtocolInput.Status) -> String {
        guard let decision else { return "Решение не принималось: собрание отменено" }
        if status == .preliminary {
            switch decision {
            case .adopted: return "Предварительно: порог достигнут (решение ещё не принято)"
            case .notAdopted: return "Предварительно: порог не достигнут"
            case .noQuorum: return "Предварительно: кворума пока нет"
            }
        }
        switch decision {
        case .adopted: return "Решение принято"
        case .notAdopted: return "Решение не принято"
        case .noQuorum: return "Решение не принимается: нет кворума"
        }
    }

    /// «более 3 523,03 м²» — what the item needs, in words.
    static func requirement(_ threshold: Threshold, _ required: Rational) -> String {
        switch threshold {
        case .participantsMajority, .allMajority: return "более " + Russian.squareMeters(required)
        case .allTwoThirds: return "не менее " + Russian.squareMeters(required)
        case .allUnanimous: return "все " + Russian.squareMeters(required)
        }
    }

    /// The comparison as a symbol, for JSON and CSV.
    static func comparison(_ threshold: Threshold) -> String {
        switch threshold {
        case .participantsMajority, .allMajority: return ">"
        case .allTwoThirds: return ">="
        case .allUnanimous: return "="
        }
    }

    /// The protocol date: the day the result was fixed (close), or of the cancel.
    var date: Timestamp? { input.closed?.time ?? input.cancellation?.entry.time }

    /// The base name in a sentence: «от голосов участников» or «от всех голосов».
    static func baseWords(_ base: Base) -> String {
        base == .participating ? "от голосов участников собрания" : "от общего числа голосов"
    }

    /// Holders of a stake as the protocol shows them: ids, and names when given.
    func holders(_ stake: Stake) -> String {
        stake.holders.map(ownerLabel).joined(separator: ", ")
    }

    /// `o-12 (Иванов И. И.)` with names, `o-12` without.
    func ownerLabel(_ owner: String) -> String {
        if let name = input.name(of: owner) { return owner + " (" + name + ")" }
        return owner
    }
}
