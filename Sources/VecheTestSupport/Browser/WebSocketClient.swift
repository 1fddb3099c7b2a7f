import Foundation
import VecheCrypto

/// A minimal blocking RFC 6455 WebSocket client: handshake with `Sec-WebSocket-Accept`
/// check, masked client frames, text messages, fragmentation, ping/pong and close.
///
/// One user at a time (not thread-safe); every call takes a deadline so a silent peer
/// cannot hang a test.
public final class WebSocketClient {
    /// The GUID RFC 6455 §1.3 appends to the key.
    static let acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    private let socket: LoopbackSocket
    private var parser: WebSocketFrameParser
    private var assembler: WebSocketMessageAssembler
    private var closed = false

    /// Connects to a `ws://host:port/path` URL and completes the opening handshake.
    public init(url: String, timeout: Duration = .seconds(10), maxMessage: Int = 64 * 1024 * 1024) throws(WebSocketError) {
        guard url.hasPrefix("ws://") else { throw WebSocketError("only ws:// URLs are supported: \(url)") }
        let rest = url.dropFirst("ws://".count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        let path = slash == rest.endIndex ? "/" : String(rest[slash...])
        guard let colon = authority.lastIndex(of: ":"), let port = Int(authority[authority.index(after: colon)...]) else {
            throw WebSocketError("the URL has no port: \(url)")
        }
        let host = String(authority[..<colon])
        let deadline = ContinuousClock.now.advanced(by: timeout)
        socket = try LoopbackSocket(host: host, port: port, deadline: deadline)
        parser = WebSocketFrameParser(maxPayload: maxMessage)
        assembler = WebSocketMessageAssembler(maxMessage: maxMessage)

        let key = Base64.encode(Self.randomBytes(16))
        let request =
            "GET \(path) HTTP/1.1\r\nHost: \(authority)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n\r\n"
        try socket.write(Array(request.utf8), deadline: deadline)
        var received: [UInt8] = []
        var headEnd: Int?
        while headEnd == nil {
            let chunk = try socket.read(deadline: deadline)
            guard !chunk.isEmpty else { throw WebSocketError("the server closed during the handshake") }
            received += chunk
            guard received.count <= 16 * 1024 else { throw WebSocketError("handshake response head too large") }
            headEnd = Self.headEnd(received)
        }
        let head = String(decoding: received[..<headEnd!], as: UTF8.self)
        try Self.checkHandshake(head: head, key: key)
        parser.feed(received[(headEnd! + 4)...])
    }

    deinit { socket.close() }

    /// The `Sec-WebSocket-Accept` value a server must send for `key`.
    public static func acceptValue(forKey key: String) -> String {
        Base64.encode(SHA1.hash(Array((key + acceptGUID).utf8)))
    }

    /// Checks a 101 response head against RFC 6455 §4.1 (status, Upgrade, Connection, Accept).
    static func checkHandshake(head: String, key: String) throws(WebSocketError) {
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        guard let status = lines.first, status.hasPrefix("HTTP/1.1 101") else {
            throw WebSocketError("handshake refused: \(lines.first.map(String.init) ?? "no status line")")
        }
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            fields[name] = value
        }
        guard fields["upgrade"]?.lowercased() == "websocket" else { throw WebSocketError("handshake: missing Upgrade: websocket") }
        guard let connection = fields["connection"]?.lowercased(),
            connection.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == "upgrade" })
        else { throw WebSocketError("handshake: missing Connection: Upgrade") }
        guard fields["sec-websocket-accept"] == acceptValue(forKey: key) else {
            throw WebSocketError("handshake: Sec-WebSocket-Accept does not match the key")
        }
    }

    /// Sends one text message (a single masked frame).
    public func send(text: String, timeout: Duration = .seconds(10)) throws(WebSocketError) {
        guard !closed else { throw WebSocketError("send after close") }
        let frame = WebSocketFrame(opcode: .text, payload: Array(text.utf8))
        try socket.write(frame.encoded(mask: Self.randomBytes(4)), deadline: ContinuousClock.now.advanced(by: timeout))
    }

    /// The next text message before `deadline`, answering pings and skipping pongs; throws
    /// when the peer closes or breaks the protocol.
    public func receiveText(deadline: ContinuousClock.Instant) throws(WebSocketError) -> String {
        while true {
            while let frame = try parser.next() {
                switch try assembler.take(frame) {
                case .text(let text):
                    return text
                case .binary:
                    continue
                case .ping(let payload):
                    try socket.write(WebSocketFrame(opcode: .pong, payload: payload).encoded(mask: Self.randomBytes(4)), deadline: deadline)
                case .pong, .partial:
                    continue
                case .close(let code, let reason):
                    answerClose(code: code)
                    throw WebSocketError("the server closed the connection (\(code.map(String.init) ?? "no code")) \(reason)")
                }
            }
            guard !closed else { throw WebSocketError("receive after close") }
            let chunk = try socket.read(deadline: deadline)
            guard !chunk.isEmpty else {
                closed = true
                throw WebSocketError("the connection ended")
            }
            parser.feed(chunk)
        }
    }

    /// Sends a close frame (1000) and closes the socket; never throws.
    public func close() {
        guard !closed else { return }
        closed = true
        let frame = WebSocketFrame(opcode: .close, payload: [0x03, 0xE8])
        try? socket.write(frame.encoded(mask: Self.randomBytes(4)), deadline: ContinuousClock.now.advanced(by: .milliseconds(500)))
        socket.close()
    }

    private func answerClose(code: UInt16?) {
        guard !closed else { return }
        closed = true
        let payload: [UInt8] = code.map { [UInt8($0 >> 8), UInt8($0 & 0xFF)] } ?? []
        try? socket.write(WebSocketFrame(opcode: .close, payload: payload).encoded(mask: Self.randomBytes(4)), deadline: ContinuousClock.now.advanced(by: .milliseconds(500)))
        socket.close()
    }

    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i] == 0x0D && bytes[i + 1] == 0x0A && bytes[i + 2] == 0x0D && bytes[i + 3] == 0x0A {
            return i
        }
        return nil
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}
