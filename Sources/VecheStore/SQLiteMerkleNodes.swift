import VecheLedger

/// The stored Merkle nodes: leaves from `entries.leaf`, complete subtrees of level ≥ 1 from
/// `nodes`. Any root or proof reads O(log n) rows; nothing replays the log.
struct SQLiteMerkleNodes: MerkleNodeSource {
    let db: SQLiteConnection

    func node(level: Int, index: Int) throws -> [UInt8] {
        let statement: SQLiteStatement
        if level == 0 {
            statement = try db.statement("SELECT leaf FROM entries WHERE seq = ?")
            try statement.bind([.int(Int64(index))])
        } else {
            statement = try db.statement("SELECT hash FROM nodes WHERE id = ?")
            try statement.bind([.int(StoreSchema.nodeKey(level: level, index: index))])
        }
        guard try statement.step() else {
            throw StoreError(.corrupt, "Merkle node (\(level), \(index)) is missing from the database")
        }
        return statement.blob(0)
    }

    /// Writes the nodes an append produced (level 0 is already in `entries`).
    func store(_ nodes: [MerkleNode]) throws {
        let insert = try db.statement("INSERT OR REPLACE INTO nodes(id, hash) VALUES(?, ?)")
        for node in nodes where node.id.level > 0 {
            try insert.run([.int(StoreSchema.nodeKey(level: node.id.level, index: node.id.index)), .blob(node.hash)])
        }
    }
}
