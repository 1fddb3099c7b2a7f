public import VecheCore
import VecheCrypto

/// Where a command is being sequenced: the entry it would become.
public struct EntryContext: Sendable {
    public let seq: Int
    public let time: Timestamp
    public let leaf: [UInt8]

    public init(seq: Int, time: Timestamp, leaf: [UInt8]) {
        self.seq = seq
        self.time = time
        self.leaf = leaf
    }
}

/// What the state machine decided for a command.
public enum Decision: Sendable {
    /// Append the entry and apply these effects.
    case append([StateEffect])
    /// An idempotent repeat of the accepted command at this seq: append nothing.
    case repeatOf(seq: Int)
}

/// The one apply function of WIRE.md, used by the live path and by the auditor alike:
/// from ledger state and a signature-checked command, the effects or a typed refusal.
public enum LedgerMachine {
    /// The fingerprint idempotency compares: SHA-256(signer ‖ LF ‖ JCS(command)).
    public static func fingerprint(signer: String, canonicalCommand: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        var signer = signer
        signer.withUTF8 { hasher.update(UnsafeRawBufferPointer($0)) }
        hasher.update([UInt8(0x0A)])
        hasher.update(canonicalCommand)
        return hasher.finalize()
    }

    /// Decides a command whose envelope signature has been verified (WIRE.md steps 4–10).
    ///
    /// - Parameters:
    ///   - command: the command object as signed.
    ///   - canonicalCommand: JCS(command), as already computed for the signature check.
    ///   - signer: the signer key string (canonical).
    ///   - context: the entry this command would become.
    ///   - expectedOrigin: the origin a genesis must name (the server's), or nil to accept any.
    public static func decide(
        command json: JSONValue, canonicalCommand: [UInt8], signer: String, context: EntryContext,
        expectedOrigin: String? = nil, view: some LedgerStateView
    ) throws -> Decision {
        let command = try Command(parsing: json)  // step 4
        let genesis = try view.genesis()

        // Step 5: the ledger this command was signed for.
        if let genesis {
            guard command.ledger == genesis.origin else {
                throw LedgerError(
                    .forbidden, "wrong-ledger", field: "/command/ledger",
                    "the command is for ledger \"\(command.ledger)\", this ledger is \"\(genesis.origin)\"")
            }
        } else if let expectedOrigin, command.ledger != expectedOrigin {
            throw LedgerError(
                .forbidden, "wrong-ledger", field: "/command/ledger",
                "the command is for ledger \"\(command.ledger)\", this ledger is \"\(expectedOrigin)\"")
        }

        // Step 6: idempotency by command id.
        if let existing = try view.command(id: command.id) {
            if existing.fingerprint == fingerprint(signer: signer, canonicalCommand: canonicalCommand) {
                return .repeatOf(seq: existing.seq)
            }
            throw LedgerError(
                .conflict, "id-reused", field: "/command/id",
                "command id \"\(command.id)\" is already used by entry \(existing.seq) with other content or signer")
        }

        guard let genesis else {
            guard case .genesis(let body) = command.body else {
                throw LedgerError(.conflict, "no-genesis", "the ledger has no genesis entry yet")
            }
            return .append(try decideGenesis(body, command: command, signer: signer))
        }
        let rules = Rules(genesis: genesis, signer: signer, context: context, command: command, view: view)
        return .append(try rules.decide())
    }

    private static func decideGenesis(_ body: Genesis, command: Command, signer: String) throws -> [StateEffect] {
        guard signer == body.operatorKey else {
            throw LedgerError(.forbidden, "not-authorised", field: "/signer", "ledger.genesis must be signed by the operator key it names")
        }
        guard !body.registrars.isEmpty else {
            throw LedgerError(.rule, "no-registrars", field: "/command/registrars", "'registrars' must name at least one registrar key")
        }
        guard !body.rulesets.isEmpty else {
            throw LedgerError(.rule, "no-rulesets", field: "/command/rulesets", "'rulesets' must enable at least one rule set")
        }
        return [
            .genesis(
                GenesisRecord(
                    origin: command.ledger, operatorKey: body.operatorKey, registrars: Set(body.registrars),
                    rulesets: body.rulesets))
        ]
    }
}

/// The per-type checks after genesis, in WIRE.md order: references (422), authority (403),
/// conflicts (409), other rules (422).
private struct Rules<View: LedgerStateView> {
    let genesis: GenesisRecord
    let signer: String
    let context: EntryContext
    let command: Command
    let view: View

    var isRegistrar: Bool { genesis.registrars.contains(signer) }

    func decide() throws -> [StateEffect] {
        switch command.body {
        case .genesis:
            throw LedgerError(.conflict, "second-genesis", field: "/command/type", "the ledger already has a genesis entry")
        case .buildingRegister(let body): return try buildingRegister(body)
        case .ownerKey(let body): return try ownerKey(body)
        case .buildingAdministrator(let body): return try administrator(body)
        case .meetingCreate(let body): return try meetingCreate(body)
        case .meetingCancel(let body): return try meetingCancel(body)
        case .proxyGrant(let body): return try proxyGrant(body)
        case .ballotCast(let body): return try ballotCast(body)
        case .ballotPaper(let body): return try ballotPaper(body)
        case .meetingClose(let body): return try meetingClose(body)
        }
    }

    func forbidden(_ message: String) -> LedgerError {
        LedgerError(.forbidden, "not-authorised", field: "/signer", message)
    }

    func requireRegistrar() throws {
        guard isRegistrar else { throw forbidden("\(command.type.rawValue) must be signed by a registrar key") }
    }

    // MARK: registrar commands

    func buildingRegister(_ body: BuildingRegister) throws -> [StateEffect] {
        try requireRegistrar()
        do {
            try body.register.validate()
        } catch {
            throw LedgerError(error)
        }
        return [.registerBuilding(id: body.register.building, register: body.register, command: command.json)]
    }

    func ownerKey(_ body: OwnerKey) throws -> [StateEffect] {
        try requireRegistrar()
        let current = try view.owner(ofKey: body.key)
        switch body.action {
        case .bind:
            if let current {
                throw LedgerError(
                    .conflict, "key-already-bound", field: "/command/key",
                    current == body.owner ? "the key is already bound to this owner" : "the key is already bound to another owner")
            }
            return [.bindKey(key: body.key, owner: body.owner)]
        case .revoke:
            guard current == body.owner else {
                throw LedgerError(.conflict, "key-not-bound", field: "/command/key", "the key is not bound to owner \"\(body.owner)\"")
            }
            return [.revokeKey(key: body.key, owner: body.owner)]
        }
    }

    func knownBuilding(_ id: String) throws -> BuildingRecord {
        guard let building = try view.building(id) else {
            throw LedgerError(.unknownReference, "unknown-building", field: "/command/building", "building \"\(id)\" is not registered")
        }
        return building
    }

    func administrator(_ body: BuildingAdministrator) throws -> [StateEffect] {
        _ = try knownBuilding(body.building)
        try requireRegistrar()
        guard !body.keys.isEmpty else {
            throw LedgerError(.rule, "no-keys", field: "/command/keys", "'keys' must hold at least one administrator key")
        }
        return [
            .setAdministrator(
                building: body.building, AdministratorRecord(keys: Set(body.keys), command: command.json, seq: context.seq))
        ]
    }

    // MARK: meetings

    func isAdministrator(of building: BuildingRecord) -> Bool {
        building.administrator?.keys.contains(signer) ?? false
    }

    func meetingCreate(_ body: MeetingCreate) throws -> [StateEffect] {
        let building = try knownBuilding(body.building)
        guard isAdministrator(of: building) || isRegistrar else {
            throw forbidden("meeting.create must be signed by the building's administrator or a registrar")
        }
        if try view.meeting(body.meeting) != nil {
            throw LedgerError(.conflict, "meeting-exists", field: "/command/meeting", "meeting id \"\(body.meeting)\" is already used")
        }
        guard genesis.rulesets.contains(body.rules) else {
            throw LedgerError(.rule, "ruleset-not-enabled", field: "/command/rules", "rule set \"\(body.rules.rawValue)\" is not enabled by this ledger's genesis")
        }
        do {
            try MeetingRules.check(meeting: body.spec, form: body.form, createdAt: context.time, quorumGiven: body.quorum != nil)
        } catch {
            throw LedgerError(error)
        }
        let record = MeetingRecord(
            id: body.meeting, building: body.building, spec: body.spec, form: body.form, createCommand: command.json,
            createdSeq: context.seq, createdAt: context.time, register: building.register,
            registerLeaf: building.registerLeaf)
        return [.createMeeting(record)]
    }

    func knownMeeting(_ id: String) throws -> MeetingRecord {
        guard let meeting = try view.meeting(id) else {
            throw LedgerError(.unknownReference, "unknown-meeting", field: "/command/meeting", "meeting \"\(id)\" does not exist")
        }
        return meeting
    }

    func administratorKeys(of meeting: MeetingRecord) throws -> Set<String> {
        try view.building(meeting.building)?.administrator?.keys ?? []
    }

    func meetingCancel(_ body: MeetingCancel) throws -> [StateEffect] {
        let meeting = try knownMeeting(body.meeting)
        guard try administratorKeys(of: meeting).contains(signer) || isRegistrar else {
            throw forbidden("meeting.cancel must be signed by the building's administrator or a registrar")
        }
        if meeting.cancelledSeq != nil {
            throw LedgerError(.conflict, "meeting-cancelled", field: "/command/meeting", "the meeting is already cancelled")
        }
        if meeting.closedSeq != nil || context.time >= meeting.spec.closesAt {
            throw LedgerError(.conflict, "meeting-over", field: "/command/meeting", "the meeting's voting has ended; it can no longer be cancelled")
        }
        return [.cancelMeeting(id: meeting.id)]
    }

    /// The meeting must still take ballots and grants: not cancelled, not closed, not past closes_at.
    func requireNotOver(_ meeting: MeetingRecord) throws {
        if meeting.cancelledSeq != nil {
            throw LedgerError(.conflict, "meeting-cancelled", field: "/command/meeting", "the meeting is cancelled")
        }
        if meeting.closedSeq != nil || context.time >= meeting.spec.closesAt {
            throw LedgerError(.conflict, "meeting-closed", field: "/command/meeting", "the meeting's voting has ended")
        }
    }

    func requireOwnerInRegister(_ owner: String, _ meeting: MeetingRecord, tally: Tally) throws {
        guard tally.holdsStakes(owner: owner) else {
            throw LedgerError(
                .unknownReference, "unknown-owner", field: "/command/owner",
                "owner \"\(owner)\" holds no stakes in the meeting's register")
        }
    }

    /// The meeting's live tally. A view may drop the tallies of finished meetings (the
    /// auditor does); then a fresh one over the frozen register still judges references the
    /// same way, and the meeting's state refuses everything else.
    func tally(of meeting: MeetingRecord) throws -> Tally {
        try view.tally(ofMeeting: meeting.id) ?? Tally(meeting: meeting.spec, register: meeting.register)
    }

    func proxyGrant(_ body: ProxyGrant) throws -> [StateEffect] {
        let meeting = try knownMeeting(body.meeting)
        try requireOwnerInRegister(body.owner, meeting, tally: try tally(of: meeting))
        let ownGrant = try view.owner(ofKey: signer) == body.owner
        let administratorGrant = try !ownGrant && administratorKeys(of: meeting).contains(signer)
        guard ownGrant || administratorGrant else {
            throw forbidden("proxy.grant must be signed by a key bound to the owner, or by the building's administrator")
        }
        try requireNotOver(meeting)
        if meeting.proxies[body.owner]?.contains(body.proxy) == true {
            throw LedgerError(.conflict, "proxy-already-granted", field: "/command/proxy", "this proxy key is already granted for this owner and meeting")
        }
        if administratorGrant && body.document == nil {
            throw LedgerError(
                .rule, "document-required", field: "/command/document",
                "an administrator's proxy.grant must carry 'document', the SHA-256 of the paper power of attorney")
        }
        return [.grantProxy(meeting: meeting.id, owner: body.owner, key: body.proxy)]
    }

    func ballotCast(_ body: BallotCast) throws -> [StateEffect] {
        let meeting = try knownMeeting(body.meeting)
        let tally = try tally(of: meeting)
        let ownBallot = try view.owner(ofKey: signer) == body.owner
        let source: BallotSource = ownBallot ? .own : .proxy
        let ballot = Ballot(owner: body.owner, source: source, choices: body.choices.mapValues { .single($0) }, time: context.time)
        try checkReferences(ballot, tally)
        if !ownBallot {
            guard meeting.proxies[body.owner]?.contains(signer) == true else {
                throw forbidden("ballot.cast must be signed by a key bound to the owner or granted as the owner's proxy for this meeting")
            }
        }
        return try admit(ballot, meeting, tally)
    }

    func ballotPaper(_ body: BallotPaper) throws -> [StateEffect] {
        let meeting = try knownMeeting(body.meeting)
        let tally = try tally(of: meeting)
        let ballot = Ballot(owner: body.owner, source: .paper, choices: body.choices, time: context.time)
        try checkReferences(ballot, tally)
        guard try administratorKeys(of: meeting).contains(signer) else {
            throw forbidden("ballot.paper must be signed by the building's administrator")
        }
        return try admit(ballot, meeting, tally)
    }

    func checkReferences(_ ballot: Ballot, _ tally: Tally) throws {
        do {
            try tally.checkReferences(ballot)
        } catch {
            throw LedgerError(refusal: error)
        }
    }

    func admit(_ ballot: Ballot, _ meeting: MeetingRecord, _ tally: Tally) throws -> [StateEffect] {
        try requireNotOver(meeting)
        do {
            try tally.check(ballot)
        } catch {
            throw LedgerError(refusal: error)
        }
        return [.admitBallot(meeting: meeting.id, ballot)]
    }

    func meetingClose(_ body: MeetingClose) throws -> [StateEffect] {
        let meeting = try knownMeeting(body.meeting)
        guard signer == genesis.operatorKey else {
            throw forbidden("meeting.close must be signed by the operator")
        }
        if meeting.cancelledSeq != nil {
            throw LedgerError(.conflict, "meeting-cancelled", field: "/command/meeting", "a cancelled meeting is not closed")
        }
        if meeting.closedSeq != nil {
            throw LedgerError(.conflict, "meeting-closed", field: "/command/meeting", "the meeting is already closed")
        }
        if context.time < meeting.spec.closesAt {
            throw LedgerError(.conflict, "meeting-open", field: "/command/meeting", "the meeting's voting has not ended yet")
        }
        let expected = ResultJSON.encode(try tally(of: meeting).result())
        guard body.result == expected else {
            throw LedgerError(
                .rule, "result-mismatch", field: "/command/result",
                "the result differs from the one recomputed from the ledger: expected \(String(decoding: CanonicalJSON.serialize(expected), as: UTF8.self))")
        }
        return [.closeMeeting(id: meeting.id, result: body.result)]
    }
}

extension LedgerError {
    /// Translates a ballot refusal of the counting engine.
    public init(refusal: BallotRefusal) {
        let kind: Kind = refusal.code == .unknownReference ? .unknownReference : .conflict
        let field: String? =
            switch refusal {
            case .unknownItem(let item): LedgerError.commandPointer([.key("choices"), .key(item)])
            case .unknownOwner: "/command/owner"
            default: "/command/meeting"
            }
        self.init(kind, refusal.reason, field: field, refusal.message)
    }
}
