/// Who cast a ballot, which decides how it competes for a stake (WIRE.md "Ballots, proxies and revotes").
public enum BallotSource: String, Sendable, Hashable, CaseIterable {
    /// `ballot.cast` signed by a key bound to the owner.
    case own
    /// `ballot.paper` entered by the administrator for the owner; counts as the owner's own ballot.
    case paper
    /// `ballot.cast` signed by a key granted to a representative for this owner and meeting.
    case proxy

    /// Whether the ballot is the owner's own (own or paper), which beats every proxy ballot.
    public var isOwn: Bool { self != .proxy }
}

/// One ballot as the counting sees it: whose, from whom, what it says, and when the ledger took it.
public struct Ballot: Sendable, Hashable {
    /// The owner whose stakes the ballot covers.
    public var owner: String
    /// Own, paper or proxy.
    public var source: BallotSource
    /// Item number → the owner's mark(s). Items left out are blank; an empty map still participates.
    public var choices: [String: MarkChoice]
    /// The ledger time of the entry that carries the ballot.
    public var time: Timestamp

    /// A ballot.
    public init(owner: String, source: BallotSource, choices: [String: MarkChoice], time: Timestamp) {
        self.owner = owner
        self.source = source
        self.choices = choices
        self.time = time
    }
}

/// Why a ballot is refused. Nothing is recorded for a refused ballot.
///
/// `unknownOwner` and `unknownItem` are unknown references (HTTP 422, judged before authority);
/// all others are state conflicts (HTTP 409).
public enum BallotRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which side of the voting window a ballot fell on.
    public enum Window: Sendable, Hashable {
        /// Ledger time < opens_at.
        case beforeOpening
        /// Ledger time ≥ closes_at.
        case afterClosing
    }

    /// The owner has no stakes in the meeting's frozen register.
    case unknownOwner(String)
    /// A choice names an item that is not on the agenda (the first such item by UTF-8 order).
    case unknownItem(String)
    /// The ledger time lies outside [opens_at, closes_at).
    case notOpen(Window)
    /// `forbidden`: the owner already has an own (or paper) ballot.
    case secondOwnBallot
    /// `forbidden`: every stake of the owner already has an own ballot of a joint co-holder.
    case ownBallotCoversNothingNew
    /// `forbidden`: a proxy ballot for an owner who already has an own ballot.
    case proxyAfterOwnBallot
    /// `forbidden`: a second proxy ballot for the same owner.
    case secondProxyBallot
    /// Either policy: every stake of the owner already has an own ballot, so the proxy ballot could never count.
    case proxyBallotCoveredByOwn

    /// A stable kebab-case name of the reason, for problem details, logs and test vectors.
    public var reason: String {
        switch self {
        case .unknownOwner: return "unknown-owner"
        case .unknownItem: return "unknown-item"
        case .notOpen(.beforeOpening): return "not-open-yet"
        case .notOpen(.afterClosing): return "closed"
        case .secondOwnBallot: return "second-own-ballot"
        case .ownBallotCoversNothingNew: return "own-ballot-covers-nothing-new"
        case .proxyAfterOwnBallot: return "proxy-after-own-ballot"
        case .secondProxyBallot: return "second-proxy-ballot"
        case .proxyBallotCoveredByOwn: return "proxy-covered-by-own"
        }
    }

    /// `.unknownReference` (422) or `.conflict` (409).
    public var code: DomainError.Code {
        switch self {
        case .unknownOwner, .unknownItem: return .unknownReference
        default: return .conflict
        }
    }

    /// The field at fault, relative to the ballot command.
    public var path: [PathComponent] {
        switch self {
        case .unknownOwner: return [.key("owner")]
        case .unknownItem(let item): return [.key("choices"), .key(item)]
        default: return []
        }
    }

    /// What happened, for a person.
    public var message: String {
        switch self {
        case .unknownOwner(let owner):
            return "owner \(DomainError.quote(owner)) has no stakes in the meeting's register"
        case .unknownItem(let item):
            return "choices name item \(DomainError.quote(item)), which is not on the agenda"
        case .notOpen(.beforeOpening):
            return "the meeting is not open yet: ballots count from opens_at"
        case .notOpen(.afterClosing):
            return "the meeting is closed: ballots at or after closes_at do not count"
        case .secondOwnBallot:
            return "the owner has already voted and this meeting forbids revoting"
        case .ownBallotCoversNothingNew:
            return "every stake of the owner already has an own ballot of a joint co-holder, and this meeting forbids revoting"
        case .proxyAfterOwnBallot:
            return "the owner has already voted in person; a representative's ballot cannot replace it"
        case .secondProxyBallot:
            return "a representative has already voted for this owner and this meeting forbids revoting"
        case .proxyBallotCoveredByOwn:
            return "every stake of the owner already has an own ballot, so a representative's ballot could never count"
        }
    }

    /// The refusal as a `DomainError` with its code, path and message.
    public var domainError: DomainError { DomainError(code, at: path, message) }

    /// `reason: message`, for logs.
    public var description: String { "\(reason): \(message)" }
}
