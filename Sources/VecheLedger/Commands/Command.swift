public import VecheCore

/// The command types of WIRE.md "Commands".
public enum CommandType: String, Sendable, CaseIterable {
    case genesis = "ledger.genesis"
    case buildingRegister = "building.register"
    case ownerKey = "owner.key"
    case buildingAdministrator = "building.administrator"
    case meetingCreate = "meeting.create"
    case meetingCancel = "meeting.cancel"
    case proxyGrant = "proxy.grant"
    case ballotCast = "ballot.cast"
    case ballotPaper = "ballot.paper"
    case meetingClose = "meeting.close"
}

/// A command that passed the schema checks (WIRE.md step 4), with its typed body.
public struct Command: Sendable {
    /// The client-chosen id, unique in the ledger.
    public let id: String
    /// The ledger origin the signer meant.
    public let ledger: String
    /// The typed fields.
    public let body: Body
    /// The command object exactly as signed.
    public let json: JSONValue

    /// The typed fields of each command type.
    public enum Body: Sendable {
        case genesis(Genesis)
        case buildingRegister(BuildingRegister)
        case ownerKey(OwnerKey)
        case buildingAdministrator(BuildingAdministrator)
        case meetingCreate(MeetingCreate)
        case meetingCancel(MeetingCancel)
        case proxyGrant(ProxyGrant)
        case ballotCast(BallotCast)
        case ballotPaper(BallotPaper)
        case meetingClose(MeetingClose)
    }

    /// The wire type.
    public var type: CommandType {
        switch body {
        case .genesis: .genesis
        case .buildingRegister: .buildingRegister
        case .ownerKey: .ownerKey
        case .buildingAdministrator: .buildingAdministrator
        case .meetingCreate: .meetingCreate
        case .meetingCancel: .meetingCancel
        case .proxyGrant: .proxyGrant
        case .ballotCast: .ballotCast
        case .ballotPaper: .ballotPaper
        case .meetingClose: .meetingClose
        }
    }
}

/// `ledger.genesis`: the operator, the registrars and the rule sets of this ledger.
public struct Genesis: Sendable {
    public let operatorKey: String
    public let registrars: [String]
    public let rulesets: Set<RuleSet>
}

/// `building.register`: a full register snapshot of one building.
public struct BuildingRegister: Sendable {
    public let register: Register
}

/// `owner.key`: binds or revokes an owner's key.
public struct OwnerKey: Sendable {
    /// Bind or revoke.
    public enum Action: String, Sendable, CaseIterable {
        case bind
        case revoke
    }
    public let owner: String
    public let key: String
    public let action: Action
    public let identity: String?
}

/// `building.administrator`: the managing organisation's keys for a building.
public struct BuildingAdministrator: Sendable {
    public let building: String
    public let keys: [String]
    public let organizationName: String
    public let inn: String?
}

/// `meeting.create`: a general meeting with its fixed agenda.
public struct MeetingCreate: Sendable {
    public let meeting: String
    public let building: String
    public let title: String
    public let form: MeetingForm
    public let initiator: String
    public let rules: RuleSet
    /// The quorum share when given (generic only).
    public let quorum: Rational?
    public let revote: RevotePolicy
    public let opensAt: Timestamp
    public let closesAt: Timestamp
    public let agenda: [Item]

    /// One agenda item.
    public struct Item: Sendable {
        public let item: String
        public let title: String
        public let proposal: String
        public let threshold: Threshold
        public let basis: String?
    }

    /// The counting engine's view of this meeting.
    public var spec: MeetingSpec {
        MeetingSpec(
            id: meeting, rules: rules, quorum: quorum ?? Rational(1, 2), revote: revote,
            opensAt: opensAt, closesAt: closesAt,
            items: agenda.map { AgendaItem(item: $0.item, threshold: $0.threshold) })
    }
}

/// `meeting.cancel`.
public struct MeetingCancel: Sendable {
    public let meeting: String
    public let reason: String
}

/// `proxy.grant`: a key that may vote for an owner in one meeting.
public struct ProxyGrant: Sendable {
    public let meeting: String
    public let owner: String
    public let proxy: String
    public let document: String?
}

/// `ballot.cast`: an owner's (or proxy's) electronic ballot.
public struct BallotCast: Sendable {
    public let meeting: String
    public let owner: String
    public let choices: [String: Mark]
}

/// `ballot.paper`: a paper ballot entered by the administrator.
public struct BallotPaper: Sendable {
    public let meeting: String
    public let owner: String
    public let choices: [String: MarkChoice]
    public let scan: String
}

/// `meeting.close`: the exact result, appended by the operator.
public struct MeetingClose: Sendable {
    public let meeting: String
    /// The result object as signed; compared byte for byte (JCS) with the recomputed one.
    public let result: JSONValue
}
