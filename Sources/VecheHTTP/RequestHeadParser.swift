/// Why a request cannot be served: the status to answer with and a sentence naming the fault.
///
/// After a violation the server answers once and closes the connection: the framing of
/// anything that follows can no longer be trusted.
struct ProtocolViolation: Error, Equatable {
    let status: HTTPStatus
    let detail: String
    /// The request's method and target when the request line was readable, for the access log.
    var method: String?
    var target: String?

    init(_ status: HTTPStatus, _ detail: String) {
        self.status = status
        self.detail = detail
    }
}

/// A parsed and checked request head: what the connection needs to read the body and answer.
struct RequestHead {
    var method: String
    var target: String
    var path: String
    var query: String?
    var queryItems: [HTTPQueryItem]
    var version: HTTPVersion
    var headers: HTTPHeaders
    /// The body length from `Content-Length`; 0 when absent.
    var contentLength: Int
    /// Whether the client allows another request on this connection after this one.
    var keepAlive: Bool
    /// `Expect: 100-continue` was sent.
    var expectsContinue: Bool
}

/// Parses a request head (request line and header fields, RFC 9112 §2–§6) strictly.
///
/// Strictness is deliberate: the server sits behind a reverse proxy, and any leniency the
/// proxy does not share (bare LF, whitespace before a colon, folded lines, two lengths)
/// is a request-smuggling gap. Everything not in the grammar is refused with 400.
struct RequestHeadParser {
    var maxHeaderCount: Int
    var maxBodyBytes: Int

    /// The index just past the first CRLF CRLF in `buffer`, searching from `start`; nil when it is not there yet.
    static func endOfHead(in buffer: [UInt8], searchingFrom start: Int) -> Int? {
        guard buffer.count >= 4 else { return nil }
        var index = max(0, start)
        let last = buffer.count - 4
        while index <= last {
            if buffer[index] == 0x0D, buffer[index + 1] == 0x0A, buffer[index + 2] == 0x0D, buffer[index + 3] == 0x0A {
                return index + 4
            }
            index += 1
        }
        return nil
    }

    /// What an incomplete head's first line shows so far.
    enum PartialLine: Equatable {
        /// No line end yet; bytes up to the index are acceptable.
        case incomplete(checkedUpTo: Int)
        /// The request line is complete and valid.
        case valid
        /// The request line is already wrong.
        case invalid(ProtocolViolation)
    }

    /// Checks the request line of an incomplete head from `start` on (each byte is looked at once).
    static func checkPartialRequestLine(_ buffer: [UInt8], from start: Int) -> PartialLine {
        var index = start
        while index < buffer.count {
            let byte = buffer[index]
            if byte == 0x0A {
                return .invalid(ProtocolViolation(.badRequest, "head: line feed without carriage return"))
            }
            if byte == 0x0D {
                guard index + 1 < buffer.count else { return .incomplete(checkedUpTo: index) }
                guard buffer[index + 1] == 0x0A else {
                    return .invalid(ProtocolViolation(.badRequest, "head: carriage return without line feed"))
                }
                do {
                    _ = try parseRequestLine(buffer[0..<index])
                    return .valid
                } catch {
                    return .invalid(error)
                }
            }
            guard byte >= 0x20, byte < 0x7F else {
                return .invalid(ProtocolViolation(.badRequest, "request line: control or non-ASCII byte"))
            }
            index += 1
        }
        return .incomplete(checkedUpTo: index)
    }

    /// Parses `head` (the bytes before the blank line's CRLF CRLF, without it).
    func parse(_ head: ArraySlice<UInt8>) throws(ProtocolViolation) -> RequestHead {
        var lines = try Self.lines(of: head)
        guard !lines.isEmpty else { throw ProtocolViolation(.badRequest, "request line: missing") }
        let requestLine = lines.removeFirst()
        let (method, target, version) = try Self.parseRequestLine(head[requestLine])
        do {
            return try parseFields(lines, of: head, method: method, target: target, version: version)
        } catch var violation {
            violation.method = method
            violation.target = target
            throw violation
        }
    }

    private func parseFields(
        _ lines: [Range<Int>], of head: ArraySlice<UInt8>, method: String, target: String, version: HTTPVersion
    ) throws(ProtocolViolation) -> RequestHead {
        guard lines.count <= maxHeaderCount else {
            throw ProtocolViolation(.requestHeaderFieldsTooLarge, "headers: \(lines.count) fields exceed the limit of \(maxHeaderCount)")
        }
        var headers: [HTTPHeader] = []
        headers.reserveCapacity(lines.count)
        for line in lines {
            headers.append(try Self.parseField(head[line]))
        }
        let fields = HTTPHeaders(headers)

        let hosts = fields.values(for: "Host")
        if version == .http1_1, hosts.isEmpty {
            throw ProtocolViolation(.badRequest, "Host: required in HTTP/1.1")
        }
        if hosts.count > 1 {
            throw ProtocolViolation(.badRequest, "Host: sent \(hosts.count) times")
        }

        let lengths = fields.values(for: "Content-Length")
        if fields.contains("Transfer-Encoding") {
            if !lengths.isEmpty {
                throw ProtocolViolation(.badRequest, "Transfer-Encoding: not allowed together with Content-Length")
            }
            throw ProtocolViolation(.lengthRequired, "Transfer-Encoding: request bodies must be sent with Content-Length")
        }
        let contentLength = try Self.parseContentLength(lengths)
        if contentLength > maxBodyBytes {
            throw ProtocolViolation(.contentTooLarge, "Content-Length: \(contentLength) bytes exceed the limit of \(maxBodyBytes)")
        }

        var expectsContinue = false
        let expectations = fields.values(for: "Expect")
        if !expectations.isEmpty {
            guard expectations.count == 1, HTTPHeaders.namesEqual(expectations[0], "100-continue") else {
                throw ProtocolViolation(.expectationFailed, "Expect: only '100-continue' is supported")
            }
            expectsContinue = true
        }

        let close = fields.listContains("Connection", token: "close")
        let keepAlive = version == .http1_1 ? !close : (!close && fields.listContains("Connection", token: "keep-alive"))

        let parts: (path: String, query: String?, items: [HTTPQueryItem])
        do {
            parts = try HTTPRequest.split(target: target)
        } catch {
            throw ProtocolViolation(.badRequest, error.message)
        }
        if parts.path == "*", method != "OPTIONS" {
            throw ProtocolViolation(.badRequest, "request target: '*' is only for OPTIONS")
        }
        return RequestHead(
            method: method, target: target, path: parts.path, query: parts.query, queryItems: parts.items,
            version: version, headers: fields, contentLength: contentLength,
            keepAlive: keepAlive, expectsContinue: expectsContinue)
    }

    /// Splits on CRLF; a CR or LF alone anywhere is refused.
    static func lines(of head: ArraySlice<UInt8>) throws(ProtocolViolation) -> [Range<Int>] {
        var lines: [Range<Int>] = []
        var lineStart = head.startIndex
        var index = head.startIndex
        while index < head.endIndex {
            let byte = head[index]
            if byte == 0x0A {
                throw ProtocolViolation(.badRequest, "head: line feed without carriage return")
            }
            if byte == 0x0D {
                guard index + 1 < head.endIndex, head[index + 1] == 0x0A else {
                    throw ProtocolViolation(.badRequest, "head: carriage return without line feed")
                }
                lines.append(lineStart..<index)
                index += 2
                lineStart = index
                continue
            }
            index += 1
        }
        lines.append(lineStart..<head.endIndex)
        return lines
    }

    /// `method SP request-target SP HTTP-version`, exactly one space each.
    static func parseRequestLine(_ line: ArraySlice<UInt8>) throws(ProtocolViolation) -> (String, String, HTTPVersion) {
        guard let firstSpace = line.firstIndex(of: 0x20) else {
            throw ProtocolViolation(.badRequest, "request line: expected 'METHOD TARGET HTTP/1.1'")
        }
        let methodBytes = line[line.startIndex..<firstSpace]
        guard !methodBytes.isEmpty, methodBytes.allSatisfy(isTokenByte) else {
            throw ProtocolViolation(.badRequest, "request line: method is not a token")
        }
        let afterMethod = line[(firstSpace + 1)...]
        guard let secondSpace = afterMethod.firstIndex(of: 0x20) else {
            throw ProtocolViolation(.badRequest, "request line: expected 'METHOD TARGET HTTP/1.1'")
        }
        let targetBytes = afterMethod[afterMethod.startIndex..<secondSpace]
        guard !targetBytes.isEmpty else {
            throw ProtocolViolation(.badRequest, "request line: empty target or two spaces")
        }
        // Visible ASCII only, and no fragment: a target is never sent with '#'.
        guard targetBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "#") }) else {
            throw ProtocolViolation(.badRequest, "request target: only visible ASCII without '#' is allowed")
        }
        let versionBytes = Array(afterMethod[(secondSpace + 1)...])
        let version = try parseVersion(versionBytes)
        return (String(decoding: methodBytes, as: UTF8.self), String(decoding: targetBytes, as: UTF8.self), version)
    }

    /// `HTTP/1.0` or `HTTP/1.1` (a higher 1.x is served as 1.1); another major version is 505.
    static func parseVersion(_ bytes: [UInt8]) throws(ProtocolViolation) -> HTTPVersion {
        let prefix = Array("HTTP/".utf8)
        guard bytes.count == 8, Array(bytes.prefix(5)) == prefix, bytes[6] == UInt8(ascii: "."),
              let major = digitValue(bytes[5]), let minor = digitValue(bytes[7]) else {
            throw ProtocolViolation(.badRequest, "request line: version must be HTTP/1.0 or HTTP/1.1")
        }
        guard major == 1 else {
            throw ProtocolViolation(.httpVersionNotSupported, "request line: HTTP/\(major).\(minor) is not supported; use HTTP/1.1")
        }
        return minor == 0 ? .http1_0 : .http1_1
    }

    /// `name ":" OWS value OWS`; folded lines, whitespace before the colon and control bytes are refused.
    static func parseField(_ line: ArraySlice<UInt8>) throws(ProtocolViolation) -> HTTPHeader {
        guard let first = line.first else { throw ProtocolViolation(.badRequest, "header: empty line") }
        if first == 0x20 || first == 0x09 {
            throw ProtocolViolation(.badRequest, "header: folded lines (obs-fold) are not accepted")
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
            throw ProtocolViolation(.badRequest, "header: line without ':'")
        }
        let nameBytes = line[line.startIndex..<colon]
        guard !nameBytes.isEmpty, nameBytes.allSatisfy(isTokenByte) else {
            let shown = String(decoding: nameBytes.prefix(64).filter { $0 >= 0x20 && $0 < 0x7F }, as: UTF8.self)
            throw ProtocolViolation(.badRequest, "header '\(shown)': name is not a token (no spaces before ':')")
        }
        var valueStart = colon + 1
        var valueEnd = line.endIndex
        while valueStart < valueEnd, line[valueStart] == 0x20 || line[valueStart] == 0x09 { valueStart += 1 }
        while valueEnd > valueStart, line[valueEnd - 1] == 0x20 || line[valueEnd - 1] == 0x09 { valueEnd -= 1 }
        let valueBytes = line[valueStart..<valueEnd]
        let name = String(decoding: nameBytes, as: UTF8.self)
        guard valueBytes.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
            throw ProtocolViolation(.badRequest, "header '\(name)': value holds a control character")
        }
        return HTTPHeader(name: name, value: String(decoding: valueBytes, as: UTF8.self))
    }

    /// One decimal length from every `Content-Length` field and list element; they must all agree.
    static func parseContentLength(_ values: [String]) throws(ProtocolViolation) -> Int {
        var length: Int?
        for value in values {
            for element in value.split(separator: ",", omittingEmptySubsequences: false) {
                let digits = element.trimmingHTTPWhitespace().utf8
                guard !digits.isEmpty, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                    throw ProtocolViolation(.badRequest, "Content-Length: '\(element.prefix(40))' is not a decimal number")
                }
                let significant = digits.drop { $0 == 0x30 }
                // 18 digits always fit in Int64; more is an overflow whatever the limit.
                guard significant.count <= 18 else {
                    throw ProtocolViolation(.badRequest, "Content-Length: number too large")
                }
                var number = 0
                for digit in significant { number = number * 10 + Int(digit - 0x30) }
                if let previous = length, previous != number {
                    throw ProtocolViolation(.badRequest, "Content-Length: differing values \(previous) and \(number)")
                }
                length = number
            }
        }
        return length ?? 0
    }

    private static func digitValue(_ byte: UInt8) -> Int? {
        byte >= 0x30 && byte <= 0x39 ? Int(byte - 0x30) : nil
    }

    /// RFC 9110 `tchar`.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        tokenTable[Int(byte)]
    }

    private static let tokenTable: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(byte)] = true }
        for byte in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(byte)] = true }
        for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(byte)] = true }
        for byte in "!#$%&'*+-.^_`|~".utf8 { table[Int(byte)] = true }
        return table
    }()
}
