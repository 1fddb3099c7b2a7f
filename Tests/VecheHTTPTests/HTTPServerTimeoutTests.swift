import Glibc
import Synchronization
import Testing
import VecheTestSupport
@testable import VecheHTTP

@Suite("HTTP server timeouts")
struct HTTPServerTimeoutTests {
    @Test func slowHeaderSenderIsCutOffWhileOthersAreServed() async throws {
        let configuration = testConfiguration { $0.headerReadTimeout = .seconds(1); $0.lingerTimeout = .milliseconds(200) }
        try await withServer(configuration) { server in
            let port = server.port
            async let slow = offPool { () -> (Int64, Int, String) in
                let client = HTTPClient(host: "127.0.0.1", port: port, timeout: .seconds(5))
                let head = Array("GET /slowloris HTTP/1.1\r\nHost: a\r\nX-Pad: aaaaaaaaaaaaaaaa\r\n\r\n".utf8)
                try client.connectIfNeeded()
                let start = nowMilliseconds()
                var sent = 0
                // One header byte per second, watching for the server's answer in between.
                outer: for byte in head {
                    do { try client.sendRaw([byte]) } catch { break }
                    sent += 1
                    for _ in 0..<20 {
                        if client.waitReadable(within: .milliseconds(50)) { break outer }
                    }
                }
                let cutAt = nowMilliseconds() - start
                let (bytes, _) = client.readToEnd(within: .seconds(2))
                return (cutAt, sent, String(decoding: bytes, as: UTF8.self))
            }
            // Meanwhile a normal client is served promptly, again and again.
            let worst = try await offPool { () -> Int64 in
                let client = HTTPClient(host: "127.0.0.1", port: port)
                var worst: Int64 = 0
                for index in 0..<15 {
                    let start = nowMilliseconds()
                    let response = try client.get("/fast?i=\(index)")
                    #expect(response.status == .ok)
                    worst = max(worst, nowMilliseconds() - start)
                    usleep(50_000)
                }
                return worst
            }
            let (cutAt, sent, answer) = try await slow
            #expect(cutAt >= 900 && cutAt < 4000, "cut off after \(cutAt) ms")
            #expect(sent < 5)
            #expect(answer.hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
            #expect(answer.contains("Connection: close\r\n"))
            #expect(worst < 900, "a normal request took \(worst) ms")
            #expect(server.statistics.timeouts == 1)
        }
    }

    @Test func idleKeepAliveConnectionIsClosedAfterTheIdleTimeout() async throws {
        try await withServer(testConfiguration { $0.idleTimeout = .milliseconds(300) }) { server in
            let port = server.port
            let (closedAfter, ending, bytes) = try await offPool {
                let client = HTTPClient(host: "127.0.0.1", port: port)
                _ = try client.get("/")
                let start = nowMilliseconds()
                let (bytes, ending) = client.readToEnd(within: .seconds(3))
                return (nowMilliseconds() - start, ending, bytes)
            }
            #expect(ending == .closed)
            #expect(bytes.isEmpty)
            #expect(closedAfter >= 250 && closedAfter < 2000, "closed after \(closedAfter) ms")
            #expect(server.statistics.timeouts == 0)
        }
    }

    @Test func silentNewConnectionIsClosedAtTheHeaderDeadline() async throws {
        try await withServer(testConfiguration { $0.headerReadTimeout = .milliseconds(300) }) { server in
            let port = server.port
            let (closedAfter, ending) = try await offPool {
                let client = HTTPClient(host: "127.0.0.1", port: port)
                try client.connectIfNeeded()
                let start = nowMilliseconds()
                let ending = client.readToEnd(within: .seconds(3)).ending
                return (nowMilliseconds() - start, ending)
            }
            #expect(ending == .closed)
            #expect(closedAfter >= 250 && closedAfter < 2000, "closed after \(closedAfter) ms")
        }
    }

    @Test func slowBodyGets408() async throws {
        try await withServer(testConfiguration { $0.bodyReadTimeout = .milliseconds(300) }) { server in
            let port = server.port
            let response = try await offPool {
                let client = HTTPClient(host: "127.0.0.1", port: port)
                try client.sendRaw(Array("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc".utf8))
                return try client.receive()
            }
            #expect(response.status == .requestTimeout)
            #expect(response.headers["Connection"] == "close")
        }
    }

    @Test func clientThatStopsReadingIsCutOffAtTheWriteDeadline() async throws {
        try await withServer(testConfiguration { $0.writeTimeout = .milliseconds(300) }) { server in
            let port = server.port
            let size = 32 * 1024 * 1024
            let (received, ending) = try await offPool {
                let client = HTTPClient(host: "127.0.0.1", port: port)
                try client.sendRaw(Array("GET /big?n=\(size) HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
                usleep(1_000_000)  // read nothing while the deadline passes
                let (bytes, ending) = client.readToEnd(within: .seconds(5))
                return (bytes.count, ending)
            }
            #expect(received < size)
            #expect(ending != .timedOut)
            #expect(server.statistics.timeouts == 1)
        }
    }
}
