public import VecheCore
public import VecheLedger

/// Everything a protocol shows about one meeting, taken from ledger entries and checked.
///
/// Built from entries, not from a store's state, so it works the same over the in-memory
/// ledger, the SQLite store and an election record: the caller hands over the accepted
/// entries in ledger order (the whole ledger is fine) and the checkpoint note, and this type
/// picks out the meeting's entries, re-runs the counting and refuses when anything disagrees.
/// The numbers it holds are the ones the `meeting.close` entry carries; the recomputation
/// only confirms them.
public struct ProtocolInput: Sendable {
    /// Where the meeting stands in the entries given.
    public enum Status: String, Sendable, Hashable {
        /// A `meeting.close` holds the final result.
        case closed
        /// No close yet: the numbers are the live count (voting open or awaiting the close).
        case preliminary
        /// A `meeting.cancel` ended it; there is no result.
        case cancelled
    }

    /// How a ballot reached the ledger (annex 2).
    public enum BallotKind: String, Sendable, Hashable {
        /// `ballot.cast` signed by a key bound to the owner.
        case electronic
        /// `ballot.cast` signed by a key granted as the owner's proxy for this meeting.
        case proxy
        /// `ballot.paper` entered by the administrator.
        case paper
    }

    /// A ledger entry's place: seq, ledger time and leaf hash.
    public struct EntryRef: Sendable, Hashable {
        /// Position in the ledger.
        public let seq: Int
        /// Ledger time of the entry.
        public let time: Timestamp
        /// Leaf hash, SHA-256(0x00 ‖ JCS(entry)).
        public let leaf: [UInt8]

        /// The leaf hash as lowercase hex.
        public var leafHex: String { HexText.encode(leaf) }
    }

    /// The managing organisation at the time of the protocol (`building.administrator`).
    public struct Administrator: Sendable, Hashable {
        /// Organisation name.
        public let name: String
        /// ИНН, when the registrar gave one.
        public let inn: String?
        /// The entry that set it.
        public let entry: EntryRef
    }

    /// One accepted ballot and whether it counts.
    public struct BallotRecord: Sendable, Hashable {
        /// The entry holding it.
        public let entry: EntryRef
        /// The owner whose stakes it covers.
        public let owner: String
        /// Electronic, proxy or paper.
        public let kind: BallotKind
        /// The key that signed the entry (the owner's, the proxy's or the administrator's).
        public let signer: String
        /// SHA-256 of the paper scan (paper ballots only).
        public let scan: String?
        /// Stakes of the owner this ballot is effective for, after every later ballot.
        public let effectiveStakes: Int
        /// Stakes of the owner in the frozen register.
        public let stakes: Int

        /// Whether the ballot counts for at least one stake.
        public var isEffective: Bool { effectiveStakes > 0 }
    }

    /// One `proxy.grant` for the meeting.
    public struct ProxyRecord: Sendable, Hashable {
        /// The entry holding it.
        public let entry: EntryRef
        /// The owner represented.
        public let owner: String
        /// The key granted.
        public let proxy: String
        /// SHA-256 of the paper power of attorney, when entered by the administrator.
        public let document: String?
    }

    /// The `meeting.cancel` of a cancelled meeting.
    public struct Cancellation: Sendable, Hashable {
        /// The reason as stated in the command.
        public let reason: String
        /// The cancelling entry.
        public let entry: EntryRef
    }

    /// The meeting as created (title, form, agenda, window…).
    public let meeting: MeetingCreate
    /// The ledger origin the commands name.
    public let origin: String
    /// The `meeting.create` entry.
    public let created: EntryRef
    /// The frozen register: the latest `building.register` of the building before the create.
    public let register: Register
    /// The entry of that register.
    public let registerEntry: EntryRef
    /// The latest administrator before the close or cancel (or the latest given), if any.
    public let administrator: Administrator?
    /// Proxy grants for the meeting, in ledger order.
    public let proxies: [ProxyRecord]
    /// Ballots for the meeting, in ledger order.
    public let ballots: [BallotRecord]
    /// Closed, preliminary or cancelled.
    public let status: Status
    /// Set when cancelled.
    public let cancellation: Cancellation?
    /// The `meeting.close` entry, when closed.
    public let closed: EntryRef?
    /// The exact result: the close's (closed), the live count (preliminary), nil (cancelled).
    public let result: MeetingResult?
    /// The result object: the close's as signed (closed), the live count's (preliminary).
    public let resultJSON: JSONValue?
    /// The checkpoint the entries are covered by.
    public let checkpoint: SignedCheckpoint
    /// Owner id → name, only for an authorised reader (`--names`).
    public let names: [String: String]?
    /// Ledger time of the last entry given: what a preliminary protocol is current as of.
    public let asOf: Timestamp

    /// Builds the protocol input of `meeting` from accepted ledger entries in ledger order.
    ///
    /// Picks out the `meeting.create`; the frozen register (the latest `building.register` of
    /// the building before the create); the latest `building.administrator` before the close
    /// or cancel; `owner.key` entries (to tell own ballots from proxy ballots, as the ledger
    /// did); the meeting's `proxy.grant`, `ballot.cast`, `ballot.paper`, `meeting.cancel` and
    /// `meeting.close`. Every picked entry's leaf must be its hash; the checkpoint must name
    /// the same ledger and cover every picked entry; the ballots are counted again and must
    /// give exactly the close's result.
    /// - Parameters:
    ///   - meeting: the meeting id.
    ///   - entries: accepted entries with their leaf hashes, in ledger order.
    ///   - checkpoint: the signed checkpoint note text (not verified here: the caller holds the key).
    ///   - names: owner id → name, shown only when given.
    public init(
        meeting id: String, entries: [(entry: LedgerEntry, leaf: [UInt8])], checkpoint note: String,
        names: [String: String]? = nil
    ) throws(ProtocolError) {
        let checkpoint: SignedCheckpoint
        do {
            checkpoint = try SignedCheckpoint(parsing: note)
        } catch {
            throw ProtocolError(.badCheckpoint, "the checkpoint note does not parse: \(error)")
        }
        var extract = Extract(meeting: id)
        var lastSeq = -1
        for (entry, leaf) in entries {
            guard entry.seq > lastSeq else {
                throw ProtocolError(.inconsistentEntries, seq: entry.seq, "entries must be given in ledger order, each seq once (after seq \(lastSeq))")
            }
            lastSeq = entry.seq
            try extract.take(entry, leaf: leaf)
        }
        guard let create = extract.create else {
            throw ProtocolError(.meetingNotFound, "no meeting.create for meeting \"\(id)\" among the \(entries.count) entries given")
        }
        guard let register = extract.register, let tally = extract.tally else {
            throw ProtocolError(.inconsistentEntries, seq: create.ref.seq, "no building.register of building \"\(create.body.building)\" precedes the meeting.create")
        }
        guard checkpoint.checkpoint.origin == create.origin else {
            throw ProtocolError(.badCheckpoint, "the checkpoint is for ledger \"\(checkpoint.checkpoint.origin)\", the meeting's commands for \"\(create.origin)\"")
        }
        guard checkpoint.checkpoint.size > extract.lastPickedSeq else {
            throw ProtocolError(.badCheckpoint, seq: extract.lastPickedSeq, "the checkpoint covers \(checkpoint.checkpoint.size) entries and does not include this entry of the meeting")
        }

        meeting = create.body
        origin = create.origin
        created = create.ref
        self.register = register.body
        registerEntry = register.ref
        administrator = extract.administrator
        proxies = extract.proxies
        cancellation = extract.cancellation
        closed = extract.close?.ref
        self.checkpoint = checkpoint
        self.names = names
        asOf = entries.last?.entry.time ?? create.ref.time

        let stakesByOwner = register.body.stakesByOwner
        let counts = tally.effectiveStakeCounts
        ballots = extract.ballots.enumerated().map { index, pending in
            BallotRecord(
                entry: pending.ref, owner: pending.owner, kind: pending.kind, signer: pending.signer, scan: pending.scan,
                effectiveStakes: counts[index], stakes: stakesByOwner[pending.owner]?.count ?? 0)
        }

        let recomputed = tally.result()
        if let close = extract.close {
            status = .closed
            let expected = ResultJSON.encode(recomputed)
            if let difference = JSONDifference.first(close.result, expected, path: "result") {
                throw ProtocolError(.resultMismatch, seq: close.ref.seq, "the meeting.close result differs from the count of the ballots: \(difference)")
            }
            let parsed = try ResultReader.read(close.result, seq: close.ref.seq)
            guard parsed == recomputed else {
                throw ProtocolError(.resultMismatch, seq: close.ref.seq, "the meeting.close result does not read back as the recomputed result")
            }
            result = parsed
            resultJSON = close.result
        } else if extract.cancellation != nil {
            status = .cancelled
            result = nil
            resultJSON = nil
        } else {
            status = .preliminary
            result = recomputed
            resultJSON = ResultJSON.encode(recomputed)
        }
    }

    /// The owner's name when names were given and the owner has one.
    public func name(of owner: String) -> String? { names?[owner] }

    /// Reads an election record (WIRE.md: JCS(entry) per line, then the checkpoint line) into
    /// the entries and checkpoint note `init(meeting:entries:checkpoint:names:)` takes.
    ///
    /// Leaf hashes are computed from the line bytes, which are the hashed bytes. The record is
    /// not verified beyond its shape: `veche verify` does that.
    public static func readRecord(_ bytes: [UInt8]) throws(ProtocolError) -> (entries: [(entry: LedgerEntry, leaf: [UInt8])], checkpoint: String) {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        guard lines.last?.isEmpty == true else {
            throw ProtocolError(.inconsistentEntries, "the record must end with a line feed")
        }
        lines.removeLast()
        guard let last = lines.popLast(), let note = ElectionRecord.checkpointNote(inLine: Array(last)) else {
            throw ProtocolError(.badCheckpoint, "the record's last line must be {\"checkpoint\": …}")
        }
        var entries: [(entry: LedgerEntry, leaf: [UInt8])] = []
        entries.reserveCapacity(lines.count)
        for (number, line) in lines.enumerated() {
            let bytes = Array(line)
            do {
                let entry = try LedgerEntry(json: try CanonicalJSON.parse(bytes, limits: JSONLimits(maxDocumentBytes: ElectionRecord.maxLineBytes)))
                entries.append((entry, LedgerEntry.leafHash(canonicalBytes: bytes)))
            } catch {
                throw ProtocolError(.inconsistentEntries, seq: number, "line \(number + 1) is not a ledger entry: \(error)")
            }
        }
        return (entries, note)
    }
}

/// The single pass over the entries: what `ProtocolInput` keeps of them.
private struct Extract {
    let meeting: String

    struct Picked<Body> {
        let body: Body
        let ref: ProtocolInput.EntryRef
    }

    struct PendingBallot {
        let ref: ProtocolInput.EntryRef
        let owner: String
        let kind: ProtocolInput.BallotKind
        let signer: String
        let scan: String?
    }

    var create: (body: MeetingCreate, origin: String, ref: ProtocolInput.EntryRef)?
    var register: Picked<Register>?
    /// The latest register and administrator entry of every building before the create, kept
    /// unparsed: the meeting's building is known only at the create, and a whole ledger may
    /// hold many buildings.
    var registers: [String: (entry: LedgerEntry, leaf: [UInt8])] = [:]
    var administrators: [String: (entry: LedgerEntry, leaf: [UInt8])] = [:]
    var administrator: ProtocolInput.Administrator?
    var keyOwners: [String: String] = [:]
    var grants: [String: Set<String>] = [:]
    var proxies: [ProtocolInput.ProxyRecord] = []
    var ballots: [PendingBallot] = []
    var tally: Tally?
    var cancellation: ProtocolInput.Cancellation?
    var close: (result: JSONValue, ref: ProtocolInput.EntryRef)?
    var lastPickedSeq = -1

    init(meeting: String) { self.meeting = meeting }

    var isOver: Bool { cancellation != nil || close != nil }

    mutating func take(_ entry: LedgerEntry, leaf: [UInt8]) throws(ProtocolError) {
        guard let type = entry.command["type"]?.stringValue else { return }
        switch type {
        case CommandType.ownerKey.rawValue:
            guard case .ownerKey(let body) = try parse(entry).body else { return }
            switch body.action {
            case .bind: keyOwners[body.key] = body.owner
            case .revoke: keyOwners[body.key] = nil
            }
        case CommandType.buildingRegister.rawValue:
            // Only registers before the create can be frozen into it; later ones are irrelevant.
            guard create == nil, let building = entry.command["building"]?.stringValue else { return }
            registers[building] = (entry, leaf)
        case CommandType.buildingAdministrator.rawValue:
            guard !isOver, let building = entry.command["building"]?.stringValue else { return }
            if let create {
                guard building == create.body.building else { return }
                administrator = try administratorRecord(entry, leaf)
            } else {
                administrators[building] = (entry, leaf)
            }
        default:
            guard entry.command["meeting"]?.stringValue == meeting else { return }
            try takeMeetingEntry(entry, leaf: leaf)
        }
    }

    private mutating func takeMeetingEntry(_ entry: LedgerEntry, leaf: [UInt8]) throws(ProtocolError) {
        let command = try parse(entry)
        if case .meetingCreate(let body) = command.body {
            guard create == nil else {
                throw ProtocolError(.inconsistentEntries, seq: entry.seq, "a second meeting.create for meeting \"\(meeting)\"")
            }
            let ref = try pick(entry, leaf)
            create = (body, command.ledger, ref)
            if let (registerEntry, registerLeaf) = registers[body.building] {
                guard case .buildingRegister(let frozen) = try parse(registerEntry).body else {
                    throw ProtocolError(.inconsistentEntries, seq: registerEntry.seq, "not a building.register")
                }
                // The ledger validated this register when it accepted it; a broken one here
                // means the entries are not what the ledger accepted.
                do {
                    try frozen.register.validate()
                } catch {
                    throw ProtocolError(.inconsistentEntries, seq: registerEntry.seq, "the frozen register is not valid: \(error)")
                }
                register = Picked(body: frozen.register, ref: try pick(registerEntry, registerLeaf))
                tally = Tally(meeting: body.spec, register: frozen.register)
            }
            if let (administratorEntry, administratorLeaf) = administrators[body.building] {
                administrator = try administratorRecord(administratorEntry, administratorLeaf)
            }
            registers = [:]
            administrators = [:]
            return
        }
        guard create != nil, var tally else {
            throw ProtocolError(.inconsistentEntries, seq: entry.seq, "\(command.type.rawValue) for meeting \"\(meeting)\" before its meeting.create and frozen register")
        }
        guard !isOver else {
            throw ProtocolError(.inconsistentEntries, seq: entry.seq, "\(command.type.rawValue) after the meeting was \(close != nil ? "closed" : "cancelled")")
        }
        switch command.body {
        case .proxyGrant(let body):
            let ref = try pick(entry, leaf)
            grants[body.owner, default: []].insert(body.proxy)
            proxies.append(ProtocolInput.ProxyRecord(entry: ref, owner: body.owner, proxy: body.proxy, document: body.document))
        case .ballotCast(let body):
            let ref = try pick(entry, leaf)
            // The ledger's own rule (LedgerMachine): own iff the signer is bound to the owner now.
            let kind: ProtocolInput.BallotKind
            if keyOwners[entry.signer] == body.owner {
                kind = .electronic
            } else if grants[body.owner]?.contains(entry.signer) == true {
                kind = .proxy
            } else {
                throw ProtocolError(.inconsistentEntries, seq: entry.seq, "the signer of this ballot is neither bound to owner \"\(body.owner)\" nor granted as a proxy in the entries given (pass the owner.key entries, e.g. the whole ledger)")
            }
            let ballot = Ballot(owner: body.owner, source: kind == .proxy ? .proxy : .own, choices: body.choices.mapValues { .single($0) }, time: entry.time)
            try admit(ballot, into: &tally, seq: entry.seq)
            ballots.append(PendingBallot(ref: ref, owner: body.owner, kind: kind, signer: entry.signer, scan: nil))
        case .ballotPaper(let body):
            let ref = try pick(entry, leaf)
            try admit(Ballot(owner: body.owner, source: .paper, choices: body.choices, time: entry.time), into: &tally, seq: entry.seq)
            ballots.append(PendingBallot(ref: ref, owner: body.owner, kind: .paper, signer: entry.signer, scan: body.scan))
        case .meetingCancel(let body):
            cancellation = ProtocolInput.Cancellation(reason: body.reason, entry: try pick(entry, leaf))
        case .meetingClose(let body):
            close = (body.result, try pick(entry, leaf))
        default:
            return
        }
        self.tally = tally
    }

    private mutating func administratorRecord(_ entry: LedgerEntry, _ leaf: [UInt8]) throws(ProtocolError) -> ProtocolInput.Administrator {
        guard case .buildingAdministrator(let body) = try parse(entry).body else {
            throw ProtocolError(.inconsistentEntries, seq: entry.seq, "not a building.administrator")
        }
        return ProtocolInput.Administrator(name: body.organizationName, inn: body.inn, entry: try pick(entry, leaf))
    }

    private func admit(_ ballot: Ballot, into tally: inout Tally, seq: Int) throws(ProtocolError) {
        do throws(BallotRefusal) {
            try tally.admit(ballot)
        } catch {
            throw ProtocolError(.inconsistentEntries, seq: seq, "the counting refuses this ballot, which the ledger should not have accepted: \(error)")
        }
    }

    private func parse(_ entry: LedgerEntry) throws(ProtocolError) -> Command {
        do {
            return try Command(parsing: entry.command)
        } catch {
            throw ProtocolError(.inconsistentEntries, seq: entry.seq, "the command does not parse: \(error)")
        }
    }

    /// Confirms the leaf is the entry's hash and notes the entry as one the protocol shows.
    private mutating func pick(_ entry: LedgerEntry, _ leaf: [UInt8]) throws(ProtocolError) -> ProtocolInput.EntryRef {
        guard LedgerEntry.leafHash(canonicalBytes: entry.canonicalBytes) == leaf else {
            throw ProtocolError(.inconsistentEntries, seq: entry.seq, "the leaf hash given is not the hash of the entry")
        }
        lastPickedSeq = max(lastPickedSeq, entry.seq)
        return ProtocolInput.EntryRef(seq: entry.seq, time: entry.time, leaf: leaf)
    }
}

/// Lowercase hex, for leaf hashes in documents.
enum HexText {
    private static let digits = Array("0123456789abcdef")

    static func encode(_ bytes: [UInt8]) -> String {
        var text = ""
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return text
    }
}
