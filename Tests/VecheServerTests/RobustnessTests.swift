import Foundation
import Glibc
import Synchronization
import Testing
@testable import VecheHTTP
import VecheCore
import VecheCrypto
import VecheLedger
import VecheStore
import VecheTestSupport

/// Monotonic milliseconds.
func nowMilliseconds() -> Int64 { Posix.monotonicNanoseconds() / 1_000_000 }

/// Serialized: each test loads the machine on its own.
@Suite(.serialized) struct RobustnessTests {
    @Test func fiveHundredConcurrentKeepAliveConnectionsGetCorrectAnswers() async throws {
        raiseDescriptorLimit(to: 4096)
        try await withLiveServer("500") { live in
            let client = live.client()
            var commands = try Commands()
            try await accept(client, commands.register(premises: ResponseShapeTests.premises), by: commands.registrar)
            try await accept(client, commands.bind("o1", ownerKey("o1")), by: commands.registrar)
            try await accept(client, commands.meeting(closesIn: 3_600_000), by: commands.registrar)
            try await accept(client, commands.cast(owner: "o1", ["1": "for"]), by: ownerKey("o1"))
            // The ledger does not change during the run, so every answer is known beforehand.
            let targets = [
                "/v1/checkpoint", "/v1/entries?from=0&limit=3", "/v1/meetings/M1", "/v1/buildings/B1",
                "/v1/proofs/inclusion?seq=2", "/v1/proofs/consistency?from=2", "/healthz", "/v1/meetings/M1/record",
            ]
            var expected: [String: [UInt8]] = [:]
            for target in targets {
                let response = try await client.get(target)
                #expect(response.status == .ok, "\(target)")
                expected[target] = response.body
            }
            let known = expected
            var load = HTTPLoadGenerator.Configuration(url: HTTPURL(host: "127.0.0.1", port: live.port), connections: 500, threads: 4, duration: .seconds(60))
            load.requestsPerConnection = 3
            load.timeout = .seconds(30)
            load.makeRequest = { index in HTTPClientRequest(method: "GET", target: targets[index % targets.count]) }
            load.validate = { request, response in
                response.status == .ok && response.body == known[request.target]
            }
            let configured = load
            let report = try await offPool { try HTTPLoadGenerator.run(configured) }
            #expect(report.requests == 1500)
            #expect(report.errors == 0)
            #expect(report.invalid == 0)
            #expect(report.statusCounts == [200: 1500])
            #expect(report.connectionsOpened == 500)
            #expect(live.server.statistics.peakOpenConnections >= 400)
            #expect(live.server.statistics.refusedConnections == 0)
        }
    }

    @Test func aClientSendingOneHeaderBytePerSecondIsCutOffWhileOthersAreServed() async throws {
        try await withLiveServer("slowloris", http: { $0.headerReadTimeout = .seconds(1) }) { live in
            let port = live.port
            async let slow = offPool { () -> (Int64, Int, String) in
                let client = HTTPClient(host: "127.0.0.1", port: port, timeout: .seconds(5))
                let head = Array("GET /v1/checkpoint HTTP/1.1\r\nHost: a\r\nX-Pad: aaaaaaaaaaaaaaaa\r\n\r\n".utf8)
                try client.connectIfNeeded()
                let start = nowMilliseconds()
                var sent = 0
                outer: for byte in head {
                    do { try client.sendRaw([byte]) } catch { break }
                    sent += 1
                    for _ in 0..<20 where client.waitReadable(within: .milliseconds(50)) { break outer }
                }
                let cutAt = nowMilliseconds() - start
                let (bytes, _) = client.readToEnd(within: .seconds(2))
                return (cutAt, sent, String(decoding: bytes, as: UTF8.self))
            }
            // Meanwhile others are served promptly, GETs and POSTs alike.
            let client = live.client()
            var commands = try Commands()
            var worst: Int64 = 0
            for index in 0..<12 {
                let start = nowMilliseconds()
                if index % 3 == 0 {
                    try await accept(client, commands.bind("s\(index)", TestKeys.signing("s\(index)")), by: commands.registrar)
                } else {
                    #expect(try await client.get("/v1/checkpoint").status == .ok)
                }
                worst = max(worst, nowMilliseconds() - start)
                try await Task.sleep(for: .milliseconds(100))
            }
            let (cutAt, sent, answer) = try await slow
            #expect(cutAt >= 900 && cutAt < 5000, "cut off after \(cutAt) ms")
            #expect(sent < 5)
            #expect(answer.hasPrefix("HTTP/1.1 408 "))
            #expect(answer.contains("application/problem+json"))
            // Generous: the point is that they are served while the slow client holds its connection.
            #expect(worst < 4000, "a normal request took \(worst) ms")
            #expect(live.store.size == 5)
        }
    }

    @Test func aFullIngestQueueAnswers503WithRetryAfterAndLosesNothingAccepted() async throws {
        try await withLiveServer("overload", store: { $0.maxPending = 1 }) { live in
            var commands = try Commands()
            let registrar = commands.registrar
            let envelopes = try (0..<300).map { index in
                try SignedEnvelope.sign(command: commands.bind("p\(index)", TestKeys.signing("p\(index)")), with: registrar).canonicalBytes
            }
            var load = HTTPLoadGenerator.Configuration(url: HTTPURL(host: "127.0.0.1", port: live.port), connections: 100, threads: 2, duration: .seconds(60))
            load.timeout = .seconds(30)
            load.makeRequest = { index in
                guard index < envelopes.count else { return nil }
                return HTTPClientRequest(method: "POST", target: "/v1/commands", headers: ["Content-Type": "application/json"], body: envelopes[index])
            }
            load.validate = { _, response in
                switch response.status.code {
                case 201: return true
                case 503:
                    let problem = try? CanonicalJSON.parse(response.body)
                    return response.headers["Retry-After"] == "1" && response.headers["Content-Type"] == "application/problem+json"
                        && problem?["status"] == 503
                default: return false
                }
            }
            let configured = load
            let report = try await offPool { try HTTPLoadGenerator.run(configured) }
            #expect(report.errors == 0)
            #expect(report.invalid == 0, "\(report.statusCounts)")
            let accepted = report.statusCounts[201] ?? 0
            let overloaded = report.statusCounts[503] ?? 0
            #expect(accepted + overloaded == 300)
            #expect(overloaded > 0, "\(report.statusCounts)")
            #expect(accepted > 0)
            #expect(live.store.size == 1 + accepted)
            // Overload is transient: the refused ones go through when retried.
            let client = live.client()
            var retried = 0
            for envelope in envelopes {
                let response = try await client.post(envelope)
                #expect([200, 201].contains(response.status.code))
                if response.status.code == 201 { retried += 1 }
            }
            #expect(retried == overloaded)
            #expect(live.store.size == 301)
        }
    }
}
