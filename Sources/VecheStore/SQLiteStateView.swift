import VecheCore
import VecheLedger

/// The ledger state over the SQLite projections, with caches of what the rules read often.
///
/// Owned by one thread at a time (the sequencer, or one reader); not Sendable. When a
/// transaction rolls back, `invalidate()` drops every cache so nothing uncommitted survives.
final class SQLiteStateView: LedgerStateView {
    let db: SQLiteConnection
    private var genesisRecord: GenesisRecord?
    private var entryCount: Int
    private var buildings: [String: BuildingRecord] = [:]
    private var meetings: [String: MeetingRecord] = [:]
    private var tallies: [String: Tally] = [:]

    init(db: SQLiteConnection) throws {
        self.db = db
        self.entryCount = Int(try db.scalarInt("SELECT COALESCE(MAX(seq) + 1, 0) FROM entries") ?? 0)
        if entryCount > 0 { genesisRecord = try Self.loadGenesis(db) }
    }

    // MARK: reading entries

    /// The canonical bytes of entry `seq`.
    static func body(_ db: SQLiteConnection, seq: Int) throws -> [UInt8] {
        let statement = try db.statement("SELECT body FROM entries WHERE seq = ?")
        try statement.bind([.int(Int64(seq))])
        guard try statement.step() else { throw StoreError(.corrupt, "entry \(seq) is missing from the database") }
        return statement.blob(0)
    }

    /// The leaf hash of entry `seq`.
    static func leaf(_ db: SQLiteConnection, seq: Int) throws -> [UInt8] {
        let statement = try db.statement("SELECT leaf FROM entries WHERE seq = ?")
        try statement.bind([.int(Int64(seq))])
        guard try statement.step() else { throw StoreError(.corrupt, "entry \(seq) is missing from the database") }
        return statement.blob(0)
    }

    /// Entry `seq`, parsed.
    static func entry(_ db: SQLiteConnection, seq: Int) throws -> LedgerEntry {
        let bytes = try body(db, seq: seq)
        do {
            return try LedgerEntry(json: try CanonicalJSON.parse(bytes, limits: JSONLimits(maxDocumentBytes: ElectionRecord.maxLineBytes)))
        } catch {
            throw StoreError(.corrupt, "entry \(seq) in the database does not parse: \(error)")
        }
    }

    /// The typed command of entry `seq` (it was accepted, so it parses).
    static func command(_ db: SQLiteConnection, seq: Int) throws -> (entry: LedgerEntry, command: Command) {
        let entry = try entry(db, seq: seq)
        do {
            return (entry, try Command(parsing: entry.command))
        } catch {
            throw StoreError(.corrupt, "the command of entry \(seq) no longer parses: \(error)")
        }
    }

    static func loadGenesis(_ db: SQLiteConnection) throws -> GenesisRecord {
        let (_, command) = try command(db, seq: 0)
        guard case .genesis(let genesis) = command.body else {
            throw StoreError(.corrupt, "entry 0 is not a ledger.genesis")
        }
        return GenesisRecord(
            origin: command.ledger, operatorKey: genesis.operatorKey, registrars: Set(genesis.registrars), rulesets: genesis.rulesets)
    }

    // MARK: LedgerStateView

    func genesis() -> GenesisRecord? { genesisRecord }
    func size() -> Int { entryCount }

    func command(id: String) throws -> CommandRecord? {
        let statement = try db.statement("SELECT seq, fingerprint FROM commands WHERE id = ?")
        try statement.bind([.text(id)])
        guard try statement.step() else { return nil }
        let record = CommandRecord(seq: statement.int(0), fingerprint: statement.blob(1))
        // Byte-exact: SQLite compares TEXT with memcmp, but be explicit about the contract.
        return record
    }

    func owner(ofKey key: String) throws -> String? {
        let statement = try db.statement("SELECT owner FROM owner_keys WHERE key = ?")
        try statement.bind([.text(key)])
        return try statement.step() ? statement.text(0) : nil
    }

    func building(_ id: String) throws -> BuildingRecord? {
        if let cached = buildings[id] { return cached }
        let statement = try db.statement("SELECT register_seq, administrator_seq FROM buildings WHERE id = ?")
        try statement.bind([.text(id)])
        guard try statement.step() else { return nil }
        let registerSeq = statement.int(0)
        let administratorSeq: Int? = statement.isNull(1) ? nil : statement.int(1)
        let (registerEntry, registerCommand) = try Self.command(db, seq: registerSeq)
        guard case .buildingRegister(let body) = registerCommand.body else {
            throw StoreError(.corrupt, "entry \(registerSeq) is not a building.register")
        }
        var administrator: AdministratorRecord?
        if let administratorSeq {
            let (entry, command) = try Self.command(db, seq: administratorSeq)
            guard case .buildingAdministrator(let admin) = command.body else {
                throw StoreError(.corrupt, "entry \(administratorSeq) is not a building.administrator")
            }
            administrator = AdministratorRecord(keys: Set(admin.keys), command: entry.command, seq: administratorSeq)
        }
        var meetingIDs: [String] = []
        let list = try db.statement("SELECT id FROM meetings WHERE building = ? ORDER BY create_seq")
        try list.bind([.text(id)])
        while try list.step() { meetingIDs.append(list.text(0)) }
        let record = BuildingRecord(
            id: id, register: body.register, registerCommand: registerEntry.command, registerSeq: registerSeq,
            registerLeaf: try Self.leaf(db, seq: registerSeq), administrator: administrator, meetings: meetingIDs)
        buildings[id] = record
        return record
    }

    func meeting(_ id: String) throws -> MeetingRecord? {
        if let cached = meetings[id] { return cached }
        guard let record = try Self.loadMeeting(db, id: id) else { return nil }
        meetings[id] = record
        return record
    }

    static func loadMeeting(_ db: SQLiteConnection, id: String) throws -> MeetingRecord? {
        let statement = try db.statement(
            "SELECT building, create_seq, register_seq, cancelled_seq, closed_seq FROM meetings WHERE id = ?")
        try statement.bind([.text(id)])
        guard try statement.step() else { return nil }
        let building = statement.text(0)
        let createSeq = statement.int(1)
        let registerSeq = statement.int(2)
        let cancelledSeq: Int? = statement.isNull(3) ? nil : statement.int(3)
        let closedSeq: Int? = statement.isNull(4) ? nil : statement.int(4)
        let (createEntry, createCommand) = try command(db, seq: createSeq)
        guard case .meetingCreate(let create) = createCommand.body else {
            throw StoreError(.corrupt, "entry \(createSeq) is not a meeting.create")
        }
        let (_, registerCommand) = try command(db, seq: registerSeq)
        guard case .buildingRegister(let register) = registerCommand.body else {
            throw StoreError(.corrupt, "entry \(registerSeq) is not a building.register")
        }
        var proxies: [String: Set<String>] = [:]
        let grants = try db.statement("SELECT owner, key FROM proxies WHERE meeting = ?")
        try grants.bind([.text(id)])
        while try grants.step() { proxies[grants.text(0), default: []].insert(grants.text(1)) }
        var result: JSONValue?
        if let closedSeq {
            let (_, close) = try command(db, seq: closedSeq)
            guard case .meetingClose(let body) = close.body else {
                throw StoreError(.corrupt, "entry \(closedSeq) is not a meeting.close")
            }
            result = body.result
        }
        return MeetingRecord(
            id: id, building: building, spec: create.spec, form: create.form, createCommand: createEntry.command,
            createdSeq: createSeq, createdAt: createEntry.time, register: register.register,
            registerLeaf: try leaf(db, seq: registerSeq), cancelledSeq: cancelledSeq, closedSeq: closedSeq, result: result,
            proxies: proxies)
    }

    func tally(ofMeeting id: String) throws -> Tally? {
        if let cached = tallies[id] { return cached }
        guard let meeting = try meeting(id) else { return nil }
        let tally = try Self.loadTally(db, meeting: meeting)
        // Only meetings still taking ballots are worth keeping.
        if meeting.cancelledSeq == nil && meeting.closedSeq == nil { tallies[id] = tally }
        return tally
    }

    /// Replays a meeting's accepted ballots, in ledger order, into a fresh tally.
    static func loadTally(_ db: SQLiteConnection, meeting: MeetingRecord) throws -> Tally {
        var tally = Tally(meeting: meeting.spec, register: meeting.register)
        let statement = try db.statement("SELECT seq, source FROM ballots WHERE meeting = ? ORDER BY seq")
        try statement.bind([.text(meeting.id)])
        var rows: [(Int, String)] = []
        while try statement.step() { rows.append((statement.int(0), statement.text(1))) }
        for (seq, sourceText) in rows {
            guard let source = BallotSource(rawValue: sourceText) else {
                throw StoreError(.corrupt, "ballot \(seq) has an unknown source \(sourceText)")
            }
            let (entry, command) = try command(db, seq: seq)
            let choices: [String: MarkChoice]
            let owner: String
            switch command.body {
            case .ballotCast(let cast):
                owner = cast.owner
                choices = cast.choices.mapValues { .single($0) }
            case .ballotPaper(let paper):
                owner = paper.owner
                choices = paper.choices
            default:
                throw StoreError(.corrupt, "entry \(seq) is listed as a ballot but is a \(command.type.rawValue)")
            }
            do {
                try tally.admit(Ballot(owner: owner, source: source, choices: choices, time: entry.time))
            } catch {
                throw StoreError(.corrupt, "stored ballot \(seq) is refused on replay: \(error)")
            }
        }
        return tally
    }

    /// The entries a meeting's protocol is built from, in ledger order: create, frozen
    /// register, the building's administrators and all key bindings before the end, grants,
    /// ballots, cancel or close.
    static func protocolEntries(_ db: SQLiteConnection, meeting id: String) throws -> [(entry: LedgerEntry, leaf: [UInt8])] {
        guard let meeting = try loadMeeting(db, id: id) else {
            throw StoreError(.notFound, "meeting \(id) does not exist")
        }
        var seqs: Set<Int> = [meeting.createdSeq]
        let register = try db.statement("SELECT register_seq FROM meetings WHERE id = ?")
        try register.bind([.text(id)])
        if try register.step() { seqs.insert(register.int(0)) }
        let end = meeting.closedSeq ?? meeting.cancelledSeq ?? Int.max
        let administrators = try db.statement("SELECT seq FROM entries WHERE type = 'building.administrator' AND seq < ?")
        try administrators.bind([.int(Int64(min(end, Int(Int64.max))))])
        var administratorSeqs: [Int] = []
        while try administrators.step() { administratorSeqs.append(administrators.int(0)) }
        for seq in administratorSeqs {
            let entry = try entry(db, seq: seq)
            if entry.command["building"]?.stringValue == meeting.building { seqs.insert(seq) }
        }
        // Own and proxy ballots are told apart by the key bindings in force.
        let bindings = try db.statement("SELECT seq FROM entries WHERE type = 'owner.key' AND seq < ?")
        try bindings.bind([.int(Int64(min(end, Int(Int64.max))))])
        while try bindings.step() { seqs.insert(bindings.int(0)) }
        for table in ["ballots", "proxies"] {
            let statement = try db.statement("SELECT seq FROM \(table) WHERE meeting = ?")
            try statement.bind([.text(id)])
            while try statement.step() { seqs.insert(statement.int(0)) }
        }
        if let closed = meeting.closedSeq { seqs.insert(closed) }
        if let cancelled = meeting.cancelledSeq { seqs.insert(cancelled) }
        return try seqs.sorted().map { (try entry(db, seq: $0), try leaf(db, seq: $0)) }
    }

    /// Meetings whose voting ended by `time` and that are neither closed nor cancelled.
    func meetingsDue(at time: Timestamp) throws -> [String] {
        let statement = try db.statement(
            "SELECT id FROM meetings WHERE closes_at <= ? AND cancelled_seq IS NULL AND closed_seq IS NULL ORDER BY closes_at, id")
        try statement.bind([.int(time.milliseconds)])
        var ids: [String] = []
        while try statement.step() { ids.append(statement.text(0)) }
        return ids
    }

    // MARK: writing

    /// Writes an accepted entry and its effects (inside the caller's transaction) and keeps
    /// the caches in step.
    func apply(_ sequenced: SequencedCommand, effects: [StateEffect]) throws {
        let seq = sequenced.entry.seq
        let type = sequenced.entry.command["type"]?.stringValue ?? ""
        try db.statement("INSERT INTO entries(seq, leaf, body, type) VALUES(?, ?, ?, ?)")
            .run([.int(Int64(seq)), .blob(sequenced.leaf), .blob(sequenced.canonicalBytes), .text(type)])
        try db.statement("INSERT INTO commands(id, seq, fingerprint) VALUES(?, ?, ?)")
            .run([.text(sequenced.commandID), .int(Int64(seq)), .blob(sequenced.fingerprint)])
        entryCount = seq + 1
        for effect in effects {
            switch effect {
            case .genesis(let record):
                try db.statement("INSERT OR REPLACE INTO meta(key, value) VALUES('origin', ?)").run([.text(record.origin)])
                genesisRecord = record
            case .registerBuilding(let id, let register, let command):
                try db.statement(
                    "INSERT INTO buildings(id, register_seq) VALUES(?, ?) ON CONFLICT(id) DO UPDATE SET register_seq = excluded.register_seq"
                ).run([.text(id), .int(Int64(seq))])
                if var building = buildings[id] {
                    building.register = register
                    building.registerCommand = command
                    building.registerSeq = seq
                    building.registerLeaf = sequenced.leaf
                    buildings[id] = building
                } else {
                    buildings[id] = nil  // loaded on demand with its meetings
                }
            case .bindKey(let key, let owner):
                try db.statement("INSERT INTO owner_keys(key, owner, seq) VALUES(?, ?, ?)").run([.text(key), .text(owner), .int(Int64(seq))])
            case .revokeKey(let key, _):
                try db.statement("DELETE FROM owner_keys WHERE key = ?").run([.text(key)])
            case .setAdministrator(let building, let record):
                try db.statement("UPDATE buildings SET administrator_seq = ? WHERE id = ?").run([.int(Int64(seq)), .text(building)])
                buildings[building]?.administrator = record
            case .createMeeting(let record):
                guard let registerSeq = try self.building(record.building)?.registerSeq else {
                    throw StoreError(.corrupt, "meeting \(record.id) refers to a building that is not stored")
                }
                try db.statement(
                    "INSERT INTO meetings(id, building, create_seq, register_seq, closes_at) VALUES(?, ?, ?, ?, ?)"
                ).run([.text(record.id), .text(record.building), .int(Int64(seq)), .int(Int64(registerSeq)), .int(record.spec.closesAt.milliseconds)])
                meetings[record.id] = record
                tallies[record.id] = Tally(meeting: record.spec, register: record.register)
                buildings[record.building]?.meetings.append(record.id)
            case .cancelMeeting(let id):
                try db.statement("UPDATE meetings SET cancelled_seq = ? WHERE id = ?").run([.int(Int64(seq)), .text(id)])
                meetings[id]?.cancelledSeq = seq
                tallies[id] = nil
            case .grantProxy(let meeting, let owner, let key):
                try db.statement("INSERT INTO proxies(meeting, owner, key, seq) VALUES(?, ?, ?, ?)")
                    .run([.text(meeting), .text(owner), .text(key), .int(Int64(seq))])
                meetings[meeting]?.proxies[owner, default: []].insert(key)
            case .admitBallot(let meeting, let ballot):
                try db.statement("INSERT INTO ballots(meeting, seq, source) VALUES(?, ?, ?)")
                    .run([.text(meeting), .int(Int64(seq)), .text(ballot.source.rawValue)])
                if tallies[meeting] == nil { _ = try tally(ofMeeting: meeting) }
                do {
                    try tallies[meeting]?.admit(ballot)
                } catch {
                    throw StoreError(.corrupt, "the tally refused a ballot the rules accepted: \(error)")
                }
            case .closeMeeting(let id, let result):
                try db.statement("UPDATE meetings SET closed_seq = ? WHERE id = ?").run([.int(Int64(seq)), .text(id)])
                meetings[id]?.closedSeq = seq
                meetings[id]?.result = result
                tallies[id] = nil
            }
        }
    }

    /// Forgets every cached record (after a rollback) and re-reads the size.
    func invalidate() throws {
        buildings = [:]
        meetings = [:]
        tallies = [:]
        entryCount = Int(try db.scalarInt("SELECT COALESCE(MAX(seq) + 1, 0) FROM entries") ?? 0)
        genesisRecord = entryCount > 0 ? try Self.loadGenesis(db) : nil
    }

    /// The cached live tally of a meeting, if loaded (for publishing live figures).
    func cachedTally(_ id: String) -> Tally? { tallies[id] }
}
