import Glibc
import Synchronization
import Testing
import VecheTestSupport
@testable import VecheHTTP

@Suite("HTTP server over real sockets")
struct HTTPServerBasicsTests {
    @Test func getAndPostAreEchoed() async throws {
        try await withServer { server in
            #expect(server.state == .running)
            #expect(server.port > 0)
            let port = server.port
            let (get, post) = try await offPool {
                let client = HTTPClient(host: "127.0.0.1", port: port)
                let get = try client.get("/hello/world?a=1&b=x%20y&c=%E2%9C%93&a=2")
                let post = try client.post("/submit", body: Array("{\"k\":1}".utf8))
                return (get, post)
            }
            #expect(get.status == .ok)
            #expect(get.headers["x-method"] == "GET")
            #expect(get.headers["X-Path"] == "/hello/world")
            #expect(get.headers.values(for: "X-Query") == ["a=1", "b=x y", "c=✓", "a=2"])
            #expect(get.headers["Content-Length"] == "0")
            #expect(get.headers["Date"]?.hasSuffix(" GMT") == true)
            #expect(post.status == .ok)
            #expect(post.headers["X-Method"] == "POST")
            #expect(post.text == "{\"k\":1}")
        }
    }

    @Test func keepAliveServesSeveralRequestsOnOneConnection() async throws {
        try await withServer { server in
            let port = server.port
            let bodies = try await offPool {
                let client = HTTPClient(host: "127.0.0.1", port: port)
                return try (0..<5).map { index in
                    let response = try client.post("/n", body: Array("request \(index)".utf8))
                    #expect(response.headers["Connection"] == nil)
                    #expect(client.isConnected)
                    return response.text
                }
            }
            #expect(bodies == (0..<5).map { "request \($0)" })
            #expect(server.statistics.acceptedConnections == 1)
            #expect(server.statistics.responses == 5)
        }
    }

    @Test func headResponseCarriesLengthButNoBody() async throws {
        try await withServer { server in
            let port = server.port
            let (head, next) = try await offPool {
                let client = HTTPClient(host: "127.0.0.1", port: port)
                try client.sendRaw(Array("HEAD /big?n=10 HTTP/1.1\r\nHost: a\r\n\r\nGET /after HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
                // If the HEAD response carried a body, the next response would be misread.
                return (try client.receive(headRequest: true), try client.receive())
            }
            #expect(head.status == .ok)
            #expect(head.headers["Content-Length"] == "10")
            #expect(head.body.isEmpty)
            #expect(next.headers["X-Path"] == "/after")
        }
    }

    @Test func http10ClosesUnlessKeepAliveIsAsked() async throws {
        try await withServer { server in
            let port = server.port
            let (plain, ending, kept, second) = try await offPool {
                let first = HTTPClient(host: "127.0.0.1", port: port)
                try first.sendRaw(Array("GET /one HTTP/1.0\r\n\r\n".utf8))
                let plain = try first.receive()
                let ending = first.readToEnd(within: .seconds(2)).ending
                let other = HTTPClient(host: "127.0.0.1", port: port)
                try other.sendRaw(Array("GET /two HTTP/1.0\r\nConnection: keep-alive\r\n\r\n".utf8))
                let kept = try other.receive()
                try other.sendRaw(Array("GET /three HTTP/1.0\r\nConnection: keep-alive\r\n\r\n".utf8))
                return (plain, ending, kept, try other.receive())
            }
            #expect(plain.status == .ok)
            #expect(plain.headers["Connection"] == "close")
            #expect(ending == .closed)
            #expect(kept.headers["Connection"] == "keep-alive")
            #expect(second.headers["X-Path"] == "/three")
        }
    }

    @Test func connectionCloseFromClientIsHonoured() async throws {
        try await withServer { server in
            let port = server.port
            let (response, ending) = try await offPool {
                let client = HTTPClient(host: "127.0.0.1", port: port)
                try client.sendRaw(Array("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n".utf8))
                return (try client.receive(), client.readToEnd(within: .seconds(2)).ending)
            }
            #expect(response.headers["Connection"] == "close")
            #expect(ending == .closed)
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await withServer { server in
            let port = server.port
            let paths = try await offPool {
                let client = HTTPClient(host: "127.0.0.1", port: port)
                // The first takes longest; responses must still come back first-in, first-out.
                let wire = "GET /a?ms=200 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "POST /b?ms=50 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nbbb"
                    + "GET /c HTTP/1.1\r\nHost: x\r\n\r\n"
                try client.sendRaw(Array(wire.utf8))
                return try (0..<3).map { _ in
                    let response = try client.receive()
                    return "\(response.headers["X-Path"] ?? "?"):\(response.text)"
                }
            }
            #expect(paths == ["/a:", "/b:bbb", "/c:"])
        }
    }

    @Test func expectContinueGets100BeforeTheBody() async throws {
        try await withServer { server in
            let port = server.port
            let (interim, response) = try await offPool {
                let client = HTTPClient(host: "127.0.0.1", port: port)
                try client.sendRaw(Array("POST /e HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n".utf8))
                let interim = client.readExactly(25, within: .seconds(2))
                try client.sendRaw(Array("hello".utf8))
                return (String(decoding: interim, as: UTF8.self), try client.receive())
            }
            #expect(interim == "HTTP/1.1 100 Continue\r\n\r\n")
            #expect(response.status == .ok)
            #expect(response.text == "hello")
        }
    }

    @Test func emptyLinesBeforeARequestAreIgnored() async throws {
        try await withServer { server in
            let response = try await rawExchange(server, "\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(response.status == .ok)
            #expect(response.headers["X-Path"] == "/x")
        }
    }

    @Test func requestFieldsReachTheHandler() async throws {
        let seen = Mutex<HTTPRequest?>(nil)
        try await withServer(handler: { request in
            seen.withLock { $0 = request }
            return .text("ok")
        }) { server in
            let response = try await rawExchange(server, "PATCH /p/%41?q=%41+b HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nx-a: 2\r\nContent-Length: 2\r\n\r\nhi")
            #expect(response.status == .ok)
            #expect(response.headers["Content-Type"] == "text/plain; charset=utf-8")
            let request = try #require(seen.withLock { $0 })
            #expect(request.method == "PATCH")
            #expect(request.target == "/p/%41?q=%41+b")
            #expect(request.path == "/p/%41")
            #expect(request.pathSegments == ["p", "A"])
            #expect(request.queryValue("q") == "A b")
            #expect(request.headers.values(for: "X-A") == ["1", "2"])
            #expect(request.body == Array("hi".utf8))
            #expect(request.version == .http1_1)
            #expect(request.remoteAddress.hasPrefix("127.0.0.1:"))
        }
    }

    @Test func accessLogGetsOneEntryPerResponse() async throws {
        let entries = Mutex<[AccessLogEntry]>([])
        try await withServer(accessLog: { entry in entries.withLock { $0.append(entry) } }) { server in
            let port = server.port
            try await offPool {
                let client = HTTPClient(host: "127.0.0.1", port: port)
                _ = try client.get("/logged?x=1")
                _ = try client.post("/posted", body: [1, 2, 3])
                let bad = HTTPClient(host: "127.0.0.1", port: port)
                try bad.sendRaw(Array("GET / HTTP/1.1\r\n\r\n".utf8))
                _ = try bad.receive()
            }
            let logged = entries.withLock { $0 }
            #expect(logged.map(\.method) == ["GET", "POST", "GET"])
            #expect(logged.map(\.target) == ["/logged?x=1", "/posted", "/"])
            #expect(logged.map(\.status) == [200, 200, 400])
            #expect(logged.map(\.bytes).prefix(2) == [0, 3])
            #expect(logged.allSatisfy { $0.remoteAddress.hasPrefix("127.0.0.1:") && $0.duration >= .zero })
        }
    }

    @Test func clientVanishingBeforeItsResponseDoesNotHurtTheServer() async throws {
        try await withServer { server in
            let port = server.port
            let after = try await offPool {
                for _ in 0..<3 {
                    // Ask for 8 MiB and hang up at once: the server's writes meet EPIPE/ECONNRESET, not SIGPIPE.
                    let client = HTTPClient(host: "127.0.0.1", port: port)
                    try client.sendRaw(Array("GET /big?n=8388608&ms=50 HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
                    client.close()
                }
                usleep(300_000)
                return try HTTPClient(host: "127.0.0.1", port: port).get("/still-here")
            }
            #expect(after.status == .ok)
            #expect(after.headers["X-Path"] == "/still-here")
        }
    }

    @Test func largeResponseIsWrittenWhole() async throws {
        try await withServer { server in
            let port = server.port
            let response = try await offPool { try HTTPClient(host: "127.0.0.1", port: port).get("/big?n=5000000") }
            #expect(response.body.count == 5_000_000)
            #expect(response.body.allSatisfy { $0 == 0x61 })
        }
    }
}

@Suite("HTTP server lifecycle")
struct HTTPServerLifecycleTests {
    @Test func startingTwiceIsRefused() async throws {
        try await withServer { server in
            #expect(throws: HTTPError.self) { try server.start() }
        }
    }

    @Test func invalidConfigurationNamesTheField() {
        var configuration = testConfiguration()
        configuration.maxBodyBytes = -1
        let server = HTTPServer(configuration: configuration, handler: echoHandler)
        do {
            try server.start()
            Issue.record("expected a configuration error")
        } catch {
            #expect(error.code == .invalidConfiguration)
            #expect(error.message.contains("maxBodyBytes"))
        }
        #expect(server.state == .idle)
    }

    @Test func portInUseIsReportedWithTheCall() async throws {
        try await withServer { server in
            let second = HTTPServer(configuration: testConfiguration { $0.port = server.port }, handler: echoHandler)
            do throws(HTTPError) {
                try second.start()
                Issue.record("expected bind to fail")
            } catch {
                #expect(error.code == .socket)
                #expect(error.systemError == EADDRINUSE)
                #expect(error.message.contains("bind"))
            }
        }
    }

    @Test func unresolvableHostIsReported() {
        let server = HTTPServer(configuration: testConfiguration { $0.host = "no-such-host.invalid" }, handler: echoHandler)
        #expect(throws: HTTPError.self) { try server.start() }
    }

    @Test func shuttingDownAServerNeverStartedStopsIt() async {
        let server = HTTPServer(configuration: testConfiguration(), handler: echoHandler)
        await server.shutdown(gracePeriod: .zero)
        #expect(server.state == .stopped)
        server.blockUntilStopped()
        #expect(throws: HTTPError.self) { try server.start() }
    }

    @Test func statisticsCountConnectionsAndResponses() async throws {
        try await withServer { server in
            let port = server.port
            try await offPool {
                _ = try HTTPClient(host: "127.0.0.1", port: port).get("/")
                _ = try HTTPClient(host: "127.0.0.1", port: port).get("/")
            }
            let statistics = server.statistics
            #expect(statistics.acceptedConnections == 2)
            #expect(statistics.responses == 2)
            #expect(statistics.protocolErrors == 0)
            #expect(statistics.refusedConnections == 0)
        }
    }
}
