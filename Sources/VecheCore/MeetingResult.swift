/// The outcome on one agenda item: exact votes per mark and the decision.
public struct ItemResult: Sendable, Hashable {
    /// The item number.
    public var item: String
    /// The threshold it was counted against.
    public var threshold: Threshold
    /// Votes «за».
    public var `for`: Rational
    /// Votes «против».
    public var against: Rational
    /// Votes «воздержался».
    public var abstain: Rational
    /// Votes of stakes whose effective ballot marked the item more than once (ст. 48 ч.6).
    public var invalid: Rational
    /// Participating votes with no mark on the item.
    public var blank: Rational
    /// Whether the item is adopted: quorum reached and the threshold met.
    public var adopted: Bool

    /// An item result.
    public init(item: String, threshold: Threshold, for votesFor: Rational, against: Rational, abstain: Rational,
                invalid: Rational, blank: Rational, adopted: Bool) {
        self.item = item
        self.threshold = threshold
        self.for = votesFor
        self.against = against
        self.abstain = abstain
        self.invalid = invalid
        self.blank = blank
        self.adopted = adopted
    }
}

/// The exact result of a meeting: WIRE.md "Result", field for field.
///
/// It holds exact amounts only; display rounding belongs to the protocol.
/// For every item, for + against + abstain + invalid + blank = participating.
public struct MeetingResult: Sendable, Hashable {
    /// The meeting id.
    public var meeting: String
    /// The rule set.
    public var rules: RuleSet
    /// Total votes of the building (sum of all areas).
    public var total: Rational
    /// Votes of the stakes covered by effective ballots.
    public var participating: Rational
    /// The quorum share (`quorum.required`).
    public var quorumRequired: Rational
    /// participating > quorumRequired × total (`quorum.reached`).
    public var quorumReached: Bool
    /// The number of ballots effective for at least one stake.
    public var ballots: Int
    /// One result per agenda item, in agenda order.
    public var items: [ItemResult]

    /// A result.
    public init(meeting: String, rules: RuleSet, total: Rational, participating: Rational, quorumRequired: Rational,
                quorumReached: Bool, ballots: Int, items: [ItemResult]) {
        self.meeting = meeting
        self.rules = rules
        self.total = total
        self.participating = participating
        self.quorumRequired = quorumRequired
        self.quorumReached = quorumReached
        self.ballots = ballots
        self.items = items
    }
}
