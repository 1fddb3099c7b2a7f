/// Reads responses off a byte stream incrementally (client side): `Content-Length` or read-to-close bodies.
///
/// Chunked responses are refused: our server never sends them, and supporting them would
/// only widen what a hostile server could make the client do.
struct ResponseDecoder {
    private enum Framing {
        case length(Int)
        case untilClose
    }

    private struct Pending {
        var status: HTTPStatus
        var headers: HTTPHeaders
        var framing: Framing
    }

    let maxHeadBytes: Int
    let maxBodyBytes: Int
    private(set) var buffer: [UInt8] = []
    private var scanFrom = 0
    private var pending: Pending?

    init(maxHeadBytes: Int = 64 * 1024, maxBodyBytes: Int) {
        self.maxHeadBytes = maxHeadBytes
        self.maxBodyBytes = maxBodyBytes
    }

    /// Whether no byte of a next response has arrived.
    var isIdle: Bool { buffer.isEmpty && pending == nil }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: bytes)
    }

    mutating func reset() {
        buffer = []
        scanFrom = 0
        pending = nil
    }

    /// The next complete response, nil when more bytes are needed; `atEOF` when the peer has closed.
    ///
    /// `headRequest`: the response answers HEAD, so it has no body whatever its headers say.
    mutating func next(headRequest: Bool, atEOF: Bool) throws(HTTPError) -> HTTPResponse? {
        while true {
            if pending == nil {
                guard let end = RequestHeadParser.endOfHead(in: buffer, searchingFrom: scanFrom) else {
                    if buffer.count > maxHeadBytes {
                        throw HTTPError(.malformedResponse, "response head longer than \(maxHeadBytes) bytes")
                    }
                    if atEOF {
                        throw buffer.isEmpty
                            ? HTTPError(.connectionClosed, "the server closed the connection without a response")
                            : HTTPError(.connectionClosed, "the server closed the connection in the middle of a response head")
                    }
                    scanFrom = max(0, buffer.count - 3)
                    return nil
                }
                guard end <= maxHeadBytes else {
                    throw HTTPError(.malformedResponse, "response head longer than \(maxHeadBytes) bytes")
                }
                let parsed = try Self.parseHead(buffer[0..<(end - 4)])
                buffer.removeSubrange(0..<end)
                scanFrom = 0
                if parsed.status.code < 200 { continue }  // 100 Continue and friends: interim, skip
                pending = Pending(status: parsed.status, headers: parsed.headers,
                                  framing: try framing(parsed.status, parsed.headers, headRequest: headRequest))
            }
            guard let current = pending else { return nil }
            switch current.framing {
            case .length(let length):
                guard buffer.count >= length else {
                    if atEOF { throw HTTPError(.connectionClosed, "the server closed the connection after \(buffer.count) of \(length) body bytes") }
                    return nil
                }
                let body = Array(buffer[0..<length])
                buffer.removeSubrange(0..<length)
                pending = nil
                return HTTPResponse(status: current.status, headers: current.headers, body: body)
            case .untilClose:
                if buffer.count > maxBodyBytes {
                    throw HTTPError(.responseTooLarge, "response body longer than \(maxBodyBytes) bytes")
                }
                guard atEOF else { return nil }
                let body = buffer
                buffer = []
                pending = nil
                return HTTPResponse(status: current.status, headers: current.headers, body: body)
            }
        }
    }

    private func framing(_ status: HTTPStatus, _ headers: HTTPHeaders, headRequest: Bool) throws(HTTPError) -> Framing {
        if headRequest || status.code == 204 || status.code == 304 { return .length(0) }
        if headers.contains("Transfer-Encoding") {
            throw HTTPError(.malformedResponse, "Transfer-Encoding responses (chunked) are not supported")
        }
        let lengths = headers.values(for: "Content-Length")
        guard !lengths.isEmpty else { return .untilClose }
        let length: Int
        do {
            length = try RequestHeadParser.parseContentLength(lengths)
        } catch {
            throw HTTPError(.malformedResponse, error.detail)
        }
        guard length <= maxBodyBytes else {
            throw HTTPError(.responseTooLarge, "response Content-Length \(length) exceeds the limit of \(maxBodyBytes) bytes")
        }
        return .length(length)
    }

    /// `HTTP/1.x SP 3DIGIT [SP reason]` and header fields.
    static func parseHead(_ head: ArraySlice<UInt8>) throws(HTTPError) -> (status: HTTPStatus, headers: HTTPHeaders) {
        do {
            let lines = try RequestHeadParser.lines(of: head)
            guard let statusLine = lines.first else { throw HTTPError(.malformedResponse, "empty response head") }
            let line = Array(head[statusLine])
            guard line.count >= 12, line.starts(with: Array("HTTP/1.".utf8)),
                  line[7] >= 0x30, line[7] <= 0x39, line[8] == 0x20,
                  line[9...11].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  line.count == 12 || line[12] == 0x20 else {
                throw HTTPError(.malformedResponse, "status line '\(String(decoding: line.prefix(80), as: UTF8.self))' is not 'HTTP/1.x NNN reason'")
            }
            let code = line[9...11].reduce(0) { $0 * 10 + Int($1 - 0x30) }
            let reason = line.count > 13 ? String(decoding: line[13...], as: UTF8.self) : ""
            var fields: [HTTPHeader] = []
            for range in lines.dropFirst() { fields.append(try RequestHeadParser.parseField(head[range])) }
            return (HTTPStatus(code: code, reasonPhrase: reason), HTTPHeaders(fields))
        } catch let violation as ProtocolViolation {
            throw HTTPError(.malformedResponse, "response: \(violation.detail)")
        } catch let error as HTTPError {
            throw error
        } catch {
            throw HTTPError(.malformedResponse, "response: \(error)")
        }
    }
}
