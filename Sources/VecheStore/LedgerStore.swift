import Dispatch
import Foundation
import Synchronization
public import VecheCore
public import VecheCrypto
public import VecheLedger

/// The durable ledger in a data directory: SQLite in WAL mode with `synchronous=FULL`, one
/// sequencer thread applying the rules of `LedgerMachine`, group commit, and a signed
/// checkpoint per commit. Every method is safe to call from any thread or task.
///
/// Submissions are parsed and signature-checked on the caller's task (so on all cores);
/// the sequencer takes everything pending, decides each command in order inside one
/// transaction, commits once (one fsync for the group), signs one checkpoint, and only then
/// answers the callers.
public final class LedgerStore: Sendable {
    /// Tunables.
    public struct Configuration: Sendable {
        /// Commands waiting for the sequencer before submitters get "overloaded" (503).
        public var maxPending = 16_384
        /// Commands decided in one transaction at most.
        public var maxBatch = 8_192
        /// How often the sequencer looks for meetings to close when idle.
        public var closeCheckInterval: Duration = .milliseconds(250)
        /// Read connections kept for queries.
        public var readers = 8
        /// The clock that stamps ledger time (tests may move it).
        public var clock: @Sendable () -> Timestamp = SystemClock.now

        public init() {}
    }

    /// What a submission became.
    public enum Outcome: Sendable {
        /// Appended now (HTTP 201).
        case accepted(Receipt)
        /// An idempotent repeat of an accepted command (HTTP 200).
        case repeated(Receipt)

        /// The receipt either way.
        public var receipt: Receipt {
            switch self {
            case .accepted(let receipt), .repeated(let receipt): receipt
            }
        }
    }

    /// Live figures of a meeting, published by the sequencer after each commit.
    public struct LiveFigures: Sendable {
        public let total: Rational
        public let participating: Rational
        public let quorumRequired: Rational
        public let quorumReached: Bool
        public let ballots: Int
        /// The ledger size these figures are for.
        public let asOfSize: Int
    }

    public let directory: String
    public let origin: String
    public let operatorPublicKey: PublicKey
    let configuration: Configuration
    private let operatorKey: Ed25519.PrivateKey
    private let writer: ConnectionBox
    private let readers: ReaderPool
    private let queue: Mutex<QueueState>
    private let wakeUp = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)
    private let published: Mutex<Published>
    private let sequencerState: SequencerBox
    private let metrics = Mutex(IngestMetrics())
    private let lock: DirectoryLock

    /// The file names inside a data directory.
    public enum Files {
        public static let database = "veche.db"
        public static let operatorKey = "operator.key"
        public static let registrarKey = "registrar.key"
        /// Held (flock) by the one process that writes the ledger.
        public static let lock = "veche.lock"
    }

    // MARK: - init and open

    /// What `initialize` created.
    public struct Initialized: Sendable {
        public let operatorKey: PublicKey
        public let vkey: String
        public let registrars: [PublicKey]
        /// Where a registrar key was written, when none was given.
        public let registrarKeyPath: String?
    }

    /// Creates a data directory (absent or empty) with an operator key, a registrar key when
    /// none is given, the database and its genesis entry.
    public static func initialize(directory: String, origin: String, registrars: [PublicKey] = []) throws -> Initialized {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw StoreError(.directory, "\(directory) exists and is not a directory") }
            let contents = (try? manager.contentsOfDirectory(atPath: directory)) ?? []
            guard contents.isEmpty else { throw StoreError(.directory, "\(directory) is not empty; veche init needs an absent or empty directory") }
        } else {
            do {
                try manager.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw StoreError(.directory, "cannot create \(directory): \(error.localizedDescription)")
            }
        }
        do {
            _ = try Checkpoint(origin: origin, size: 0, rootHash: Merkle.emptyRoot)
        } catch {
            throw StoreError(.invalidArgument, "--origin \"\(origin)\" cannot name a checkpoint: \(error)")
        }
        let operatorSigning = try SigningKey.generate(algorithm: .ed25519)
        guard case .ed25519(let operatorKey) = operatorSigning else { preconditionFailure("generated an Ed25519 key") }
        try operatorSigning.write(to: path(directory, Files.operatorKey))
        var registrarKeys = registrars
        var registrarPath: String?
        if registrarKeys.isEmpty {
            let registrar = try SigningKey.generate(algorithm: .ed25519)
            registrarPath = path(directory, Files.registrarKey)
            try registrar.write(to: registrarPath!)
            registrarKeys = [registrar.publicKey]
        }
        let db = try SQLiteConnection(path: path(directory, Files.database), mode: .readWriteCreate)
        try configure(db)
        try StoreSchema.migrate(db)
        let genesis: JSONValue = [
            "type": "ledger.genesis", "id": "genesis-0000", "ledger": .string(origin),
            "operator": .string(operatorSigning.publicKey.string),
            "registrars": .array(registrarKeys.map { .string($0.string) }),
            "rulesets": ["ru-zhk-2024", "generic"],
        ]
        let envelope = try SignedEnvelope.sign(command: genesis, with: operatorSigning)
        let view = try SQLiteStateView(db: db)
        let sequenced = try Sequencing.sequence(
            envelope, seq: 0, now: SystemClock.now(), lastTime: nil, prev: LedgerEntry.zeroHash, expectedOrigin: origin, view: view)
        guard case .append(let effects) = sequenced.decision else { preconditionFailure("a fresh genesis is appended") }
        var appender = MerkleAppender()
        var nodes: [MerkleNode] = []
        appender.append(sequenced.leaf, emittingInto: &nodes)
        let note = try Checkpoint(origin: origin, size: 1, rootHash: appender.root).signed(with: operatorKey).text
        try db.transaction {
            try view.apply(sequenced, effects: effects)
            try SQLiteMerkleNodes(db: db).store(nodes)
            try db.statement("INSERT INTO checkpoints(size, note) VALUES(?, ?)").run([.int(1), .text(note)])
        }
        return Initialized(
            operatorKey: operatorSigning.publicKey,
            vkey: try NoteVerifier(name: origin, publicKey: operatorKey.publicKey).vkey,
            registrars: registrarKeys, registrarKeyPath: registrarPath)
    }

    /// Opens an initialised data directory, checks it, and starts the sequencer.
    public init(directory: String, configuration: Configuration = Configuration()) throws {
        self.directory = directory
        self.configuration = configuration
        let databasePath = Self.path(directory, Files.database)
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw StoreError(.directory, "\(directory) is not a Veche data directory (no \(Files.database)); run veche init first")
        }
        self.lock = try DirectoryLock(path: Self.path(directory, Files.lock))
        let signing: SigningKey
        do {
            signing = try SigningKey.load(from: Self.path(directory, Files.operatorKey))
        } catch {
            throw StoreError(.directory, "cannot load the operator key: \(error)")
        }
        guard case .ed25519(let operatorKey) = signing else {
            throw StoreError(.directory, "the operator key must be Ed25519 (checkpoints are Ed25519 notes)")
        }
        self.operatorKey = operatorKey
        self.operatorPublicKey = signing.publicKey
        let db: SQLiteConnection
        let view: SQLiteStateView
        let checkpoint: SignedCheckpoint
        let appender: MerkleAppender
        let last: (leaf: [UInt8], time: Timestamp?)
        do {
            db = try SQLiteConnection(path: databasePath, mode: .readWrite)
            try Self.configure(db)
            try StoreSchema.migrate(db)
            view = try SQLiteStateView(db: db)
            guard let genesis = view.genesis() else { throw StoreError(.corrupt, "the database holds no genesis entry") }
            guard genesis.operatorKey == signing.publicKey.string else {
                throw StoreError(.directory, "operator.key is not the operator key named by this ledger's genesis")
            }
            self.origin = genesis.origin
            (checkpoint, appender, last) = try Self.checkConsistency(db: db, view: view, origin: genesis.origin, operatorKey: operatorKey)
        } catch let error as SQLiteError {
            throw StoreError(error, while: "opening \(databasePath)")
        } catch let error as StoreError where error.code == .corrupt {
            // Name the file: the operator must know which database to restore.
            throw StoreError(.corrupt, "\(databasePath) is damaged, refusing to serve it: \(error.message)")
        }
        self.writer = ConnectionBox(db)
        self.readers = ReaderPool(path: databasePath, limit: configuration.readers)
        self.queue = Mutex(QueueState())
        self.published = Mutex(Published(checkpoint: checkpoint, size: checkpoint.checkpoint.size, live: [:]))
        self.sequencerState = SequencerBox(view: view, appender: appender, lastLeaf: last.leaf, lastTime: last.time)
        let thread = Thread { [self] in self.sequencerLoop() }
        thread.name = "veche-sequencer"
        thread.start()
    }

    static func path(_ directory: String, _ file: String) -> String {
        (directory as NSString).appendingPathComponent(file)
    }

    static func configure(_ db: SQLiteConnection) throws {
        let mode = try db.statement("PRAGMA journal_mode = WAL")
        try mode.step()
        guard mode.text(0).lowercased() == "wal" else { throw StoreError(.io, "cannot switch the database to WAL mode") }
        try db.execute("PRAGMA synchronous = FULL; PRAGMA foreign_keys = OFF; PRAGMA cache_size = -16384;")
    }

    /// Cheap checks at open that catch truncation and tampering without reading the whole
    /// file: the latest checkpoint is signed by the operator, covers exactly the stored
    /// entries, its root is the root of the stored nodes, and the last entry hashes to its
    /// stored leaf and chains to the one before.
    private static func checkConsistency(
        db: SQLiteConnection, view: SQLiteStateView, origin: String, operatorKey: Ed25519.PrivateKey
    ) throws -> (SignedCheckpoint, MerkleAppender, (leaf: [UInt8], time: Timestamp?)) {
        let statement = try db.statement("SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1")
        guard try statement.step() else { throw StoreError(.corrupt, "the database holds no checkpoint") }
        let note = statement.text(1)
        let checkpoint: SignedCheckpoint
        do {
            checkpoint = try SignedCheckpoint(parsing: note)
            try checkpoint.verify(try NoteVerifier(name: origin, publicKey: operatorKey.publicKey))
        } catch {
            throw StoreError(.corrupt, "the latest stored checkpoint does not verify: \(error)")
        }
        let size = view.size()
        guard checkpoint.checkpoint.size == size else {
            throw StoreError(.corrupt, "the latest checkpoint covers \(checkpoint.checkpoint.size) entries but \(size) are stored")
        }
        let nodes = SQLiteMerkleNodes(db: db)
        let appender: MerkleAppender
        do {
            appender = try MerkleAppender(size: size, source: nodes)
        } catch {
            throw StoreError(.corrupt, "the stored Merkle tree is damaged: \(error)")
        }
        guard appender.root == checkpoint.checkpoint.rootHash else {
            throw StoreError(.corrupt, "the stored Merkle tree does not match the latest signed checkpoint")
        }
        let lastEntry = try SQLiteStateView.entry(db, seq: size - 1)
        let lastLeaf = try SQLiteStateView.leaf(db, seq: size - 1)
        guard LedgerEntry.leafHash(canonicalBytes: try SQLiteStateView.body(db, seq: size - 1)) == lastLeaf else {
            throw StoreError(.corrupt, "the last entry does not hash to its stored leaf")
        }
        if size > 1 {
            guard lastEntry.prev == (try SQLiteStateView.leaf(db, seq: size - 2)) else {
                throw StoreError(.corrupt, "the last entry does not chain to the one before it")
            }
        }
        return (checkpoint, appender, (lastLeaf, lastEntry.time))
    }

    // MARK: - submitting

    /// Parses and verifies a posted envelope here (on the caller's task), then has the
    /// sequencer decide it. Throws `EnvelopeError` (400/403), `LedgerError` (refusals) or
    /// `StoreError` (503 overloaded, 500 failures).
    public func submit(body: [UInt8]) async throws -> Outcome {
        let envelope: SignedEnvelope
        do {
            envelope = try SignedEnvelope.parse(body: body)
        } catch {
            metrics.withLock { $0.count(type: "unknown", outcome: error.status == 403 ? "forbidden" : "malformed") }
            throw error
        }
        return try await submit(verified: envelope)
    }

    /// Has the sequencer decide an envelope whose signature the caller has verified.
    public func submit(verified envelope: SignedEnvelope) async throws -> Outcome {
        let decided: Decided = try await withCheckedThrowingContinuation { continuation in
            let accepted = queue.withLock { state -> Bool in
                guard !state.closing else { return false }
                guard state.pending.count < configuration.maxPending else { return false }
                state.pending.append(Pending(envelope: envelope, continuation: continuation))
                return true
            }
            if accepted {
                wakeUp.signal()
            } else {
                let closing = queue.withLock { $0.closing }
                continuation.resume(
                    throwing: closing
                        ? StoreError(.closed, "the server is shutting down; retry later")
                        : StoreError(.overloaded, "the ingest queue is full; retry later"))
            }
        }
        switch decided {
        case .accepted(let seq, let leaf, let entry, let entryBytes, let checkpoint, let nodes):
            return .accepted(try receipt(seq: seq, leaf: leaf, entry: entry, entryBytes: entryBytes, checkpoint: checkpoint, nodes: nodes))
        case .repeated(let seq):
            let checkpoint = latestCheckpoint
            let (entry, leaf) = try readers.with { db in (try SQLiteStateView.entry(db, seq: seq), try SQLiteStateView.leaf(db, seq: seq)) }
            return .repeated(try receipt(seq: seq, leaf: leaf, entry: entry, checkpoint: checkpoint))
        }
    }

    private func receipt(
        seq: Int, leaf: [UInt8], entry: LedgerEntry, entryBytes: [UInt8]? = nil, checkpoint: SignedCheckpoint, nodes: BatchNodes? = nil
    ) throws -> Receipt {
        let path: [[UInt8]]
        if let nodes, let fromMemory = try? MerkleTree.inclusionProof(index: seq, size: checkpoint.checkpoint.size, in: nodes) {
            path = fromMemory
        } else {
            path = try readers.with { db in
                try MerkleTree.inclusionProof(index: seq, size: checkpoint.checkpoint.size, in: SQLiteMerkleNodes(db: db))
            }
        }
        let proof = try TlogProof(index: seq, path: path, checkpoint: checkpoint)
        if let entryBytes { return Receipt(seq: seq, leaf: leaf, entry: entry, entryBytes: entryBytes, proof: proof) }
        return Receipt(seq: seq, leaf: leaf, entry: entry, proof: proof)
    }

    // MARK: - the sequencer

    private func sequencerLoop() {
        var lastCloseCheck = ContinuousClock.now - .seconds(10)
        while true {
            _ = wakeUp.wait(timeout: .now() + .milliseconds(Int(configuration.closeCheckInterval.components.seconds * 1000 + configuration.closeCheckInterval.components.attoseconds / 1_000_000_000_000_000)))
            let (batch, closing) = queue.withLock { state -> ([Pending], Bool) in
                let count = min(state.pending.count, configuration.maxBatch)
                let batch = Array(state.pending.prefix(count))
                state.pending.removeFirst(count)
                return (batch, state.closing)
            }
            var closes: [SignedEnvelope] = []
            if !closing && (ContinuousClock.now - lastCloseCheck >= configuration.closeCheckInterval || !batch.isEmpty) {
                lastCloseCheck = ContinuousClock.now
                closes = dueCloses()
            }
            if !batch.isEmpty || !closes.isEmpty {
                process(batch, closes: closes)
            }
            let drained = queue.withLock { $0.pending.isEmpty }
            if closing && drained && batch.isEmpty { break }
            if !drained { wakeUp.signal() }
        }
        stopped.signal()
    }

    /// The signed `meeting.close` commands due now.
    private func dueCloses() -> [SignedEnvelope] {
        let box = sequencerState
        do {
            let now = configuration.clock()
            let due = try box.view.meetingsDue(at: now)
            return try due.compactMap { id in
                guard let tally = try box.view.tally(ofMeeting: id) else { return nil }
                let commandID = try AutoClose.commandID(meeting: id) { try box.view.command(id: $0) != nil }
                return try AutoClose.envelope(meeting: id, tally: tally, origin: origin, operatorKey: .ed25519(operatorKey), id: commandID)
            }
        } catch {
            FileHandle.standardError.write(Data("veche: cannot prepare automatic closes: \(error)\n".utf8))
            return []
        }
    }

    /// Decides a batch in one transaction, commits once, signs one checkpoint, then answers.
    private func process(_ batch: [Pending], closes: [SignedEnvelope]) {
        let box = sequencerState
        let db = writer.connection
        let now = configuration.clock()
        // One per submitter; accepted ones stay nil until the commit has made them durable.
        var outcomes: [Result<Decided, any Error>?] = []
        outcomes.reserveCapacity(batch.count)
        var nodes: [MerkleNode] = []
        var touched: Set<String> = []
        var accepted: [(type: String, outcome: String)] = []
        var appender = box.appender
        let edge = appender.edgeNodes
        var lastLeaf = box.lastLeaf
        var lastTime = box.lastTime
        let started = ContinuousClock.now
        do {
            try db.execute("BEGIN IMMEDIATE")
            var pendingAccepted: [(index: Int, seq: Int, leaf: [UInt8], entry: LedgerEntry, bytes: [UInt8])] = []
            let all = batch.map(\.envelope) + closes
            for (index, envelope) in all.enumerated() {
                // Only known types become metric labels: a client-chosen string would add series without bound.
                let type = envelope.command["type"]?.stringValue.flatMap(CommandType.init(rawValue:))?.rawValue ?? "unknown"
                do {
                    let seq = appender.size
                    let sequenced = try Sequencing.sequence(
                        envelope, seq: seq, now: now, lastTime: lastTime, prev: lastLeaf, expectedOrigin: origin, view: box.view)
                    switch sequenced.decision {
                    case .repeatOf(let original):
                        if index < batch.count { outcomes.append(.success(.repeated(seq: original))) }
                        accepted.append((type, "repeated"))
                    case .append(let effects):
                        try box.view.apply(sequenced, effects: effects)
                        appender.append(sequenced.leaf, emittingInto: &nodes)
                        lastLeaf = sequenced.leaf
                        lastTime = sequenced.entry.time
                        for effect in effects {
                            switch effect {
                            case .admitBallot(let meeting, _), .closeMeeting(let meeting, _), .cancelMeeting(let meeting): touched.insert(meeting)
                            case .createMeeting(let record): touched.insert(record.id)
                            default: break
                            }
                        }
                        if index < batch.count {
                            pendingAccepted.append((outcomes.count, seq, sequenced.leaf, sequenced.entry, sequenced.canonicalBytes))
                            outcomes.append(nil)
                        }
                        accepted.append((type, "accepted"))
                    }
                } catch let refusal as LedgerError {
                    if index < batch.count { outcomes.append(.failure(refusal)) }
                    accepted.append((type, refusal.reason))
                    if index >= batch.count {
                        FileHandle.standardError.write(Data("veche: automatic close refused: \(refusal)\n".utf8))
                    }
                }
            }
            let checkpoint: SignedCheckpoint?
            if appender.size > box.appender.size {
                try SQLiteMerkleNodes(db: db).store(nodes)
                let signed = try Checkpoint(origin: origin, size: appender.size, rootHash: appender.root).signed(with: operatorKey)
                try db.statement("INSERT INTO checkpoints(size, note) VALUES(?, ?)").run([.int(Int64(appender.size)), .text(signed.text)])
                checkpoint = signed
            } else {
                checkpoint = nil
            }
            try db.execute("COMMIT")
            box.appender = appender
            box.lastLeaf = lastLeaf
            box.lastTime = lastTime
            let current = checkpoint ?? latestCheckpoint
            let proofNodes = pendingAccepted.isEmpty ? nil : BatchNodes(edge + nodes, size: appender.size, edge: appender.edgeNodes)
            for item in pendingAccepted {
                outcomes[item.index] = .success(
                    .accepted(seq: item.seq, leaf: item.leaf, entry: item.entry, entryBytes: item.bytes, checkpoint: current, nodes: proofNodes))
            }
            var live: [String: LiveFigures] = [:]
            for meeting in touched {
                if let tally = box.view.cachedTally(meeting) {
                    live[meeting] = LiveFigures(tally, size: appender.size)
                }
            }
            published.withLock { state in
                if let checkpoint {
                    state.checkpoint = checkpoint
                    state.size = checkpoint.checkpoint.size
                }
                for meeting in touched { state.live[meeting] = live[meeting] }
            }
            let elapsed = ContinuousClock.now - started
            metrics.withLock { metrics in
                for item in accepted { metrics.count(type: item.type, outcome: item.outcome) }
                metrics.commit(size: all.count, duration: elapsed)
            }
        } catch {
            try? db.execute("ROLLBACK")
            // Nothing of this batch is stored: forget the caches and answer everyone with the failure.
            try? box.view.invalidate()
            let failure: StoreError =
                switch error {
                case let error as StoreError: error
                case let error as SQLiteError: StoreError(error, while: "committing")
                default: StoreError(.io, "cannot commit: \(error)")
                }
            FileHandle.standardError.write(Data("veche: \(failure)\n".utf8))
            for pending in batch { pending.continuation.resume(throwing: failure) }
            return
        }
        for (pending, outcome) in zip(batch, outcomes) {
            guard let outcome else { preconditionFailure("an accepted command was left without its receipt") }
            pending.continuation.resume(with: outcome)
        }
    }

    // MARK: - reading

    /// The latest signed checkpoint.
    public var latestCheckpoint: SignedCheckpoint { published.withLock { $0.checkpoint } }

    /// The number of committed entries.
    public var size: Int { published.withLock { $0.size } }

    /// Up to `limit` canonical entries from `from`, as committed.
    public func entries(from: Int, limit: Int) throws -> [[UInt8]] {
        let size = self.size
        guard from < size else { return [] }
        return try readers.with { db in
            let statement = try db.statement("SELECT body FROM entries WHERE seq >= ? AND seq < ? ORDER BY seq LIMIT ?")
            try statement.bind([.int(Int64(from)), .int(Int64(size)), .int(Int64(limit))])
            var bodies: [[UInt8]] = []
            while try statement.step() { bodies.append(statement.blob(0)) }
            return bodies
        }
    }

    /// The leaf hash of entry `seq`.
    public func leaf(seq: Int) throws -> [UInt8] {
        try readers.with { try SQLiteStateView.leaf($0, seq: seq) }
    }

    /// Entry `seq`, parsed, with its leaf.
    public func entry(seq: Int) throws -> (entry: LedgerEntry, leaf: [UInt8]) {
        guard seq >= 0, seq < size else { throw StoreError(.notFound, "no entry \(seq)") }
        return try readers.with { db in (try SQLiteStateView.entry(db, seq: seq), try SQLiteStateView.leaf(db, seq: seq)) }
    }

    /// RFC 9162 inclusion proof of `seq` in the tree of `size` entries.
    public func inclusionProof(seq: Int, size: Int) throws -> [[UInt8]] {
        guard 0 <= seq, seq < size, size <= self.size else {
            throw StoreError(.invalidArgument, "need 0 ≤ seq < size ≤ \(self.size)")
        }
        return try readers.with { try MerkleTree.inclusionProof(index: seq, size: size, in: SQLiteMerkleNodes(db: $0)) }
    }

    /// RFC 9162 consistency proof between sizes `from` and `to`.
    public func consistencyProof(from: Int, to: Int) throws -> [[UInt8]] {
        guard 1 <= from, from <= to, to <= size else {
            throw StoreError(.invalidArgument, "need 1 ≤ from ≤ to ≤ \(size)")
        }
        if from == to { return [] }
        return try readers.with { try MerkleTree.consistencyProof(from: from, to: to, in: SQLiteMerkleNodes(db: $0)) }
    }

    /// A building's current register, administrator and meetings.
    public func building(_ id: String) throws -> BuildingRecord? {
        try readers.with { db in try db.readTransaction { try SQLiteStateView(db: db).building(id) } }
    }

    /// A meeting as stored.
    public func meeting(_ id: String) throws -> MeetingRecord? {
        try readers.with { db in try db.readTransaction { try SQLiteStateView.loadMeeting(db, id: id) } }
    }

    /// Live figures of a meeting: published ones when current, else recomputed from its ballots.
    public func liveFigures(_ id: String) throws -> LiveFigures? {
        if let cached = published.withLock({ $0.live[id] }) { return cached }
        let figures: LiveFigures? = try readers.with { db in
            try db.readTransaction {
                guard let meeting = try SQLiteStateView.loadMeeting(db, id: id) else { return nil }
                let size = Int(try db.scalarInt("SELECT COALESCE(MAX(seq) + 1, 0) FROM entries") ?? 0)
                return LiveFigures(try SQLiteStateView.loadTally(db, meeting: meeting), size: size)
            }
        }
        guard let figures else { return nil }
        published.withLock { state in
            // The sequencer may have published newer figures meanwhile; keep the newest.
            if let existing = state.live[id], existing.asOfSize >= figures.asOfSize { return }
            state.live[id] = figures
        }
        return figures
    }

    /// The entries of a meeting's protocol, in ledger order: create, frozen register,
    /// administrators, key bindings, grants, ballots, cancel or close.
    public func meetingEntries(_ id: String) throws -> [(entry: LedgerEntry, leaf: [UInt8])] {
        try readers.with { db in try db.readTransaction { try SQLiteStateView.protocolEntries(db, meeting: id) } }
    }

    /// Writes the election record (entries 0..n−1 and the checkpoint for n) from one
    /// consistent snapshot, safe while the sequencer runs.
    public func exportRecord(to sink: ([UInt8]) throws -> Void) throws -> Int {
        try LedgerReader(directory: directory).exportRecord(to: sink)
    }

    /// Counters for `/metrics`.
    public var ingestMetrics: IngestMetrics { metrics.withLock { $0 } }

    /// Stops taking submissions, lets the sequencer finish what is queued, and waits for it.
    public func close() {
        let already = queue.withLock { state -> Bool in
            defer { state.closing = true }
            return state.closing
        }
        guard !already else { return }
        wakeUp.signal()
        stopped.wait()
        // Fold the WAL into the database file so the directory is self-contained at rest.
        try? writer.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        // A closed store no longer writes: let the next one (this process or another) open the directory.
        lock.release()
    }

    deinit {
        close()
    }
}

// MARK: - helpers

/// A decided submission, before the caller builds its receipt.
private enum Decided: Sendable {
    /// `nodes` holds what the receipts of this commit's entries need, so callers build their
    /// proofs from memory, in parallel, instead of reading O(log n) rows each.
    case accepted(seq: Int, leaf: [UInt8], entry: LedgerEntry, entryBytes: [UInt8], checkpoint: SignedCheckpoint, nodes: BatchNodes?)
    case repeated(seq: Int)
}

/// The Merkle nodes a commit created plus the right edge before it: every node an inclusion
/// proof of the commit's entries into the commit's tree reads (see `MerkleAppender.edgeNodes`).
/// Immutable once built.
final class BatchNodes: MerkleNodeSource, Sendable {
    private let hashes: [Int64: [UInt8]]
    private let size: Int
    /// Hashes of [start, size) for each start of a right-edge part: the ragged right
    /// siblings of inclusion proofs into this tree, hashed once per commit instead of once
    /// per receipt.
    private let suffixes: [Int: [UInt8]]

    /// `nodes`: the edge before the commit and every node it created; `edge`: the edge after.
    init(_ nodes: [MerkleNode], size: Int, edge: [MerkleNode]) {
        var hashes: [Int64: [UInt8]] = [:]
        hashes.reserveCapacity(nodes.count)
        for node in nodes { hashes[StoreSchema.nodeKey(level: node.id.level, index: node.id.index)] = node.hash }
        self.hashes = hashes
        self.size = size
        var suffixes: [Int: [UInt8]] = [:]
        var suffix: [UInt8]?
        for part in edge.reversed() {
            suffix = suffix.map { Merkle.nodeHash(part.hash, $0) } ?? part.hash
            suffixes[part.id.index << part.id.level] = suffix
        }
        self.suffixes = suffixes
    }

    func spanHash(start: Int, count: Int) -> [UInt8]? {
        start + count == size ? suffixes[start] : nil
    }

    func node(level: Int, index: Int) throws -> [UInt8] {
        guard let hash = hashes[StoreSchema.nodeKey(level: level, index: index)] else {
            throw StoreError(.notFound, "Merkle node (\(level), \(index)) is not among this commit's nodes")
        }
        return hash
    }
}

private struct Pending: Sendable {
    let envelope: SignedEnvelope
    let continuation: CheckedContinuation<Decided, any Error>
}

private struct QueueState {
    var pending: [Pending] = []
    var closing = false
}

private struct Published {
    var checkpoint: SignedCheckpoint
    var size: Int
    var live: [String: LedgerStore.LiveFigures]
}

extension LedgerStore.LiveFigures {
    init(_ tally: Tally, size: Int) {
        self.init(
            total: tally.total, participating: tally.participating, quorumRequired: tally.meeting.quorum,
            quorumReached: tally.quorumReached, ballots: tally.effectiveBallotCount, asOfSize: size)
    }
}

/// The sequencer's state. Only the sequencer thread touches it after `init` (and `init`
/// finishes before the thread starts), so it needs no lock.
private final class SequencerBox: @unchecked Sendable {
    let view: SQLiteStateView
    var appender: MerkleAppender
    var lastLeaf: [UInt8]
    var lastTime: Timestamp?

    init(view: SQLiteStateView, appender: MerkleAppender, lastLeaf: [UInt8], lastTime: Timestamp?) {
        self.view = view
        self.appender = appender
        self.lastLeaf = lastLeaf
        self.lastTime = lastTime
    }
}

/// The writer connection. Only the sequencer thread uses it after `init`.
private final class ConnectionBox: @unchecked Sendable {
    let connection: SQLiteConnection
    init(_ connection: SQLiteConnection) { self.connection = connection }
}

/// Read connections, each checked out by one caller at a time.
private final class ReaderPool: Sendable {
    let path: String
    let limit: Int
    private let idle = Mutex<[ConnectionBox]>([])
    private let available: DispatchSemaphore

    init(path: String, limit: Int) {
        self.path = path
        self.limit = max(1, limit)
        self.available = DispatchSemaphore(value: max(1, limit))
    }

    func with<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        available.wait()
        defer { available.signal() }
        let box: ConnectionBox
        if let reused = idle.withLock({ $0.popLast() }) {
            box = reused
        } else {
            do {
                box = ConnectionBox(try SQLiteConnection(path: path, mode: .readOnly))
            } catch {
                throw StoreError(error, while: "opening a read connection")
            }
        }
        defer {
            box.connection.resetStatements()
            idle.withLock { $0.append(box) }
        }
        do {
            return try body(box.connection)
        } catch let error as SQLiteError {
            throw StoreError(error, while: "reading")
        }
    }
}

/// Counters the sequencer keeps for `/metrics`.
public struct IngestMetrics: Sendable {
    /// Commands by type and outcome (`accepted`, `repeated`, or the refusal reason).
    public private(set) var commands: [String: [String: Int]] = [:]
    /// Group commits, the commands they held, and the time they took (microseconds).
    public private(set) var commits = 0
    public private(set) var committedCommands = 0
    public private(set) var commitMicroseconds: Int64 = 0
    public private(set) var largestGroup = 0

    mutating func count(type: String, outcome: String) {
        commands[type, default: [:]][outcome, default: 0] += 1
    }

    mutating func commit(size: Int, duration: Duration) {
        commits += 1
        committedCommands += size
        largestGroup = max(largestGroup, size)
        commitMicroseconds += duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
    }
}

/// The system clock as a ledger timestamp (milliseconds, UTC).
public enum SystemClock {
    /// Now.
    @Sendable public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(milliseconds: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }
}

/// An exclusive `flock` on a file in the data directory: one writer per ledger.
private final class DirectoryLock: Sendable {
    private let descriptor: Mutex<Int32>

    init(path: String) throws {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw StoreError(.directory, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw StoreError(.directory, "another veche process is serving this data directory (\(path) is locked)")
        }
        self.descriptor = Mutex(descriptor)
    }

    /// Lets another process open the directory (idempotent).
    func release() {
        descriptor.withLock { descriptor in
            guard descriptor >= 0 else { return }
            flock(descriptor, LOCK_UN)
            close(descriptor)
            descriptor = -1
        }
    }

    deinit { release() }
}
