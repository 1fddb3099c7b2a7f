import Glibc
import Synchronization
import Testing
import VecheTestSupport
@testable import VecheHTTP

@Suite("HTTP server graceful shutdown")
struct HTTPServerShutdownTests {
    @Test func shutdownFinishesTheInFlightRequestAndRefusesNewConnections() async throws {
        let handlerStarted = Atomic<Bool>(false)
        let handlerReleased = Atomic<Bool>(false)
        let handlerFinishedAt = Atomic<Int64>(0)
        let server = HTTPServer(configuration: testConfiguration()) { request in
            if request.path == "/slow" {
                handlerStarted.store(true, ordering: .releasing)
                // Still in flight when the shutdown begins, however slowly the test gets there.
                while !handlerReleased.load(ordering: .acquiring) { try? await Task.sleep(for: .milliseconds(5)) }
                try? await Task.sleep(for: .milliseconds(100))
                handlerFinishedAt.store(nowMilliseconds(), ordering: .releasing)
                return .text("finished slowly")
            }
            return .text("quick")
        }
        try server.start()
        let port = server.port

        // An idle keep-alive connection that must be closed at once, and a slow request in flight.
        async let idleEnding = offPool { () -> (HTTPClient.Ending, Int64) in
            let client = HTTPClient(host: "127.0.0.1", port: port)
            _ = try client.get("/warm")
            while !handlerStarted.load(ordering: .acquiring) { usleep(2_000) }
            let start = nowMilliseconds()
            let ending = client.readToEnd(within: .seconds(5)).ending
            return (ending, nowMilliseconds() - start)
        }
        async let slowResponse = offPool { try HTTPClient(host: "127.0.0.1", port: port).get("/slow") }
        try await offPool { while !handlerStarted.load(ordering: .acquiring) { usleep(2_000) } }

        try await offPool { server.beginShutdown(gracePeriod: .seconds(5)) }
        #expect(server.state == .shuttingDown)
        #expect(try await offPool { connectionRefused(port: port) })
        handlerReleased.store(true, ordering: .releasing)

        await server.waitUntilStopped()
        let stoppedAt = nowMilliseconds()
        #expect(server.state == .stopped)
        let response = try await slowResponse
        #expect(response.status == .ok)
        #expect(response.text == "finished slowly")
        #expect(response.headers["Connection"] == "close")
        let finishedAt = handlerFinishedAt.load(ordering: .acquiring)
        #expect(finishedAt > 0 && stoppedAt >= finishedAt)
        let (ending, waited) = try await idleEnding
        #expect(ending == .closed)
        #expect(waited < 1500, "idle connection closed after \(waited) ms")
    }

    @Test func gracePeriodEndsAHandlerThatWillNotFinish() async throws {
        let cancelled = Atomic<Bool>(false)
        let started = Atomic<Bool>(false)
        let server = HTTPServer(configuration: testConfiguration()) { _ in
            started.store(true, ordering: .releasing)
            do {
                try await Task.sleep(for: .seconds(30))
            } catch {
                cancelled.store(true, ordering: .releasing)
            }
            return .text("late")
        }
        try server.start()
        let port = server.port
        async let outcome = offPool { () -> String in
            do throws(HTTPError) {
                return try HTTPClient(host: "127.0.0.1", port: port).get("/forever").text
            } catch {
                return "error: \(error.code)"
            }
        }
        try await offPool { while !started.load(ordering: .acquiring) { usleep(2_000) } }
        let start = nowMilliseconds()
        await server.shutdown(gracePeriod: .milliseconds(200))
        let took = nowMilliseconds() - start
        #expect(server.state == .stopped)
        let wasCancelled = cancelled.load(ordering: .acquiring)
        #expect(wasCancelled)
        #expect(took >= 150 && took < 3000, "shutdown took \(took) ms")
        let text = try await outcome
        #expect(text.hasPrefix("error"))
    }

    @Test func requestHeadArrivingDuringShutdownIsNotStarted() async throws {
        try await withServer { server in
            let port = server.port
            let ending = try await offPool { () -> HTTPClient.Ending in
                let client = HTTPClient(host: "127.0.0.1", port: port)
                try client.sendRaw(Array("GET / HTTP/1.1\r\nHo".utf8))  // half a head
                usleep(100_000)
                server.beginShutdown(gracePeriod: .seconds(2))
                return client.readToEnd(within: .seconds(2)).ending
            }
            #expect(ending == .closed)
        }
    }
}

/// Signals reach every installed handler in the process, so these run one at a time.
@Suite("Shutdown on signals", .serialized)
struct ShutdownSignalTests {
    @Test func terminationSignalShutsTheServerDown() async throws {
        let server = HTTPServer(configuration: testConfiguration(), handler: echoHandler)
        try server.start()
        let seen = Mutex<[String]>([])
        let signals = ShutdownSignalHandler(server: server, gracePeriod: .seconds(1)) { name, count in
            seen.withLock { $0.append("\(name) \(count)") }
        }
        defer { signals.cancel() }
        kill(getpid(), SIGTERM)
        for _ in 0..<300 where server.state != .stopped {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(server.state == .stopped)
        #expect(seen.withLock { $0 } == ["SIGTERM 1"])
    }

    @Test func secondInterruptEndsTheGracePeriodAtOnce() async throws {
        let started = Atomic<Bool>(false)
        let server = HTTPServer(configuration: testConfiguration()) { _ in
            started.store(true, ordering: .releasing)
            try? await Task.sleep(for: .seconds(30))
            return .text("late")
        }
        try server.start()
        let port = server.port
        let signals = ShutdownSignalHandler(server: server, gracePeriod: .seconds(30))
        defer { signals.cancel() }
        async let outcome = offPool { () -> Bool in
            (try? HTTPClient(host: "127.0.0.1", port: port).get("/stuck")) == nil
        }
        try await offPool { while !started.load(ordering: .acquiring) { usleep(2_000) } }
        let start = nowMilliseconds()
        kill(getpid(), SIGINT)
        for _ in 0..<300 where server.state == .running {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(server.state == .shuttingDown)
        kill(getpid(), SIGINT)
        for _ in 0..<300 where server.state != .stopped {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(server.state == .stopped)
        #expect(nowMilliseconds() - start < 3000)
        let failed = try await outcome
        #expect(failed)
    }
}
