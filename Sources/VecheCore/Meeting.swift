/// The rule set a meeting is counted under (WIRE.md `rules`).
public enum RuleSet: String, Sendable, Hashable, CaseIterable {
    /// ЖК РФ ст. 44–48 as in force from 2024-09-01: quorum > 1/2, legal notice and duration checks.
    case ruZhk2024 = "ru-zhk-2024"
    /// Non-binding polls: the meeting states its quorum share (may be 0); no time checks.
    case generic

    /// The quorum share used when a meeting states none: 1/2 (ст. 45 ч.3 for `ru-zhk-2024`).
    public static let defaultQuorum = Rational(BigInt(1), BigInt(2))
}

/// Whether an owner may vote again (WIRE.md `revote`; always stated, no default).
public enum RevotePolicy: String, Sendable, Hashable, CaseIterable {
    /// The first ballot of each kind counts; a second one is refused.
    case forbidden
    /// The latest ballot of each kind counts; earlier ones stay in the ledger, superseded.
    case lastCounts = "last-counts"
}

/// What an agenda item needs to be adopted, fixed at `meeting.create` (ЖК РФ ст. 46 ч.1).
public enum Threshold: String, Sendable, Hashable, CaseIterable {
    /// for > 1/2 of the participating votes (the general rule).
    case participantsMajority = "participants-majority"
    /// for > 1/2 of all votes of the building.
    case allMajority = "all-majority"
    /// for ≥ 2/3 of all votes of the building.
    case allTwoThirds = "all-two-thirds"
    /// for = all votes of the building (ст. 36 ч.3, ст. 40 ч.2).
    case allUnanimous = "all-unanimous"

    /// Whether `votesFor` adopts the item, comparing exactly (quorum is judged separately).
    public func isMet(votesFor: Rational, participating: Rational, total: Rational) -> Bool {
        switch self {
        case .participantsMajority: return votesFor.times(2) > participating
        case .allMajority: return votesFor.times(2) > total
        case .allTwoThirds: return votesFor.times(3) >= total.times(2)
        case .allUnanimous: return votesFor == total
        }
    }
}

/// One answer on one item (ст. 48 ч.5.1: «за», «против», «воздержался»).
public enum Mark: String, Sendable, Hashable, CaseIterable {
    /// за.
    case `for`
    /// против.
    case against
    /// воздержался.
    case abstain
}

/// What a ballot says on one item: one mark, or several marks (possible only on paper).
public enum MarkChoice: Sendable, Hashable {
    /// Exactly one mark: it counts.
    case single(Mark)
    /// Several marks: the item is invalid on this ballot (ст. 48 ч.6), the rest of the ballot counts.
    case multiple([Mark])

    /// The choice a paper ballot's list of marks stands for: 2–3 distinct marks. `[]`, a
    /// one-element list and repeated marks are malformed (400), as WIRE.md says.
    public static func paper(_ marks: [Mark], at path: [PathComponent] = []) throws(DomainError) -> MarkChoice {
        let field = DomainError.fieldName(path, default: "choice")
        guard (2...3).contains(marks.count) else {
            throw DomainError(.malformed, at: path, "\(field) lists \(marks.count) marks; a list of marks must hold 2 or 3 distinct marks (a single mark is written without brackets)")
        }
        guard Set(marks).count == marks.count else {
            throw DomainError(.malformed, at: path, "\(field) repeats a mark; a list of marks must hold distinct marks")
        }
        return .multiple(marks)
    }
}

/// The form of the meeting (ЖК РФ ст. 44.1, 47.1).
public enum MeetingForm: String, Sendable, Hashable, CaseIterable {
    /// Absentee voting in the state information system (ст. 47.1): 7–60 days.
    case electronic
    /// Absentee voting on paper (заочное).
    case absentee
    /// In person plus absentee (очно-заочное).
    case mixed
    /// In person (очное).
    case inPerson = "in-person"
}

/// One agenda item as the counting needs it: its number and threshold.
public struct AgendaItem: Sendable, Hashable {
    /// The item number (`"1"`, `"2.1"`), an identifier.
    public var item: String
    /// What adopts it.
    public var threshold: Threshold

    /// An agenda item.
    public init(item: String, threshold: Threshold) {
        self.item = item
        self.threshold = threshold
    }
}

/// A meeting as the counting needs it (titles and texts stay in the ledger's command).
public struct MeetingSpec: Sendable, Hashable {
    /// The meeting id.
    public var id: String
    /// The rule set.
    public var rules: RuleSet
    /// The quorum share: participating must exceed quorum × total. 1/2 under `ru-zhk-2024`.
    public var quorum: Rational
    /// Whether owners may vote again.
    public var revote: RevotePolicy
    /// First instant at which ballots count.
    public var opensAt: Timestamp
    /// First instant at which ballots no longer count: the window is [opensAt, closesAt).
    public var closesAt: Timestamp
    /// The agenda, in order.
    public var items: [AgendaItem]

    /// A meeting.
    public init(id: String, rules: RuleSet, quorum: Rational = RuleSet.defaultQuorum, revote: RevotePolicy,
                opensAt: Timestamp, closesAt: Timestamp, items: [AgendaItem]) {
        self.id = id
        self.rules = rules
        self.quorum = quorum
        self.revote = revote
        self.opensAt = opensAt
        self.closesAt = closesAt
        self.items = items
    }
}
