internal import CSQLite

/// One SQLite connection, owned by one thing at a time (not Sendable on purpose).
///
/// Statements are prepared once and cached by their SQL text.
public final class SQLiteConnection {
    let handle: OpaquePointer
    private var cache: [String: SQLiteStatement] = [:]

    /// How to open the file.
    public enum Mode: Sendable {
        case readWrite
        case readWriteCreate
        case readOnly
    }

    /// Opens `path`.
    public init(path: String, mode: Mode) throws(SQLiteError) {
        var pointer: OpaquePointer?
        let flags: Int32 =
            switch mode {
            case .readWrite: SQLITE_OPEN_READWRITE
            case .readWriteCreate: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
            case .readOnly: SQLITE_OPEN_READONLY
            }
        let code = sqlite3_open_v2(path, &pointer, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard code == SQLITE_OK, let pointer else {
            let message = pointer.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_close_v2(pointer)
            throw SQLiteError(code: code, message: "cannot open \(path): \(message)", sql: nil)
        }
        self.handle = pointer
        sqlite3_extended_result_codes(pointer, 1)
        sqlite3_busy_timeout(pointer, 10_000)
    }

    deinit {
        cache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that return no rows.
    ///
    /// Cached statements are reset first: a statement left on a row keeps its read open, and
    /// SQLite refuses to COMMIT while one is.
    public func execute(_ sql: String) throws(SQLiteError) {
        resetStatements()
        var error: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &error)
        if code != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_free(error)
            throw SQLiteError(code: code, message: message, sql: sql)
        }
    }

    /// Resets every cached statement, ending the implicit read transaction a half-stepped
    /// statement keeps open (which would pin an old snapshot and block COMMIT).
    public func resetStatements() {
        for statement in cache.values { statement.reset() }
    }

    /// A cached prepared statement for `sql`, reset and with bindings cleared.
    public func statement(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        if let cached = cache[sql] {
            cached.reset()
            return cached
        }
        let statement = try SQLiteStatement(connection: self, sql: sql)
        cache[sql] = statement
        return statement
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`, rolling back if it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs `body` inside a read transaction (`BEGIN … COMMIT`): one consistent snapshot.
    public func readTransaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        defer { try? execute("COMMIT") }
        return try body()
    }

    /// Rows changed by the last statement.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// A single integer from a query, or nil when it returns no row or NULL.
    public func scalarInt(_ sql: String, _ bindings: [SQLiteValue] = []) throws(SQLiteError) -> Int64? {
        let statement = try statement(sql)
        try statement.bind(bindings)
        guard try statement.step() else { return nil }
        return statement.isNull(0) ? nil : statement.int64(0)
    }

    /// The SQLite library version string.
    public static var libraryVersion: String { String(cString: sqlite3_libversion()) }
}

/// A value to bind.
public enum SQLiteValue: Sendable {
    case int(Int64)
    case text(String)
    case blob([UInt8])
    case null
}

/// One prepared statement, finalized in `deinit`.
public final class SQLiteStatement {
    let pointer: OpaquePointer
    unowned let connection: SQLiteConnection
    public let sql: String

    init(connection: SQLiteConnection, sql: String) throws(SQLiteError) {
        var pointer: OpaquePointer?
        let code = sqlite3_prepare_v3(connection.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &pointer, nil)
        try check(code, connection.handle, sql: sql)
        guard let pointer else { throw SQLiteError(code: SQLITE_MISUSE, message: "empty statement", sql: sql) }
        self.pointer = pointer
        self.connection = connection
        self.sql = sql
    }

    deinit { sqlite3_finalize(pointer) }

    /// Resets for re-execution and clears bindings.
    public func reset() {
        sqlite3_reset(pointer)
        sqlite3_clear_bindings(pointer)
    }

    /// Binds values to parameters 1…n.
    public func bind(_ values: [SQLiteValue]) throws(SQLiteError) {
        for (offset, value) in values.enumerated() {
            try bind(value, at: Int32(offset + 1))
        }
    }

    /// Binds one value (1-based index). Text and blobs are copied (SQLITE_TRANSIENT).
    public func bind(_ value: SQLiteValue, at index: Int32) throws(SQLiteError) {
        let code: Int32
        switch value {
        case .int(let number):
            code = sqlite3_bind_int64(pointer, index, number)
        case .text(let text):
            code = sqlite3_bind_text(pointer, index, text, -1, sqliteTransient)
        case .blob(let bytes):
            code = bytes.withUnsafeBytes { buffer in
                sqlite3_bind_blob(pointer, index, buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(buffer.count), sqliteTransient)
            }
        case .null:
            code = sqlite3_bind_null(pointer, index)
        }
        try check(code, connection.handle, sql: sql)
    }

    /// Steps once: true when a row is available, false when done.
    @discardableResult
    public func step() throws(SQLiteError) -> Bool {
        let code = sqlite3_step(pointer)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            try check(code, connection.handle, sql: sql)
            return false
        }
    }

    /// Binds, runs to completion and resets.
    public func run(_ values: [SQLiteValue] = []) throws(SQLiteError) {
        reset()
        try bind(values)
        while try step() {}
        sqlite3_reset(pointer)
    }

    /// Whether column `index` is NULL.
    public func isNull(_ index: Int32) -> Bool { sqlite3_column_type(pointer, index) == SQLITE_NULL }

    /// Column `index` as an integer.
    public func int64(_ index: Int32) -> Int64 { sqlite3_column_int64(pointer, index) }

    /// Column `index` as an Int.
    public func int(_ index: Int32) -> Int { Int(sqlite3_column_int64(pointer, index)) }

    /// Column `index` as text.
    public func text(_ index: Int32) -> String {
        guard let bytes = sqlite3_column_text(pointer, index) else { return "" }
        let count = Int(sqlite3_column_bytes(pointer, index))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    /// Column `index` as bytes.
    public func blob(_ index: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(pointer, index))
        guard count > 0, let bytes = sqlite3_column_blob(pointer, index) else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: bytes, count: count))
    }
}

/// SQLite's SQLITE_TRANSIENT destructor: SQLite copies the bytes before the bind returns.
private let sqliteTransient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
