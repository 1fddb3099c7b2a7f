public import VecheCore

/// The ledger's identity and authorities, from `ledger.genesis`.
public struct GenesisRecord: Sendable, Equatable {
    public let origin: String
    public let operatorKey: String
    public let registrars: Set<String>
    public let rulesets: Set<RuleSet>

    public init(origin: String, operatorKey: String, registrars: Set<String>, rulesets: Set<RuleSet>) {
        self.origin = origin
        self.operatorKey = operatorKey
        self.registrars = registrars
        self.rulesets = rulesets
    }
}

/// What idempotency needs to know of an accepted command.
public struct CommandRecord: Sendable, Equatable {
    /// The seq of the entry that holds it.
    public let seq: Int
    /// SHA-256(signer ‖ 0x0A ‖ JCS(command)): equal iff the same signer signed the same bytes.
    public let fingerprint: [UInt8]

    public init(seq: Int, fingerprint: [UInt8]) {
        self.seq = seq
        self.fingerprint = fingerprint
    }
}

/// A building's current register and administrator.
public struct BuildingRecord: Sendable {
    public let id: String
    /// The latest register snapshot.
    public var register: Register
    /// The `building.register` command object as signed.
    public var registerCommand: JSONValue
    /// Seq and leaf hash of the entry holding that register.
    public var registerSeq: Int
    public var registerLeaf: [UInt8]
    /// The current administrator, if one was set.
    public var administrator: AdministratorRecord?
    /// Meeting ids created for this building, in ledger order.
    public var meetings: [String]

    public init(
        id: String, register: Register, registerCommand: JSONValue, registerSeq: Int, registerLeaf: [UInt8],
        administrator: AdministratorRecord?, meetings: [String]
    ) {
        self.id = id
        self.register = register
        self.registerCommand = registerCommand
        self.registerSeq = registerSeq
        self.registerLeaf = registerLeaf
        self.administrator = administrator
        self.meetings = meetings
    }
}

/// The administrator of a building, from the latest `building.administrator`.
public struct AdministratorRecord: Sendable {
    public let keys: Set<String>
    /// The command object as signed.
    public let command: JSONValue
    public let seq: Int

    public init(keys: Set<String>, command: JSONValue, seq: Int) {
        self.keys = keys
        self.command = command
        self.seq = seq
    }
}

/// A meeting and its frozen register.
public struct MeetingRecord: Sendable {
    public let id: String
    public let building: String
    public let spec: MeetingSpec
    public let form: MeetingForm
    /// The `meeting.create` command object as signed.
    public var createCommand: JSONValue
    public let createdSeq: Int
    public let createdAt: Timestamp
    /// The register in force at creation (frozen for this meeting) and its entry's leaf.
    public let register: Register
    public let registerLeaf: [UInt8]
    /// Seq of the cancelling entry, if cancelled.
    public var cancelledSeq: Int?
    /// Seq of the `meeting.close` entry, once closed.
    public var closedSeq: Int?
    /// The closing result object, once closed.
    public var result: JSONValue?
    /// Granted proxy keys per owner.
    public var proxies: [String: Set<String>]

    public init(
        id: String, building: String, spec: MeetingSpec, form: MeetingForm, createCommand: JSONValue,
        createdSeq: Int, createdAt: Timestamp, register: Register, registerLeaf: [UInt8],
        cancelledSeq: Int? = nil, closedSeq: Int? = nil, result: JSONValue? = nil,
        proxies: [String: Set<String>] = [:]
    ) {
        self.id = id
        self.building = building
        self.spec = spec
        self.form = form
        self.createCommand = createCommand
        self.createdSeq = createdSeq
        self.createdAt = createdAt
        self.register = register
        self.registerLeaf = registerLeaf
        self.cancelledSeq = cancelledSeq
        self.closedSeq = closedSeq
        self.result = result
        self.proxies = proxies
    }

    /// WIRE.md status at `now`.
    public func status(at now: Timestamp) -> MeetingStatus {
        if cancelledSeq != nil { return .cancelled }
        if closedSeq != nil { return .closed }
        if now < spec.opensAt { return .scheduled }
        if now < spec.closesAt { return .open }
        return .counting
    }
}

/// A meeting's status (WIRE.md `GET /v1/meetings/{id}`).
public enum MeetingStatus: String, Sendable {
    case scheduled
    case open
    case counting
    case closed
    case cancelled
}

/// What the state machine reads: implemented in memory (tests, `veche verify`) and over
/// SQLite (the server), so both decide from the same rules.
public protocol LedgerStateView {
    /// The genesis, once appended.
    func genesis() throws -> GenesisRecord?
    /// The next seq (the number of entries applied).
    func size() throws -> Int
    /// The accepted command with this id.
    func command(id: String) throws -> CommandRecord?
    /// A building by id.
    func building(_ id: String) throws -> BuildingRecord?
    /// The owner a key is currently bound to.
    func owner(ofKey key: String) throws -> String?
    /// A meeting by id.
    func meeting(_ id: String) throws -> MeetingRecord?
    /// The live tally of a meeting (its ballots admitted in ledger order).
    func tally(ofMeeting id: String) throws -> Tally?
}

/// One change an accepted entry makes to the state; stores persist these together with
/// the entry, in one transaction.
public enum StateEffect: Sendable {
    case genesis(GenesisRecord)
    case registerBuilding(id: String, register: Register, command: JSONValue)
    case bindKey(key: String, owner: String)
    case revokeKey(key: String, owner: String)
    case setAdministrator(building: String, AdministratorRecord)
    case createMeeting(MeetingRecord)
    case cancelMeeting(id: String)
    case grantProxy(meeting: String, owner: String, key: String)
    case admitBallot(meeting: String, Ballot)
    case closeMeeting(id: String, result: JSONValue)
}
