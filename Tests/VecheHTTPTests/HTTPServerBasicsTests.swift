import Synchronization
import Testing
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
}
