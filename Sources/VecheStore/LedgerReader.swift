import Foundation
public import VecheCore
public import VecheLedger

/// Read-only access to a data directory, safe while `veche serve` runs on it (WAL readers
/// never block the writer and see one consistent snapshot per call).
public struct LedgerReader {
    private let db: SQLiteConnection

    /// Opens `directory`'s database read-only.
    public init(directory: String) throws {
        let path = LedgerStore.path(directory, LedgerStore.Files.database)
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError(.directory, "\(directory) is not a Veche data directory (no \(LedgerStore.Files.database))")
        }
        do {
            db = try SQLiteConnection(path: path, mode: .readOnly)
            _ = try db.scalarInt("SELECT COUNT(*) FROM checkpoints")
        } catch {
            throw StoreError(error, while: "opening \(path)")
        }
    }

    /// Writes the election record from one snapshot; returns the number of entries.
    public func exportRecord(to sink: ([UInt8]) throws -> Void) throws -> Int {
        do {
            return try db.readTransaction {
                let statement = try db.statement("SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1")
                guard try statement.step() else { throw StoreError(.corrupt, "no checkpoint stored") }
                let size = statement.int(0)
                let note = statement.text(1)
                let rows = try db.statement("SELECT body FROM entries WHERE seq < ? ORDER BY seq")
                try rows.bind([.int(Int64(size))])
                var buffer: [UInt8] = []
                buffer.reserveCapacity(1 << 20)
                var count = 0
                while try rows.step() {
                    buffer += rows.blob(0)
                    buffer.append(0x0A)
                    count += 1
                    if buffer.count >= 1 << 20 {
                        try sink(buffer)
                        buffer.removeAll(keepingCapacity: true)
                    }
                }
                guard count == size else { throw StoreError(.corrupt, "the checkpoint covers \(size) entries but \(count) are stored") }
                buffer += ElectionRecord.checkpointLine(note: note)
                try sink(buffer)
                return size
            }
        } catch let error as SQLiteError {
            throw StoreError(error, while: "exporting")
        }
    }

    /// A meeting and its tally recomputed from the stored ballots.
    public func meetingTally(_ id: String) throws -> (meeting: MeetingRecord, tally: Tally)? {
        do {
            return try db.readTransaction {
                guard let meeting = try SQLiteStateView.loadMeeting(db, id: id) else { return nil }
                return (meeting, try SQLiteStateView.loadTally(db, meeting: meeting))
            }
        } catch let error as SQLiteError {
            throw StoreError(error, while: "reading meeting \(id)")
        }
    }

    /// The entries a meeting's protocol is built from (see `LedgerStore.meetingEntries`).
    public func meetingEntries(_ id: String) throws -> [(entry: LedgerEntry, leaf: [UInt8])] {
        do {
            return try db.readTransaction { try SQLiteStateView.protocolEntries(db, meeting: id) }
        } catch let error as SQLiteError {
            throw StoreError(error, while: "reading meeting \(id)")
        }
    }

    /// The latest signed checkpoint note.
    public func latestCheckpoint() throws -> String {
        do {
            let statement = try db.statement("SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1")
            guard try statement.step() else { throw StoreError(.corrupt, "no checkpoint stored") }
            defer { statement.reset() }
            return statement.text(0)
        } catch let error as SQLiteError {
            throw StoreError(error, while: "reading the checkpoint")
        }
    }
}
