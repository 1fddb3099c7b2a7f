import Glibc
import Synchronization
import Testing
import VecheTestSupport
@testable import VecheHTTP

/// A configuration on an ephemeral loopback port with test-sized timeouts.
func testConfiguration(_ adjust: (inout HTTPServer.Configuration) -> Void = { _ in }) -> HTTPServer.Configuration {
    var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
    configuration.headerReadTimeout = .seconds(5)
    configuration.bodyReadTimeout = .seconds(5)
    configuration.idleTimeout = .seconds(5)
    configuration.writeTimeout = .seconds(5)
    configuration.lingerTimeout = .milliseconds(500)
    adjust(&configuration)
    return configuration
}

/// Echoes what it received: method, path and query in headers, the body as the body.
/// `/slow?ms=N` sleeps N ms first; `/big?n=N` answers N bytes of 'a'.
let echoHandler: HTTPServer.Handler = { request in
    if let milliseconds = request.queryValue("ms").flatMap({ Int($0) }) {
        try? await Task.sleep(for: .milliseconds(milliseconds))
    }
    if request.path == "/big", let count = request.queryValue("n").flatMap({ Int($0) }) {
        return HTTPResponse(headers: ["Content-Type": "application/octet-stream"], body: [UInt8](repeating: 0x61, count: count))
    }
    var headers: HTTPHeaders = ["Content-Type": "application/octet-stream", "X-Method": request.method, "X-Path": request.path]
    for item in request.queryItems { headers.add(name: "X-Query", value: "\(item.name)=\(item.value)") }
    return HTTPResponse(status: .ok, headers: headers, body: request.body)
}

/// Starts a server, runs `body`, and always shuts the server down.
func withServer(
    _ configuration: HTTPServer.Configuration = testConfiguration(),
    accessLog: (@Sendable (AccessLogEntry) -> Void)? = nil,
    handler: @escaping HTTPServer.Handler = echoHandler,
    _ body: (HTTPServer) async throws -> Void
) async throws {
    let server = HTTPServer(configuration: configuration, accessLog: accessLog, handler: handler)
    try server.start()
    do {
        try await body(server)
    } catch {
        await server.shutdown(gracePeriod: .milliseconds(100))
        throw error
    }
    await server.shutdown(gracePeriod: .seconds(2))
}

/// A blocking client for `server`.
func client(_ server: HTTPServer, timeout: Duration = .seconds(5)) -> HTTPClient {
    HTTPClient(host: "127.0.0.1", port: server.port, timeout: timeout)
}

/// Sends raw bytes on a fresh connection and reads one response.
func rawExchange(_ server: HTTPServer, _ text: String) async throws -> HTTPResponse {
    let port = server.port
    return try await offPool {
        let connection = HTTPClient(host: "127.0.0.1", port: port, timeout: .seconds(5))
        try connection.sendRaw(Array(text.utf8))
        return try connection.receive()
    }
}

/// Monotonic milliseconds, for timing assertions.
func nowMilliseconds() -> Int64 { Posix.monotonicNanoseconds() / 1_000_000 }

/// Whether a blocking `connect` to `port` on loopback is refused.
func connectionRefused(port: Int) -> Bool {
    do {
        let fd = try Posix.connect(host: "127.0.0.1", port: port, deadline: Posix.monotonicNanoseconds() + 1_000_000_000)
        Posix.close(fd)
        return false
    } catch {
        return error.systemError == ECONNREFUSED
    }
}

extension HTTPResponse {
    /// The body as UTF-8 text.
    var text: String { String(decoding: body, as: UTF8.self) }
}
