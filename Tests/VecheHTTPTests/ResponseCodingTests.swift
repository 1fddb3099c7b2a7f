import Testing
import VecheTestSupport
@testable import VecheHTTP

@Suite("Response encoding and decoding")
struct ResponseCodingTests {
    func encode(_ response: HTTPResponse, method: String = "GET", version: HTTPVersion = .http1_1, keepAlive: Bool = true) -> (String, ResponseEncoder.Encoded) {
        var encoder = ResponseEncoder()
        let encoded = encoder.encode(response, method: method, version: version, keepAlive: keepAlive)
        return (String(decoding: encoded.head, as: UTF8.self), encoded)
    }

    @Test func imfFixdateMatchesRFCExample() {
        #expect(ResponseEncoder.imfFixdate(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(ResponseEncoder.imfFixdate(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
    }

    @Test func headResponseAnnouncesLengthButCarriesNoBody() {
        let (head, encoded) = encode(.text("hello"), method: "HEAD")
        #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(head.contains("\r\nContent-Length: 5\r\n"))
        #expect(encoded.body.isEmpty)
        #expect(head.hasSuffix("\r\n\r\n"))
    }

    @Test func noContentHasNeitherLengthNorBody() {
        let (head, encoded) = encode(HTTPResponse(status: .noContent, body: Array("x".utf8)))
        #expect(head.hasPrefix("HTTP/1.1 204 No Content\r\n"))
        #expect(!head.contains("Content-Length"))
        #expect(encoded.body.isEmpty)
    }

    @Test func framingHeadersFromTheHandlerAreReplaced() {
        let response = HTTPResponse(headers: [
            "Content-Length": "999", "Transfer-Encoding": "chunked", "Connection": "keep-alive, close", "X-Ok": "1",
        ], body: Array("abc".utf8))
        let (head, encoded) = encode(response)
        #expect(head.contains("Content-Length: 3\r\n"))
        #expect(!head.contains("999"))
        #expect(!head.contains("chunked"))
        #expect(head.contains("Connection: close\r\n"))
        #expect(encoded.handlerAskedToClose)
        #expect(head.contains("X-Ok: 1\r\n"))
    }

    @Test func headerInjectionIsDropped() {
        let response = HTTPResponse(headers: ["X-Evil": "a\r\nSet-Cookie: x=1", "Bad Name": "v", "X-Good": "ok"])
        let (head, _) = encode(response)
        #expect(!head.contains("Set-Cookie"))
        #expect(!head.contains("Bad Name"))
        #expect(head.contains("X-Good: ok\r\n"))
    }

    @Test func connectionHeaderFollowsKeepAliveAndVersion() {
        #expect(!encode(.text("")).0.contains("Connection:"))
        #expect(encode(.text(""), keepAlive: false).0.contains("Connection: close\r\n"))
        #expect(encode(.text(""), version: .http1_0).0.contains("Connection: keep-alive\r\n"))
    }

    @Test func informationalStatusFromHandlerBecomes500() {
        let (head, _) = encode(HTTPResponse(status: HTTPStatus(code: 101)))
        #expect(head.hasPrefix("HTTP/1.1 500 Internal Server Error\r\n"))
    }

    @Test func problemJSONHasTheRFC9457MembersInOrderAndEscapes() {
        let response = HTTPResponse.problem(status: .badRequest, detail: "bad \"x\"\n\u{1}é", extensions: ["field": "/command/a"])
        #expect(response.status == .badRequest)
        #expect(response.headers["Content-Type"] == "application/problem+json")
        #expect(String(decoding: response.body, as: UTF8.self)
            == #"{"type":"about:blank","title":"Bad Request","status":400,"detail":"bad \"x\"\n\u0001é","field":"/command/a"}"#)
    }

    @Test func decoderReadsResponsesFedOneByteAtATime() throws {
        let wire = Array("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 3\r\nX: y\r\n\r\nabcHTTP/1.1 204 No Content\r\n\r\n".utf8)
        var decoder = ResponseDecoder(maxBodyBytes: 100)
        var responses: [HTTPResponse] = []
        for byte in wire {
            [byte].withUnsafeBytes { decoder.append($0) }
            while let response = try decoder.next(headRequest: false, atEOF: false) { responses.append(response) }
        }
        #expect(responses.map(\.status.code) == [201, 204])
        #expect(responses.first?.body == Array("abc".utf8))
        #expect(responses.first?.headers["x"] == "y")
        #expect(decoder.isIdle)
    }

    @Test func decoderRefusesTruncatedChunkedAndOversizeResponses() {
        func decode(_ text: String, maxBody: Int = 100, atEOF: Bool) -> HTTPError.Code? {
            var decoder = ResponseDecoder(maxHeadBytes: 200, maxBodyBytes: maxBody)
            Array(text.utf8).withUnsafeBytes { decoder.append($0) }
            do {
                _ = try decoder.next(headRequest: false, atEOF: atEOF)
                return nil
            } catch {
                return error.code
            }
        }
        #expect(decode("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", atEOF: true) == .connectionClosed)
        #expect(decode("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", atEOF: false) == .malformedResponse)
        #expect(decode("HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n", atEOF: false) == .responseTooLarge)
        #expect(decode("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", atEOF: false) == .malformedResponse)
        #expect(decode("HTTX/1.1 200 OK\r\n\r\n", atEOF: false) == .malformedResponse)
        #expect(decode("HTTP/1.1 2000 OK\r\n\r\n", atEOF: false) == .malformedResponse)
        #expect(decode("HTTP/1.1 200 OK\r\n" + String(repeating: "X: y\r\n", count: 50), atEOF: false) == .malformedResponse)
        #expect(decode("", atEOF: true) == .connectionClosed)
    }

    @Test func decoderReadsBodyToCloseWithoutLength() throws {
        var decoder = ResponseDecoder(maxBodyBytes: 100)
        Array("HTTP/1.0 200 OK\r\n\r\nuntil close".utf8).withUnsafeBytes { decoder.append($0) }
        #expect(try decoder.next(headRequest: false, atEOF: false) == nil)
        #expect(try decoder.next(headRequest: false, atEOF: true)?.body == Array("until close".utf8))
    }

    @Test(arguments: [
        ("http://127.0.0.1:8080/v1/x?y=1", "127.0.0.1", 8080, "/v1/x?y=1"),
        ("HTTP://example.org", "example.org", 80, "/"),
        ("http://localhost:1?q", "localhost", 1, "/?q"),
        ("http://[::1]:9000/a#frag", "::1", 9000, "/a"),
        ("http://[::1]", "::1", 80, "/"),
    ])
    func urlsParse(text: String, host: String, port: Int, target: String) throws {
        let url = try HTTPURL(text)
        #expect(url.host == host)
        #expect(url.port == port)
        #expect(url.target == target)
    }

    @Test(arguments: [
        "https://example.org/", "ftp://x/", "http://", "http://:80/", "http://host:0/", "http://host:65536/",
        "http://host:8x/", "http://user@host/", "http://[::1/", "http://ho st/", "http://host/a b", "example.org",
    ])
    func badURLsAreRefused(text: String) {
        #expect(throws: HTTPError.self) { try HTTPURL(text) }
    }

    @Test func urlRendersAuthorityWithBracketsForIPv6() throws {
        #expect(try HTTPURL("http://[::1]:81/x").description == "http://[::1]:81/x")
        #expect(HTTPURL(host: "a", port: 1, target: "b").with(target: "/c").description == "http://a:1/c")
    }

    @Test func clientRequestRefusesFramingBreakers() {
        #expect(throws: HTTPError.self) { try HTTPClientRequest(method: "G ET", target: "/").encoded(authority: "a:1") }
        #expect(throws: HTTPError.self) { try HTTPClientRequest(target: "/a b").encoded(authority: "a:1") }
        #expect(throws: HTTPError.self) {
            try HTTPClientRequest(target: "/", headers: ["X": "a\r\nB: c"]).encoded(authority: "a:1")
        }
        let bytes = try? HTTPClientRequest(method: "POST", target: "/p", headers: ["Content-Length": "99"], body: [1, 2]).encoded(authority: "h:1")
        #expect(bytes == Array("POST /p HTTP/1.1\r\nHost: h:1\r\nContent-Length: 2\r\n\r\n".utf8) + [1, 2])
    }

    @Test func accessLogLineNeutralisesControlCharacters() {
        let entry = AccessLogEntry(method: "GET", target: "/a\n\"b", status: 200, bytes: 5, duration: .microseconds(1500), remoteAddress: "1.2.3.4:5")
        #expect(entry.description == #"1.2.3.4:5 "GET /a??b" 200 5 1500us"#)
    }
}
