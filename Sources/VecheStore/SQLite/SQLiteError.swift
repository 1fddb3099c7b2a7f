internal import CSQLite

/// An error from SQLite: the result code, SQLite's message and the SQL that failed.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    /// The (extended) SQLite result code.
    public let code: Int32
    /// SQLite's message.
    public let message: String
    /// The statement, when one was running.
    public let sql: String?

    /// Whether the database file is damaged or not a database.
    public var isCorruption: Bool {
        let primary = code & 0xFF
        return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB
    }

    public var description: String {
        var text = "SQLite error \(code): \(message)"
        if let sql { text += " [\(sql)]" }
        return text
    }
}

/// Turns a SQLite result code into a thrown error when it is not one of `ok`.
@inline(__always)
func check(_ code: Int32, _ db: OpaquePointer?, sql: String? = nil, ok: Set<Int32> = [SQLITE_OK]) throws(SQLiteError) {
    guard ok.contains(code) else {
        let message = db.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
        throw SQLiteError(code: code, message: message, sql: sql)
    }
}
