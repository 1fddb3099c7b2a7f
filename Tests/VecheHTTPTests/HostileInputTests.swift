import Glibc
import Testing
import VecheTestSupport
@testable import VecheHTTP

/// SplitMix64: a small seeded generator so the hostile inputs are the same on every run.
struct SeededBytes {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

@Suite("Hostile input")
struct HostileInputTests {
    static let refusals: Set<Int> = [400, 408, 411, 413, 414, 417, 431, 505]

    @Test func mutatedHeadsParseOrAreRefusedWithAKnownStatus() {
        let valid = Array("POST /v1/commands?a=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nConnection: keep-alive\r\nExpect: 100-continue".utf8)
        let alphabet = Array(" :\r\n\t%0aZ,;\u{0}\u{7F}".utf8) + [0x80, 0xFF]
        let parser = RequestHeadParser(maxHeaderCount: 100, maxBodyBytes: 1 << 20)
        var random = SeededBytes(seed: 6)
        var refused = 0
        for _ in 0..<5000 {
            var head = valid
            for _ in 0..<(1 + random.below(4)) {
                let position = random.below(head.count)
                switch random.below(3) {
                case 0: head[position] = alphabet[random.below(alphabet.count)]
                case 1: head.insert(alphabet[random.below(alphabet.count)], at: position)
                default: head.remove(at: position)
                }
            }
            do {
                let parsed = try parser.parse(ArraySlice(head))
                #expect(parsed.contentLength <= 1 << 20)
                #expect(parsed.method.utf8.allSatisfy(RequestHeadParser.isTokenByte))
            } catch {
                refused += 1
                #expect(Self.refusals.contains(error.status.code), "\(error.status) for \(head)")
            }
        }
        #expect(refused > 1000)
    }

    @Test func garbageFromManyClientsLeavesTheServerServing() async throws {
        try await withServer(testConfiguration { $0.headerReadTimeout = .milliseconds(500); $0.lingerTimeout = .milliseconds(100) }) { server in
            let port = server.port
            let outcomes = try await offPool { () -> [Int] in
                var random = SeededBytes(seed: 66)
                var clients: [HTTPClient] = []
                for round in 0..<60 {
                    let client = HTTPClient(host: "127.0.0.1", port: port, timeout: .seconds(3))
                    var bytes: [UInt8]
                    switch round % 3 {
                    case 0:  // pure noise
                        bytes = (0..<(1 + random.below(3000))).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                    case 1:  // a plausible start, then noise
                        bytes = Array("GET /x HTTP/1.1\r\nHost: a\r\n".utf8) + (0..<random.below(500)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                    default:  // noise with line breaks, then the end of a head
                        bytes = (0..<random.below(800)).map { _ in [0x0D, 0x0A, 0x41, 0x3A, 0x20][random.below(5)] } + Array("\r\n\r\n".utf8)
                    }
                    try? client.sendRaw(bytes)
                    clients.append(client)
                }
                // All sixty are open at once; heads that never end run into the header deadline together.
                let statuses = clients.map { client in
                    (try? client.receive()).map(\.status.code) ?? 0  // 0: closed without an answer
                }
                return statuses
            }
            #expect(outcomes.count == 60)
            #expect(outcomes.allSatisfy { $0 == 0 || $0 == 200 || Self.refusals.contains($0) }, "\(outcomes)")
            // Noise is refused from its request line at once (400), not left to the header deadline (408).
            let noise = stride(from: 0, to: 60, by: 3).map { outcomes[$0] }
            #expect(noise.allSatisfy { $0 == 400 }, "\(noise)")
            let port2 = server.port
            let after = try await offPool { try HTTPClient(host: "127.0.0.1", port: port2).get("/alive") }
            #expect(after.status == .ok)
            #expect(server.state == .running)
        }
    }
}
