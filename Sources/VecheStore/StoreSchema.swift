/// The database schema and its forward migrations.
///
/// Entries are the truth; every other table is a projection that changes in the same
/// transaction as the entry that caused it.
enum StoreSchema {
    /// The version this build writes.
    static let currentVersion = 1

    /// Migrations from version n−1 to n, applied in order.
    static let migrations: [Int: String] = [
        1: """
            CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
            CREATE TABLE entries(seq INTEGER PRIMARY KEY, leaf BLOB NOT NULL, body BLOB NOT NULL, type TEXT NOT NULL);
            CREATE INDEX entries_by_type ON entries(type, seq);
            CREATE TABLE nodes(id INTEGER PRIMARY KEY, hash BLOB NOT NULL);
            CREATE TABLE checkpoints(size INTEGER PRIMARY KEY, note TEXT NOT NULL);
            CREATE TABLE commands(id TEXT PRIMARY KEY, seq INTEGER NOT NULL, fingerprint BLOB NOT NULL) WITHOUT ROWID;
            CREATE TABLE buildings(id TEXT PRIMARY KEY, register_seq INTEGER NOT NULL, administrator_seq INTEGER) WITHOUT ROWID;
            CREATE TABLE owner_keys(key TEXT PRIMARY KEY, owner TEXT NOT NULL, seq INTEGER NOT NULL) WITHOUT ROWID;
            CREATE TABLE meetings(
                id TEXT PRIMARY KEY, building TEXT NOT NULL, create_seq INTEGER NOT NULL, register_seq INTEGER NOT NULL,
                closes_at INTEGER NOT NULL, cancelled_seq INTEGER, closed_seq INTEGER) WITHOUT ROWID;
            CREATE INDEX meetings_by_building ON meetings(building, create_seq);
            CREATE INDEX meetings_due ON meetings(closes_at) WHERE cancelled_seq IS NULL AND closed_seq IS NULL;
            CREATE TABLE proxies(meeting TEXT NOT NULL, owner TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL,
                PRIMARY KEY(meeting, owner, key)) WITHOUT ROWID;
            CREATE TABLE ballots(meeting TEXT NOT NULL, seq INTEGER NOT NULL, source TEXT NOT NULL,
                PRIMARY KEY(meeting, seq)) WITHOUT ROWID;
            """
    ]

    /// Brings a freshly opened read-write database to `currentVersion`.
    static func migrate(_ db: SQLiteConnection) throws {
        let version = Int(try db.scalarInt("PRAGMA user_version") ?? 0)
        guard version <= currentVersion else {
            throw StoreError(.directory, "the database has schema version \(version); this build knows up to \(currentVersion)")
        }
        guard version < currentVersion else { return }
        try db.transaction {
            for next in (version + 1)...currentVersion {
                guard let sql = migrations[next] else { preconditionFailure("no migration to schema \(next)") }
                try db.execute(sql)
            }
            try db.execute("PRAGMA user_version = \(currentVersion)")
        }
    }

    /// The Merkle node key: complete subtrees of level ≥ 1 (level 0 lives in `entries.leaf`).
    static func nodeKey(level: Int, index: Int) -> Int64 {
        Int64(level) << 56 | Int64(index)
    }
}
