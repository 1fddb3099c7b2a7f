/// A failure of the durable store (not a refusal of a command: those are `LedgerError`).
public struct StoreError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure.
    public enum Code: String, Sendable {
        /// The ingest queue is full: retry later (HTTP 503).
        case overloaded
        /// The data directory is missing, not empty when it must be, or lacks its files.
        case directory
        /// The database or a key file is damaged, truncated or inconsistent.
        case corrupt
        /// SQLite or the file system failed.
        case io
        /// The store is shutting down.
        case closed
        /// Something asked for does not exist (a seq beyond the size, an unknown meeting).
        case notFound
        /// Arguments out of range (proof sizes, query bounds).
        case invalidArgument
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// The HTTP status this failure answers with.
    public var status: Int {
        switch code {
        case .overloaded, .closed: 503
        case .notFound: 404
        case .invalidArgument: 400
        case .directory, .corrupt, .io: 500
        }
    }
}

extension StoreError {
    /// Wraps a SQLite error, classifying corruption.
    init(_ error: SQLiteError, while doing: String) {
        self.init(error.isCorruption ? .corrupt : .io, "\(doing): \(error)")
    }
}
