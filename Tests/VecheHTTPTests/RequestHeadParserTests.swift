import Testing
import VecheTestSupport
@testable import VecheHTTP

@Suite("Request head parsing")
struct RequestHeadParserTests {
    let parser = RequestHeadParser(maxHeaderCount: 10, maxBodyBytes: 1000)

    /// Parses `text` as a whole head (without the final blank line).
    func parse(_ text: String) throws(ProtocolViolation) -> RequestHead {
        try parser.parse(ArraySlice(Array(text.utf8)))
    }

    func status(of text: String) -> Int? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error.status.code
        }
    }

    @Test func parsesRequestLineHeadersAndQuery() throws {
        let head = try parse("POST /v1/commands?from=3&x=a+b HTTP/1.1\r\nHost: example\r\nContent-Length: 12\r\nX-Two: a\r\nx-two:  b \t")
        #expect(head.method == "POST")
        #expect(head.target == "/v1/commands?from=3&x=a+b")
        #expect(head.path == "/v1/commands")
        #expect(head.query == "from=3&x=a+b")
        #expect(head.queryItems == [HTTPQueryItem(name: "from", value: "3"), HTTPQueryItem(name: "x", value: "a b")])
        #expect(head.version == .http1_1)
        #expect(head.contentLength == 12)
        #expect(head.headers.values(for: "X-TWO") == ["a", "b"])
        #expect(head.keepAlive)
        #expect(!head.expectsContinue)
    }

    @Test func endOfHeadIsFoundWhenBytesArriveOneByOne() {
        let bytes = Array("GET / HTTP/1.1\r\nHost: a\r\n\r\nNEXT".utf8)
        var buffer: [UInt8] = []
        var scanFrom = 0
        var found: Int?
        for byte in bytes {
            buffer.append(byte)
            if let end = RequestHeadParser.endOfHead(in: buffer, searchingFrom: scanFrom) {
                found = end
                break
            }
            scanFrom = max(0, buffer.count - 3)
        }
        #expect(found == bytes.count - 4)
        #expect(RequestHeadParser.endOfHead(in: Array("GET / HTTP/1.1\r\n\n\r\n".utf8), searchingFrom: 0) == nil)
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\nHost: a", 400),                       // bare LF
        ("GET / HTTP/1.1\r\nHost: a\rb", 400),                  // bare CR
        ("GET / HTTP/1.1\r\nHost : a", 400),                    // space before colon
        ("GET / HTTP/1.1\r\nHost: a\r\n folded", 400),          // obs-fold
        ("GET / HTTP/1.1\r\nNoColon", 400),
        ("GET / HTTP/1.1\r\n: empty-name", 400),
        ("GET / HTTP/1.1\r\nHost: a\u{0}b", 400),               // NUL in a value
        ("GET / HTTP/1.1\r\nX: \u{7F}", 400),                   // DEL in a value
        ("GET / HTTP/1.1", 400),                                // no Host in 1.1
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b", 400),          // two Hosts
        ("GET / HTTP/2.0\r\nHost: a", 505),
        ("GET / HTTP/3.0\r\nHost: a", 505),
        ("GET / HTTP/1\r\nHost: a", 400),
        ("GET / HTTP/1.1 extra\r\nHost: a", 400),
        ("GET  / HTTP/1.1\r\nHost: a", 400),                    // two spaces
        ("GET /\r\nHost: a", 400),                              // HTTP/0.9
        ("G@T / HTTP/1.1\r\nHost: a", 400),                     // method not a token
        (" GET / HTTP/1.1\r\nHost: a", 400),
        ("GET /ä HTTP/1.1\r\nHost: a", 400),                    // non-ASCII target
        ("GET /a#frag HTTP/1.1\r\nHost: a", 400),
        ("GET relative HTTP/1.1\r\nHost: a", 400),
        ("GET * HTTP/1.1\r\nHost: a", 400),                     // '*' is for OPTIONS
        ("GET /?q=%zz HTTP/1.1\r\nHost: a", 400),               // broken escape
        ("GET /?q=%C3 HTTP/1.1\r\nHost: a", 400),               // escape decodes to invalid UTF-8
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: abc", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: ", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 2", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5,", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1001", 413),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 999999999999999999", 413),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked", 411),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked", 411),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: magic", 417),
        ("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\nF: 6\r\nG: 7\r\nH: 8\r\nI: 9\r\nJ: 10", 431),
    ])
    func malformedHeadsAreRefused(head: String, expected: Int) {
        #expect(status(of: head) == expected, "head: \(head.debugDescription)")
    }

    @Test(arguments: [
        ("5", 5), (" 5 ", 5), ("5, 5", 5), ("005", 5), ("0", 0), ("1000", 1000),
    ])
    func contentLengthFormsAreAccepted(value: String, expected: Int) throws {
        let head = try parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \(value)")
        #expect(head.contentLength == expected)
    }

    @Test func repeatedEqualContentLengthsAreOneLength() throws {
        let head = try parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 7\r\ncontent-length: 7")
        #expect(head.contentLength == 7)
    }

    @Test func keepAliveFollowsVersionAndConnectionHeader() throws {
        #expect(try parse("GET / HTTP/1.1\r\nHost: a").keepAlive)
        #expect(try !parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: close").keepAlive)
        #expect(try !parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: Keep-Alive, CLOSE").keepAlive)
        #expect(try !parse("GET / HTTP/1.0").keepAlive)
        #expect(try parse("GET / HTTP/1.0\r\nConnection: keep-alive").keepAlive)
        #expect(try parse("GET / HTTP/1.0").version == .http1_0)
        // A later 1.x minor version is served as 1.1.
        #expect(try parse("GET / HTTP/1.7\r\nHost: a").version == .http1_1)
    }

    @Test func expectContinueIsRecognised() throws {
        #expect(try parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-Continue").expectsContinue)
    }

    @Test func absoluteFormTargetKeepsPathAndQuery() throws {
        let head = try parse("GET http://example.org:8080/v1/x?y=1 HTTP/1.1\r\nHost: example.org")
        #expect(head.path == "/v1/x")
        #expect(head.queryItems == [HTTPQueryItem(name: "y", value: "1")])
        #expect(try parse("GET HTTP://example.org HTTP/1.1\r\nHost: e").path == "/")
        #expect(try parse("OPTIONS * HTTP/1.1\r\nHost: e").path == "*")
    }

    @Test func violationsAfterTheRequestLineCarryMethodAndTarget() {
        do {
            _ = try parse("PUT /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5000")
            Issue.record("expected 413")
        } catch {
            #expect(error.status == .contentTooLarge)
            #expect(error.method == "PUT")
            #expect(error.target == "/x")
        }
    }

    @Test func queryItemsDecodePlusAndPercentAndSkipEmptyPairs() throws {
        let request = try HTTPRequest(method: "GET", target: "/p?a=1&&b&c=%2B%20+x&=v&d=a=b")
        #expect(request.queryItems == [
            HTTPQueryItem(name: "a", value: "1"),
            HTTPQueryItem(name: "b", value: ""),
            HTTPQueryItem(name: "c", value: "+  x"),
            HTTPQueryItem(name: "", value: "v"),
            HTTPQueryItem(name: "d", value: "a=b"),
        ])
        #expect(request.queryValue("c") == "+  x")
        #expect(request.queryValue("zz") == nil)
        #expect(throws: HTTPError.self) { try HTTPRequest(method: "GET", target: "/p?a=%4") }
    }

    @Test func pathSegmentsDecodeEachSegmentSeparately() throws {
        let request = try HTTPRequest(method: "GET", target: "/v1/buildings/a%2Fb%20c/x")
        #expect(request.path == "/v1/buildings/a%2Fb%20c/x")
        #expect(request.pathSegments == ["v1", "buildings", "a/b c", "x"])
        #expect(try HTTPRequest(method: "GET", target: "/bad%FF").pathSegments == nil)
        #expect(try HTTPRequest(method: "GET", target: "/").pathSegments == [""])
    }

    @Test func percentDecodingRejectsBrokenEscapes() {
        #expect(HTTPRequest.percentDecode("a%20b") == "a b")
        #expect(HTTPRequest.percentDecode("a+b") == "a+b")
        #expect(HTTPRequest.percentDecode("a+b", plusIsSpace: true) == "a b")
        #expect(HTTPRequest.percentDecode("%") == nil)
        #expect(HTTPRequest.percentDecode("%4") == nil)
        #expect(HTTPRequest.percentDecode("%g0") == nil)
        #expect(HTTPRequest.percentDecode("%ff") == nil)
        #expect(HTTPRequest.percentDecode("%e2%9c%93") == "✓")
    }

    @Test func headersLookUpIgnoringCaseAndKeepOrder() {
        var headers: HTTPHeaders = ["Content-Type": "a", "X-A": "1", "x-a": "2"]
        #expect(headers["content-TYPE"] == "a")
        #expect(headers.values(for: "X-a") == ["1", "2"])
        headers.set(name: "X-A", value: "3")
        #expect(headers.values(for: "x-a") == ["3"])
        #expect(headers.count == 2)
        headers.remove(name: "CONTENT-type")
        #expect(!headers.contains("Content-Type"))
        #expect(headers["Content-Typ"] == nil)
        #expect(HTTPHeaders.namesEqual("abc", "ABC"))
        #expect(!HTTPHeaders.namesEqual("abc", "abcd"))
    }
}

@Suite("Early request-line checks")
struct PartialRequestLineTests {
    func check(_ text: String, from start: Int = 0) -> RequestHeadParser.PartialLine {
        RequestHeadParser.checkPartialRequestLine(Array(text.utf8), from: start)
    }

    func status(_ line: RequestHeadParser.PartialLine) -> Int? {
        if case .invalid(let violation) = line { return violation.status.code }
        return nil
    }

    @Test func acceptableBytesWaitForTheLineEnd() {
        #expect(check("GET /some") == .incomplete(checkedUpTo: 9))
        #expect(check("GET / HTTP/1.1\r") == .incomplete(checkedUpTo: 14))
        #expect(check("GET / HTTP/1.1\r\nHo") == .valid)
        #expect(check("GET / HTTP/1.1\r\n", from: 10) == .valid)
    }

    @Test func badLinesAreRefusedBeforeTheHeadEnds() {
        #expect(status(check("\u{1}\u{2}")) == 400)
        #expect(status(check("GET /\u{FF}")) == 400)
        #expect(status(check("GET /\n")) == 400)
        #expect(status(check("GET /\rX")) == 400)
        #expect(status(check("GET / HTTP/2.0\r\n")) == 505)
        #expect(status(check("GET  / HTTP/1.1\r\n")) == 400)
    }
}
