import Foundation
import VecheCore
package import VecheCrypto
import VecheLedger

/// Builds a data directory from the entries of an election record in big transactions,
/// for benchmarks that need a ledger of a million entries without a million round trips.
///
/// Every entry still goes through `Sequencing` and `LedgerMachine` against the SQLite
/// projections (so the directory is exactly what the sequencer would have written, and a
/// line the rules refuse stops the load), but signatures are not re-checked: the caller
/// vouches for the record (it generated it). The load is not crash-safe (synchronous=OFF
/// while loading); the directory is complete and ordinary once `finish()` returns.
package final class BulkLoader {
    private let directory: String
    private let operatorKey: Ed25519.PrivateKey
    private let db: SQLiteConnection
    private let view: SQLiteStateView
    private var appender = MerkleAppender()
    private var nodes: [MerkleNode] = []
    private var lastLeaf = LedgerEntry.zeroHash
    private var lastTime: Timestamp?
    private var inTransaction = 0
    private var origin: String?

    /// Entries per transaction.
    private static let transactionSize = 20_000

    /// Creates `directory` (absent or empty) with `operatorKey` as its operator key; the
    /// record's genesis must name that key.
    package init(directory: String, operatorKey: SigningKey) throws {
        guard case .ed25519(let key) = operatorKey else {
            throw StoreError(.invalidArgument, "the operator key must be Ed25519")
        }
        let manager = FileManager.default
        if manager.fileExists(atPath: directory) {
            guard ((try? manager.contentsOfDirectory(atPath: directory)) ?? ["?"]).isEmpty else {
                throw StoreError(.directory, "\(directory) is not empty")
            }
        } else {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        self.directory = directory
        self.operatorKey = key
        try operatorKey.write(to: LedgerStore.path(directory, LedgerStore.Files.operatorKey))
        db = try SQLiteConnection(path: LedgerStore.path(directory, LedgerStore.Files.database), mode: .readWriteCreate)
        try LedgerStore.configure(db)
        try db.execute("PRAGMA synchronous = OFF")
        try StoreSchema.migrate(db)
        view = try SQLiteStateView(db: db)
    }

    /// Entries loaded so far.
    package var size: Int { appender.size }

    /// Appends one record line (JCS(entry), with or without its LF); the checkpoint line is
    /// skipped (`finish()` signs its own, which is byte-identical for the same tree).
    package func append(line: [UInt8]) throws {
        var bytes = line
        if bytes.last == 0x0A { bytes.removeLast() }
        if bytes.starts(with: Array(#"{"checkpoint":"#.utf8)) { return }
        let entry: LedgerEntry
        do {
            entry = try LedgerEntry(json: try CanonicalJSON.parse(bytes, limits: JSONLimits(maxDocumentBytes: ElectionRecord.maxLineBytes)))
        } catch {
            throw StoreError(.invalidArgument, "line \(appender.size + 1) is not an entry: \(error)")
        }
        guard entry.seq == appender.size, entry.prev == lastLeaf else {
            throw StoreError(.invalidArgument, "entry \(entry.seq) is out of sequence or does not chain")
        }
        let signer: PublicKey
        let signature: [UInt8]
        do {
            signer = try PublicKey(string: entry.signer)
            signature = try Base64URL.decode(entry.signature)
        } catch {
            throw StoreError(.invalidArgument, "entry \(entry.seq) has a malformed signer or signature: \(error)")
        }
        if inTransaction == 0 { try db.execute("BEGIN IMMEDIATE") }
        let sequenced = try Sequencing.sequence(
            SignedEnvelope(command: entry.command, signer: signer, signature: signature), seq: entry.seq, now: entry.time,
            lastTime: lastTime, prev: lastLeaf, expectedOrigin: origin, view: view)
        guard sequenced.canonicalBytes == bytes, case .append(let effects) = sequenced.decision else {
            throw StoreError(.invalidArgument, "entry \(entry.seq) is not what the sequencer would have written")
        }
        try view.apply(sequenced, effects: effects)
        if origin == nil { origin = view.genesis()?.origin }
        appender.append(sequenced.leaf, emittingInto: &nodes)
        lastLeaf = sequenced.leaf
        lastTime = entry.time
        inTransaction += 1
        if inTransaction >= Self.transactionSize { try commit() }
    }

    private func commit() throws {
        guard inTransaction > 0 else { return }
        try SQLiteMerkleNodes(db: db).store(nodes)
        nodes.removeAll(keepingCapacity: true)
        try db.execute("COMMIT")
        inTransaction = 0
    }

    /// Signs the checkpoint of everything loaded, makes the file durable, and returns the size.
    package func finish() throws -> Int {
        guard let origin, appender.size > 0 else { throw StoreError(.invalidArgument, "the record has no genesis entry") }
        if inTransaction == 0 { try db.execute("BEGIN IMMEDIATE") }
        inTransaction += 1
        let note = try Checkpoint(origin: origin, size: appender.size, rootHash: appender.root).signed(with: operatorKey).text
        try db.statement("INSERT INTO checkpoints(size, note) VALUES(?, ?)").run([.int(Int64(appender.size)), .text(note)])
        try commit()
        try db.execute("PRAGMA synchronous = FULL")
        try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return appender.size
    }
}
