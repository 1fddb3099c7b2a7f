import Testing
import VecheCrypto
@testable import VecheTestSupport

@Suite("WebSocket codec and helpers (no browser)")
struct WebSocketCodecTests {
    @Test func sha1MatchesFIPSVectors() {
        #expect(Hex.encode(SHA1.hash(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(Hex.encode(SHA1.hash([UInt8]())) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        let twoBlocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        #expect(Hex.encode(SHA1.hash(Array(twoBlocks.utf8))) == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        #expect(Hex.encode(SHA1.hash([UInt8](repeating: 0x61, count: 1_000_000))) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    @Test func acceptValueMatchesRFC6455Example() {
        #expect(WebSocketClient.acceptValue(forKey: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    @Test func handshakeWithWrongAcceptIsRefused() throws {
        let key = "dGhlIHNhbXBsZSBub25jZQ=="
        let good = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        try WebSocketClient.checkHandshake(head: good, key: key)
        let wrong = good.replacingOccurrences(of: "xOo=", with: "xOp=")
        #expect(throws: WebSocketError.self) { try WebSocketClient.checkHandshake(head: wrong, key: key) }
        let notUpgraded = good.replacingOccurrences(of: "101 Switching Protocols", with: "200 OK")
        #expect(throws: WebSocketError.self) { try WebSocketClient.checkHandshake(head: notUpgraded, key: key) }
        let noUpgradeHeader = good.replacingOccurrences(of: "Upgrade: websocket\r\n", with: "")
        #expect(throws: WebSocketError.self) { try WebSocketClient.checkHandshake(head: noUpgradeHeader, key: key) }
    }

    @Test(arguments: [0, 1, 125, 126, 65535, 65536, 200_000])
    func framesRoundTripAtEveryLengthForm(length: Int) throws {
        let payload = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let wire = WebSocketFrame(opcode: .binary, payload: payload).encoded(mask: nil)
        var parser = WebSocketFrameParser(maxPayload: 1 << 20)
        // Fed in awkward pieces: the parser must wait for whole frames.
        var frames: [WebSocketFrame] = []
        var offset = 0
        while offset < wire.count {
            let end = min(offset + 7, wire.count)
            parser.feed(wire[offset..<end])
            offset = end
            while let frame = try parser.next() { frames.append(frame) }
        }
        #expect(frames == [WebSocketFrame(opcode: .binary, payload: payload)])
    }

    @Test func clientFramesAreMaskedWithTheGivenKey() {
        let frame = WebSocketFrame(opcode: .text, payload: Array("Hello".utf8)).encoded(mask: [0x37, 0xFA, 0x21, 0x3D])
        // RFC 6455 §5.7: a masked "Hello".
        #expect(frame == [0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58])
    }

    @Test func maskedServerFramesAreRefused() {
        var parser = WebSocketFrameParser(maxPayload: 1024)
        parser.feed([0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58])
        #expect(throws: WebSocketError.self) { try parser.next() }
    }

    @Test(arguments: [
        [UInt8]([0xC1, 0x00]),  // RSV1 without an extension
        [0x83, 0x00],  // reserved opcode 3
        [0x09, 0x00],  // fragmented ping
        [0x89, 0x7E, 0x00, 0x7E] + [UInt8](repeating: 0, count: 126),  // ping of 126 bytes
        [0x81, 0x7E, 0x00, 0x05] + Array("hello".utf8),  // non-minimal 16-bit length
        [0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0],  // 64-bit length with the top bit
    ])
    func protocolViolationsAreRefused(bytes: [UInt8]) {
        var parser = WebSocketFrameParser(maxPayload: 1 << 20)
        parser.feed(bytes)
        #expect(throws: WebSocketError.self) { try parser.next() }
    }

    @Test func oversizeFramesAreRefusedBeforeTheirPayloadArrives() {
        var parser = WebSocketFrameParser(maxPayload: 1000)
        parser.feed([0x82, 0x7E, 0x03, 0xE9])  // announces 1001 bytes, sends none
        #expect(throws: WebSocketError.self) { try parser.next() }
    }

    @Test func fragmentedMessagesAreJoinedAcrossInterleavedPings() throws {
        var assembler = WebSocketMessageAssembler(maxMessage: 1024)
        #expect(try assembler.take(WebSocketFrame(fin: false, opcode: .text, payload: Array("При".utf8))) == .partial)
        #expect(try assembler.take(WebSocketFrame(opcode: .ping, payload: [1, 2])) == .ping([1, 2]))
        // A fragment boundary inside a UTF-8 sequence is fine: only the whole message must be valid.
        let rest = Array("вет".utf8)
        #expect(try assembler.take(WebSocketFrame(fin: false, opcode: .continuation, payload: Array(rest[0..<1]))) == .partial)
        #expect(try assembler.take(WebSocketFrame(fin: true, opcode: .continuation, payload: Array(rest[1...]))) == .text("Привет"))
        #expect(try assembler.take(WebSocketFrame(opcode: .close, payload: [0x03, 0xE8, 0x6F, 0x6B])) == .close(code: 1000, reason: "ok"))
    }

    @Test func fragmentationErrorsAreRefused() throws {
        var stray = WebSocketMessageAssembler(maxMessage: 1024)
        #expect(throws: WebSocketError.self) { try stray.take(WebSocketFrame(opcode: .continuation, payload: [0x61])) }

        var interleaved = WebSocketMessageAssembler(maxMessage: 1024)
        _ = try interleaved.take(WebSocketFrame(fin: false, opcode: .text, payload: [0x61]))
        #expect(throws: WebSocketError.self) { try interleaved.take(WebSocketFrame(opcode: .text, payload: [0x62])) }

        var tooLong = WebSocketMessageAssembler(maxMessage: 4)
        _ = try tooLong.take(WebSocketFrame(fin: false, opcode: .text, payload: [0x61, 0x61, 0x61]))
        #expect(throws: WebSocketError.self) { try tooLong.take(WebSocketFrame(opcode: .continuation, payload: [0x61, 0x61])) }

        var badUTF8 = WebSocketMessageAssembler(maxMessage: 1024)
        #expect(throws: WebSocketError.self) { try badUTF8.take(WebSocketFrame(opcode: .text, payload: [0xC0, 0xAF])) }
    }

    @Test func pngHeaderIsReadAndNonPNGIsRefused() {
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
        png += [0, 0, 0x03, 0x0C, 0, 0, 0x06, 0x98, 8, 6, 0, 0, 0, 0, 0, 0, 0]
        #expect(PNGInfo(png) == PNGInfo(png))
        #expect(PNGInfo(png)?.width == 780)
        #expect(PNGInfo(png)?.height == 1688)
        var notPNG = png
        notPNG[1] = 0x51
        #expect(PNGInfo(notPNG) == nil)
        #expect(PNGInfo(Array(png.prefix(20))) == nil)
    }
}
