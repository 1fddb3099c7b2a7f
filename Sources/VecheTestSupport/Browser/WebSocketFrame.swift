/// One RFC 6455 frame, and the codec the WebSocket client uses (pure, so it is testable alone).
public struct WebSocketFrame: Sendable, Equatable {
    /// Frame opcodes (RFC 6455 §5.2).
    public enum Opcode: UInt8, Sendable {
        case continuation = 0x0
        case text = 0x1
        case binary = 0x2
        case close = 0x8
        case ping = 0x9
        case pong = 0xA

        /// Whether this is a control frame (close, ping, pong).
        public var isControl: Bool { rawValue & 0x8 != 0 }
    }

    /// Whether this is the last frame of its message.
    public var fin: Bool
    /// What the payload is.
    public var opcode: Opcode
    /// The unmasked payload.
    public var payload: [UInt8]

    /// A frame from its parts.
    public init(fin: Bool = true, opcode: Opcode, payload: [UInt8]) {
        self.fin = fin
        self.opcode = opcode
        self.payload = payload
    }

    /// The wire bytes; clients pass a 4-byte `mask` (RFC 6455 §5.3), servers nil.
    public func encoded(mask: [UInt8]?) -> [UInt8] {
        var out: [UInt8] = [(fin ? 0x80 : 0) | opcode.rawValue]
        let maskBit: UInt8 = mask == nil ? 0 : 0x80
        if payload.count < 126 {
            out.append(maskBit | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            out.append(maskBit | 126)
            out += [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            out.append(maskBit | 127)
            let length = UInt64(payload.count)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: length >> UInt64(shift))) }
        }
        if let mask {
            precondition(mask.count == 4, "a WebSocket mask is 4 bytes")
            out += mask
            out += payload.enumerated().map { $0.element ^ mask[$0.offset & 3] }
        } else {
            out += payload
        }
        return out
    }
}

/// Why a WebSocket exchange failed.
public struct WebSocketError: Error, Sendable, CustomStringConvertible {
    /// A short description a person can act on.
    public let message: String

    /// An error with `message`.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { "WebSocket: \(message)" }
}

/// Cuts frames out of the bytes a server sends, enforcing the client-side rules of RFC 6455:
/// server frames are never masked, reserved bits and opcodes are refused, control frames are
/// short and unfragmented, and no frame exceeds `maxPayload`.
public struct WebSocketFrameParser: Sendable {
    /// The largest payload accepted in one frame.
    public let maxPayload: Int
    private var buffer: [UInt8] = []

    /// A parser refusing frames larger than `maxPayload` bytes.
    public init(maxPayload: Int) {
        self.maxPayload = maxPayload
    }

    /// Adds received bytes.
    public mutating func feed(_ bytes: some Collection<UInt8>) {
        buffer += bytes
    }

    /// The next complete frame, nil when more bytes are needed; throws on a protocol violation.
    public mutating func next() throws(WebSocketError) -> WebSocketFrame? {
        guard buffer.count >= 2 else { return nil }
        let first = buffer[0]
        let second = buffer[1]
        guard first & 0x70 == 0 else { throw WebSocketError("reserved bits set without an extension") }
        guard let opcode = WebSocketFrame.Opcode(rawValue: first & 0x0F) else {
            throw WebSocketError("unknown opcode \(first & 0x0F)")
        }
        let fin = first & 0x80 != 0
        guard second & 0x80 == 0 else { throw WebSocketError("a server frame must not be masked") }
        var length = UInt64(second & 0x7F)
        var offset = 2
        if length == 126 {
            guard buffer.count >= 4 else { return nil }
            length = UInt64(buffer[2]) << 8 | UInt64(buffer[3])
            guard length >= 126 else { throw WebSocketError("non-minimal 16-bit length") }
            offset = 4
        } else if length == 127 {
            guard buffer.count >= 10 else { return nil }
            length = buffer[2..<10].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard length >> 63 == 0 else { throw WebSocketError("64-bit length with the high bit set") }
            guard length > 0xFFFF else { throw WebSocketError("non-minimal 64-bit length") }
            offset = 10
        }
        if opcode.isControl {
            guard fin else { throw WebSocketError("a control frame must not be fragmented") }
            guard length <= 125 else { throw WebSocketError("a control frame payload is at most 125 bytes") }
        }
        guard length <= UInt64(maxPayload) else {
            throw WebSocketError("frame of \(length) bytes exceeds the limit of \(maxPayload)")
        }
        let end = offset + Int(length)
        guard buffer.count >= end else { return nil }
        let payload = Array(buffer[offset..<end])
        buffer.removeFirst(end)
        return WebSocketFrame(fin: fin, opcode: opcode, payload: payload)
    }
}

/// Joins fragmented data frames into messages and picks out control frames.
public struct WebSocketMessageAssembler: Sendable {
    /// What one frame amounted to.
    public enum Event: Sendable, Equatable {
        /// A complete text message.
        case text(String)
        /// A complete binary message.
        case binary([UInt8])
        /// A ping to answer with a pong carrying `payload`.
        case ping([UInt8])
        /// A pong (ignored by the client).
        case pong
        /// The peer closes, with its status code when it sent one.
        case close(code: UInt16?, reason: String)
        /// A fragment; the message is not complete yet.
        case partial
    }

    /// The largest reassembled message accepted.
    public let maxMessage: Int
    private var opcode: WebSocketFrame.Opcode?
    private var parts: [UInt8] = []

    /// An assembler refusing messages larger than `maxMessage` bytes.
    public init(maxMessage: Int) {
        self.maxMessage = maxMessage
    }

    /// Takes one frame in wire order.
    public mutating func take(_ frame: WebSocketFrame) throws(WebSocketError) -> Event {
        switch frame.opcode {
        case .ping:
            return .ping(frame.payload)
        case .pong:
            return .pong
        case .close:
            guard frame.payload.count != 1 else { throw WebSocketError("a close payload of one byte") }
            let code = frame.payload.count >= 2 ? UInt16(frame.payload[0]) << 8 | UInt16(frame.payload[1]) : nil
            let reason = frame.payload.count > 2 ? String(decoding: frame.payload[2...], as: UTF8.self) : ""
            return .close(code: code, reason: reason)
        case .text, .binary:
            guard opcode == nil else { throw WebSocketError("a new message began inside a fragmented one") }
            opcode = frame.opcode
            parts = []
        case .continuation:
            guard opcode != nil else { throw WebSocketError("a continuation frame without a message") }
        }
        guard parts.count + frame.payload.count <= maxMessage else {
            throw WebSocketError("message exceeds the limit of \(maxMessage) bytes")
        }
        parts += frame.payload
        guard frame.fin, let kind = opcode else { return .partial }
        opcode = nil
        let message = parts
        parts = []
        if kind == .binary { return .binary(message) }
        guard let text = String(validating: message, as: UTF8.self) else {
            throw WebSocketError("a text message is not valid UTF-8")
        }
        return .text(text)
    }
}
