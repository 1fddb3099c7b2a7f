import Glibc

/// A request for `HTTPClient` and `HTTPLoadGenerator`.
public struct HTTPClientRequest: Sendable {
    /// The method token.
    public var method: String
    /// The request target (`/v1/entries?from=0`).
    public var target: String
    /// Header fields; `Host` and `Content-Length` are added when absent.
    public var headers: HTTPHeaders
    /// The body.
    public var body: [UInt8]

    /// Creates a request.
    public init(method: String = "GET", target: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }

    /// Whether repeating the request is harmless (RFC 9110 §9.2.2), so a stale connection may be retried.
    var isIdempotent: Bool {
        ["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"].contains(method)
    }

    /// The wire bytes; throws when the method, target or a header would break framing.
    func encoded(authority: String) throws(HTTPError) -> [UInt8] {
        guard !method.isEmpty, method.utf8.allSatisfy(RequestHeadParser.isTokenByte) else {
            throw HTTPError(.malformedRequest, "request method '\(method)' is not a token")
        }
        guard !target.isEmpty, target.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw HTTPError(.malformedRequest, "request target must be percent-encoded visible ASCII")
        }
        var bytes = Array("\(method) \(target) HTTP/1.1\r\n".utf8)
        bytes.reserveCapacity(bytes.count + 128 + body.count)
        if !headers.contains("Host") { bytes.append(contentsOf: "Host: \(authority)\r\n".utf8) }
        for field in headers where !HTTPHeaders.namesEqual(field.name, "Content-Length") {
            guard !field.name.isEmpty, field.name.utf8.allSatisfy(RequestHeadParser.isTokenByte),
                  field.value.utf8.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
                throw HTTPError(.malformedRequest, "header '\(field.name)': invalid name or control character in value")
            }
            bytes.append(contentsOf: "\(field.name): \(field.value)\r\n".utf8)
        }
        if !body.isEmpty || ["POST", "PUT", "PATCH"].contains(method) {
            bytes.append(contentsOf: "Content-Length: \(body.count)\r\n".utf8)
        }
        bytes.append(contentsOf: [0x0D, 0x0A])
        bytes.append(contentsOf: body)
        return bytes
    }
}

/// A small blocking HTTP/1.1 client over one keep-alive connection (no TLS, no chunked bodies).
///
/// For tests, the CLI and benchmarks. One request at a time; not for sharing between
/// threads. A reused connection the server has meanwhile closed is detected before
/// sending, and an idempotent request that meets a stale connection is retried once.
public final class HTTPClient {
    /// The server's host.
    public let host: String
    /// The server's port.
    public let port: Int
    /// Time allowed for one whole exchange (connect, send, receive).
    public var timeout: Duration
    /// The largest response body accepted.
    public let maxResponseBodyBytes: Int

    private var fd: Int32 = -1
    private var decoder: ResponseDecoder
    private let authority: String

    /// A client for `host:port`; nothing connects until the first request.
    public init(host: String, port: Int, timeout: Duration = .seconds(30), maxResponseBodyBytes: Int = 64 * 1024 * 1024) {
        self.host = host
        self.port = port
        self.timeout = timeout
        self.maxResponseBodyBytes = maxResponseBodyBytes
        decoder = ResponseDecoder(maxBodyBytes: maxResponseBodyBytes)
        authority = HTTPURL(host: host, port: port).authority
    }

    /// A client for the server of `url` (its target is ignored).
    public convenience init(url: HTTPURL, timeout: Duration = .seconds(30), maxResponseBodyBytes: Int = 64 * 1024 * 1024) {
        self.init(host: url.host, port: url.port, timeout: timeout, maxResponseBodyBytes: maxResponseBodyBytes)
    }

    deinit {
        if fd >= 0 { Posix.close(fd) }
    }

    /// Whether a connection is open now.
    public var isConnected: Bool { fd >= 0 }

    /// Closes the connection; the next request opens a new one.
    public func close() {
        if fd >= 0 { Posix.close(fd) }
        fd = -1
        decoder.reset()
    }

    /// `GET target`.
    public func get(_ target: String, headers: HTTPHeaders = HTTPHeaders()) throws(HTTPError) -> HTTPResponse {
        try send(HTTPClientRequest(method: "GET", target: target, headers: headers))
    }

    /// `POST target` with `body` of `contentType`.
    public func post(
        _ target: String, body: [UInt8], contentType: String = "application/json", headers: HTTPHeaders = HTTPHeaders()
    ) throws(HTTPError) -> HTTPResponse {
        var headers = headers
        if !headers.contains("Content-Type") { headers.add(name: "Content-Type", value: contentType) }
        return try send(HTTPClientRequest(method: "POST", target: target, headers: headers, body: body))
    }

    /// Sends `request` and reads its response, reusing the connection when the server keeps it open.
    public func send(_ request: HTTPClientRequest) throws(HTTPError) -> HTTPResponse {
        let bytes = try request.encoded(authority: authority)
        let deadline = Posix.monotonicNanoseconds() + timeout.nanoseconds
        var reused = fd >= 0
        if reused, !connectionLooksAlive() {
            close()
            reused = false
        }
        do {
            return try exchange(bytes, headRequest: request.method == "HEAD", deadline: deadline)
        } catch {
            // A keep-alive connection the server closed just as we reused it: safe to retry only if idempotent.
            guard reused, request.isIdempotent, error.code == .connectionClosed || error.systemError == EPIPE
                || error.systemError == ECONNRESET else { throw error }
            close()
            return try exchange(bytes, headRequest: request.method == "HEAD", deadline: deadline)
        }
    }

    private func exchange(_ bytes: [UInt8], headRequest: Bool, deadline: Int64) throws(HTTPError) -> HTTPResponse {
        if fd < 0 { fd = try Posix.connect(host: host, port: port, deadline: deadline) }
        do {
            try writeAll(bytes, deadline: deadline)
        } catch {
            // The server may have answered early (413 before the body) and closed: read that answer.
            if let response = try? readResponse(headRequest: headRequest, deadline: deadline) {
                close()
                return response
            }
            close()
            throw error
        }
        do {
            let response = try readResponse(headRequest: headRequest, deadline: deadline)
            if Self.closes(response) { close() }
            return response
        } catch {
            close()
            throw error
        }
    }

    /// Whether the server announced it will close after `response`.
    static func closes(_ response: HTTPResponse) -> Bool {
        response.headers.listContains("Connection", token: "close")
    }

    /// False when the idle connection has been closed by the server (EOF or stray bytes waiting).
    private func connectionLooksAlive() -> Bool {
        guard decoder.isIdle else { return false }
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&entry, 1, 0)
        if ready == 0 { return true }
        return false
    }

    // MARK: - Raw access (tests drive malformed traffic through these)

    /// Connects if not connected.
    func connectIfNeeded() throws(HTTPError) {
        if fd < 0 {
            fd = try Posix.connect(host: host, port: port, deadline: Posix.monotonicNanoseconds() + timeout.nanoseconds)
        }
    }

    /// Writes `bytes` as they are.
    func sendRaw(_ bytes: [UInt8]) throws(HTTPError) {
        try connectIfNeeded()
        try writeAll(bytes, deadline: Posix.monotonicNanoseconds() + timeout.nanoseconds)
    }

    /// Reads one response.
    func receive(headRequest: Bool = false) throws(HTTPError) -> HTTPResponse {
        try connectIfNeeded()
        return try readResponse(headRequest: headRequest, deadline: Posix.monotonicNanoseconds() + timeout.nanoseconds)
    }

    /// Whether input (or EOF) is waiting within `within`.
    func waitReadable(within: Duration) -> Bool {
        guard fd >= 0 else { return false }
        if !decoder.buffer.isEmpty { return true }
        return Posix.waitFor(fd, events: Int16(POLLIN), deadline: Posix.monotonicNanoseconds() + within.nanoseconds) == .ready
    }

    /// Reads exactly `count` raw bytes (bypassing the response decoder), or fewer if the peer closes or time runs out.
    func readExactly(_ count: Int, within: Duration) -> [UInt8] {
        guard fd >= 0 else { return [] }
        let deadline = Posix.monotonicNanoseconds() + within.nanoseconds
        var collected: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: count)
        while collected.count < count {
            let wanted = count - collected.count
            let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, wanted, 0) }
            if received > 0 {
                collected.append(contentsOf: chunk[0..<received])
            } else if received < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
                if Posix.waitFor(fd, events: Int16(POLLIN), deadline: deadline) != .ready { break }
            } else {
                break
            }
        }
        return collected
    }

    /// How the connection ended when read to the end.
    enum Ending: Equatable {
        /// The peer closed cleanly (FIN).
        case closed
        /// The peer reset the connection.
        case reset
        /// Nothing within the time allowed.
        case timedOut
    }

    /// Reads until the peer closes or `within` passes; returns the bytes received (after any buffered) and how it ended.
    func readToEnd(within: Duration) -> (bytes: [UInt8], ending: Ending) {
        var collected = decoder.buffer
        decoder.reset()
        guard fd >= 0 else { return (collected, .closed) }
        let deadline = Posix.monotonicNanoseconds() + within.nanoseconds
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                collected.append(contentsOf: chunk[0..<count])
                continue
            }
            if count == 0 { return (collected, .closed) }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK:
                if Posix.waitFor(fd, events: Int16(POLLIN), deadline: deadline) != .ready { return (collected, .timedOut) }
            default:
                return (collected, .reset)
            }
        }
    }

    // MARK: - I/O

    private func writeAll(_ bytes: [UInt8], deadline: Int64) throws(HTTPError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written > 0 {
                offset += written
                continue
            }
            let failure = errno
            switch failure {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK:
                switch Posix.waitFor(fd, events: Int16(POLLOUT), deadline: deadline) {
                case .ready: continue
                case .timedOut: throw HTTPError(.timeout, "sending the request timed out")
                case .failed(let code): throw .system("poll", code)
                }
            default:
                throw .system("send", failure, code: .connectionClosed)
            }
        }
    }

    private func readResponse(headRequest: Bool, deadline: Int64) throws(HTTPError) -> HTTPResponse {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            if let response = try decoder.next(headRequest: headRequest, atEOF: false) { return response }
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                chunk.withUnsafeBytes { decoder.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                continue
            }
            if count == 0 {
                guard let response = try decoder.next(headRequest: headRequest, atEOF: true) else {
                    throw HTTPError(.connectionClosed, "the server closed the connection without a response")
                }
                return response
            }
            let failure = errno
            switch failure {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK:
                switch Posix.waitFor(fd, events: Int16(POLLIN), deadline: deadline) {
                case .ready: continue
                case .timedOut: throw HTTPError(.timeout, "no complete response within \(timeout)")
                case .failed(let code): throw .system("poll", code)
                }
            default:
                throw .system("recv", failure, code: .connectionClosed)
            }
        }
    }
}
