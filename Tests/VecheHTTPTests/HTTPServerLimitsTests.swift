import Glibc
import Synchronization
import Testing
import VecheTestSupport
@testable import VecheHTTP

@Suite("HTTP server limits")
struct HTTPServerLimitsTests {
    @Test func declaredOversizeBodyGets413WithoutTheBodyBeingSent() async throws {
        try await withServer { server in
            let port = server.port
            let (response, ending, after) = try await offPool {
                let client = HTTPClient(host: "127.0.0.1", port: port)
                // Only the head: the answer must come without waiting for 2 MiB that never arrive.
                try client.sendRaw(Array("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 2097152\r\n\r\n".utf8))
                let response = try client.receive()
                let ending = client.readToEnd(within: .seconds(2)).ending
                let after = try HTTPClient(host: "127.0.0.1", port: port).get("/after")
                return (response, ending, after)
            }
            #expect(response.status == .contentTooLarge)
            #expect(response.headers["Connection"] == "close")
            #expect(response.headers["Content-Type"] == "application/problem+json")
            #expect(response.text.contains("\"status\":413"))
            #expect(ending == .closed)
            #expect(after.status == .ok)
        }
    }

    @Test func twoMebibyteBodyGets413AndTheServerStaysUp() async throws {
        try await withServer { server in
            let port = server.port
            let (refused, accepted) = try await offPool {
                let body = [UInt8](repeating: 0x7A, count: 2 * 1024 * 1024)
                let refused = try HTTPClient(host: "127.0.0.1", port: port).post("/upload", body: body)
                let accepted = try HTTPClient(host: "127.0.0.1", port: port).post("/upload", body: Array(body.prefix(1024 * 1024)))
                return (refused, accepted)
            }
            #expect(refused.status == .contentTooLarge)
            // Exactly the limit is still accepted.
            #expect(accepted.status == .ok)
            #expect(accepted.body.count == 1024 * 1024)
            #expect(server.state == .running)
        }
    }

    @Test func oversizeHeadGets431AndOversizeRequestLineGets414() async throws {
        try await withServer { server in
            let headers = try await rawExchange(server, "GET / HTTP/1.1\r\nHost: a\r\nX-Big: \(String(repeating: "a", count: 20_000))\r\n\r\n")
            #expect(headers.status == .requestHeaderFieldsTooLarge)
            #expect(headers.headers["Connection"] == "close")
            let line = try await rawExchange(server, "GET /\(String(repeating: "b", count: 20_000)) HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(line.status == .uriTooLong)
            // Just under the limit is fine.
            let fits = try await rawExchange(server, "GET / HTTP/1.1\r\nHost: a\r\nX-Big: \(String(repeating: "a", count: 16_000))\r\n\r\n")
            #expect(fits.status == .ok)
        }
    }

    @Test func headLimitHoldsWhenTheHeadNeverEnds() async throws {
        try await withServer(testConfiguration { $0.maxHeaderBytes = 1024 }) { server in
            let port = server.port
            let (response, ending) = try await offPool {
                let client = HTTPClient(host: "127.0.0.1", port: port)
                try client.sendRaw(Array("GET / HTTP/1.1\r\nHost: a\r\n".utf8))
                for _ in 0..<200 {
                    // An endless stream of small fields; the server must stop at 1 KiB, not buffer forever.
                    do { try client.sendRaw(Array("X-Pad: 0123456789\r\n".utf8)) } catch { break }
                    if client.waitReadable(within: .zero) { break }
                }
                return (try client.receive(), client.readToEnd(within: .seconds(2)).ending)
            }
            #expect(response.status == .requestHeaderFieldsTooLarge)
            #expect(ending != .timedOut)
        }
    }

    @Test func chunkedRequestBodyGets411() async throws {
        try await withServer { server in
            let response = try await rawExchange(server, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
            #expect(response.status == .lengthRequired)
            #expect(response.headers["Connection"] == "close")
        }
    }

    @Test(arguments: ["abc", "-5", "5, 6", "99999999999999999999", "1e3"])
    func badContentLengthGets400(value: String) async throws {
        try await withServer { server in
            let response = try await rawExchange(server, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \(value)\r\n\r\n")
            #expect(response.status == .badRequest)
            #expect(response.text.contains("Content-Length"))
        }
    }

    @Test func protocolViolationsGetTheirStatuses() async throws {
        try await withServer { server in
            let cases: [(String, HTTPStatus)] = [
                ("GET / HTTP/1.1\r\n\r\n", .badRequest),
                ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", .httpVersionNotSupported),
                ("GARBAGE\r\n\r\n", .badRequest),
                ("GET / HTTP/1.1\r\nHost: a\r\nExpect: later\r\n\r\n", .expectationFailed),
                ("GET /?a=%G1 HTTP/1.1\r\nHost: a\r\n\r\n", .badRequest),
            ]
            for (wire, expected) in cases {
                let response = try await rawExchange(server, wire)
                #expect(response.status == expected, "\(wire.debugDescription)")
                #expect(response.headers["Connection"] == "close")
            }
            #expect(server.statistics.protocolErrors == 5)
        }
    }

    @Test func connectionsBeyondTheLimitGet503WithRetryAfter() async throws {
        try await withServer(testConfiguration { $0.maxConnections = 2; $0.retryAfterSeconds = 7 }) { server in
            let port = server.port
            let (refused, second, afterRelease) = try await offPool {
                let first = HTTPClient(host: "127.0.0.1", port: port)
                let second = HTTPClient(host: "127.0.0.1", port: port)
                _ = try first.get("/1")
                _ = try second.get("/2")
                let refused = try HTTPClient(host: "127.0.0.1", port: port).get("/3")
                // The two admitted connections keep working.
                let secondAgain = try second.get("/2b")
                first.close()
                var afterRelease: HTTPResponse?
                for _ in 0..<50 {
                    let response = try HTTPClient(host: "127.0.0.1", port: port).get("/4")
                    if response.status == .ok {
                        afterRelease = response
                        break
                    }
                    usleep(20_000)
                }
                return (refused, secondAgain, afterRelease)
            }
            #expect(refused.status == .serviceUnavailable)
            #expect(refused.headers["Retry-After"] == "7")
            #expect(refused.headers["Connection"] == "close")
            #expect(second.status == .ok)
            #expect(afterRelease?.status == .ok)
            #expect(server.statistics.refusedConnections >= 1)
        }
    }

    @Test func requestsBeyondTheInFlightBodyBudgetGet503() async throws {
        let started = Atomic<Int>(0)
        let configuration = testConfiguration { $0.maxBodyBytes = 100; $0.maxInFlightBodyBytes = 100 }
        try await withServer(configuration, handler: { request in
            started.add(1, ordering: .relaxed)
            return await echoHandler(request)
        }) { server in
            let port = server.port
            let (held, refused) = try await offPool {
                let holder = HTTPClient(host: "127.0.0.1", port: port)
                try holder.sendRaw(Array("POST /hold?ms=400 HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n".utf8) + [UInt8](repeating: 1, count: 100))
                while started.load(ordering: .relaxed) == 0 { usleep(5_000) }
                let refused = try HTTPClient(host: "127.0.0.1", port: port).post("/small", body: [1, 2, 3])
                return (try holder.receive(), refused)
            }
            #expect(held.status == .ok)
            #expect(refused.status == .serviceUnavailable)
            #expect(refused.headers["Retry-After"] != nil)
            // The budget is released once the first handler returns.
            let port2 = server.port
            let later = try await offPool { try HTTPClient(host: "127.0.0.1", port: port2).post("/small", body: [1, 2, 3]) }
            #expect(later.status == .ok)
        }
    }

    @Test func handlerConcurrencyIsCappedAndExcessRequestsWait() async throws {
        let running = Atomic<Int>(0)
        let peak = Atomic<Int>(0)
        try await withServer(testConfiguration { $0.maxConcurrentHandlers = 2 }, handler: { request in
            let now = running.add(1, ordering: .relaxed).newValue
            peak.max(now, ordering: .relaxed)
            try? await Task.sleep(for: .milliseconds(60))
            running.subtract(1, ordering: .relaxed)
            return .text(request.path)
        }) { server in
            let port = server.port
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<6 {
                    group.addTask { try await offPool { try HTTPClient(host: "127.0.0.1", port: port).get("/\(index)").status.code } }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: 6))
            #expect(peak.load(ordering: .relaxed) == 2)
        }
    }

    @Test func lastRequestOnAConnectionSaysClose() async throws {
        try await withServer(testConfiguration { $0.maxRequestsPerConnection = 3 }) { server in
            let port = server.port
            let (closes, connected) = try await offPool {
                let client = HTTPClient(host: "127.0.0.1", port: port)
                let closes = try (0..<3).map { _ in try client.get("/").headers["Connection"] }
                return (closes, client.isConnected)
            }
            #expect(closes == [nil, nil, "close"])
            #expect(!connected)
        }
    }
}
