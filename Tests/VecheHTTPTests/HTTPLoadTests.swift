import Glibc
import Synchronization
import Testing
import VecheTestSupport
@testable import VecheHTTP

@Suite("HTTP server under load")
struct HTTPLoadTests {
    @Test func fiveHundredConcurrentKeepAliveConnectionsAreAllServed() async throws {
        raiseDescriptorLimit(to: 4096)
        let handled = Atomic<Int>(0)
        try await withServer(testConfiguration { $0.maxConnections = 600 }, handler: { request in
            handled.add(1, ordering: .relaxed)
            return HTTPResponse(headers: ["X-Echo-Path": request.path], body: request.body)
        }) { server in
            let url = HTTPURL(host: "127.0.0.1", port: server.port)
            var load = HTTPLoadGenerator.Configuration(url: url, connections: 500, threads: 4, duration: .seconds(30))
            load.requestsPerConnection = 3
            load.makeRequest = { index in
                HTTPClientRequest(method: "POST", target: "/r\(index)", body: Array("body of request \(index)".utf8))
            }
            load.validate = { request, response in
                response.status == .ok && response.body == request.body && response.headers["X-Echo-Path"] == request.target
            }
            let configured = load
            let report = try await offPool { try HTTPLoadGenerator.run(configured) }
            #expect(report.requests == 1500)
            #expect(report.errors == 0)
            #expect(report.invalid == 0)
            #expect(report.statusCounts == [200: 1500])
            #expect(report.connectionsOpened == 500)
            #expect(handled.load(ordering: .relaxed) == 1500)
            #expect(server.statistics.peakOpenConnections == 500)
            #expect(server.statistics.refusedConnections == 0)
        }
    }

    @Test func loadGeneratorCountsAgreeWithTheServer() async throws {
        let handled = Atomic<Int>(0)
        try await withServer(handler: { _ in
            handled.add(1, ordering: .relaxed)
            return .text("ok")
        }) { server in
            let url = try HTTPURL("http://127.0.0.1:\(server.port)/ping")
            let load = HTTPLoadGenerator.Configuration(url: url, connections: 8, threads: 2, duration: .seconds(1))
            let report = try await offPool { try HTTPLoadGenerator.run(load) }
            #expect(report.requests > 0)
            #expect(report.errors == 0)
            #expect(report.statusCounts == [200: report.requests])
            // Requests still in flight when time ran out were handled but not counted.
            let surplus = handled.load(ordering: .relaxed) - report.requests
            #expect(surplus >= 0 && surplus <= 8)
            #expect(report.latencyP50Microseconds <= report.latencyP99Microseconds)
            #expect(report.latencyP99Microseconds <= report.latencyMaxMicroseconds)
            #expect(report.requestsPerSecond > 0)
        }
    }

    @Test func loadGeneratorStopsWhenRequestsRunOut() async throws {
        try await withServer { server in
            var load = HTTPLoadGenerator.Configuration(url: HTTPURL(host: "127.0.0.1", port: server.port), connections: 4, threads: 2, duration: .seconds(30))
            load.makeRequest = { index in index < 10 ? HTTPClientRequest(target: "/\(index)") : nil }
            let configured = load
            let report = try await offPool { try HTTPLoadGenerator.run(configured) }
            #expect(report.requests == 10)
            #expect(report.elapsed < .seconds(5))
        }
    }

    @Test func loadGeneratorReportsUnreachableServerAsErrors() async throws {
        // A port that was just bound and released, so nothing listens there.
        let probe = HTTPServer(configuration: testConfiguration(), handler: echoHandler)
        try probe.start()
        let port = probe.port
        await probe.shutdown(gracePeriod: .zero)
        let load = HTTPLoadGenerator.Configuration(url: HTTPURL(host: "127.0.0.1", port: port), connections: 3, threads: 1, duration: .seconds(2))
        let report = try await offPool { try HTTPLoadGenerator.run(load) }
        #expect(report.requests == 0)
        #expect(report.errors == 3)
    }
}
