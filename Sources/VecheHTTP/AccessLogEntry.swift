/// One request as the access log sees it; the server emits exactly one per response it sends.
public struct AccessLogEntry: Sendable, CustomStringConvertible {
    /// The request method, or `-` when the request line could not be read.
    public var method: String
    /// The request target as sent (path and query), or `-`.
    public var target: String
    /// The status sent.
    public var status: Int
    /// Body bytes sent (0 for `HEAD`).
    public var bytes: Int
    /// From the request's first byte to its response being handed to the socket.
    public var duration: Duration
    /// The peer's address.
    public var remoteAddress: String

    /// Creates an entry.
    public init(method: String, target: String, status: Int, bytes: Int, duration: Duration, remoteAddress: String) {
        self.method = method
        self.target = target
        self.status = status
        self.bytes = bytes
        self.duration = duration
        self.remoteAddress = remoteAddress
    }

    /// `127.0.0.1:50312 "GET /healthz" 200 2 153us` — one line, no trailing newline.
    ///
    /// Control characters in the target are replaced so a hostile request cannot forge log lines.
    public var description: String {
        let (seconds, attoseconds) = duration.components
        let microseconds = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        let safeTarget = String(String.UnicodeScalarView(target.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F || $0 == "\"" ? "?" : $0 }))
        return "\(remoteAddress) \"\(method) \(safeTarget)\" \(status) \(bytes) \(microseconds)us"
    }
}
