import Glibc

/// Turns a handler's `HTTPResponse` into wire bytes: status line, sanitised headers, framing headers.
struct ResponseEncoder {
    private var cachedSecond = -1
    private var cachedDate: [UInt8] = []

    /// The head bytes to send, the body to send after them, and whether the handler asked to close.
    struct Encoded {
        var head: [UInt8]
        var body: [UInt8]
        var handlerAskedToClose: Bool
    }

    /// Encodes `response` for a request with `method`; `keepAlive` decides the `Connection` field.
    ///
    /// `version` is the request's: an HTTP/1.0 client that asked for keep-alive gets
    /// `Connection: keep-alive` back, since 1.0 closes by default.
    mutating func encode(_ response: HTTPResponse, method: String?, version: HTTPVersion, keepAlive: Bool) -> Encoded {
        var response = response
        // 1xx belong to the server (100 Continue); a handler cannot switch protocols.
        if response.status.code < 200 || response.status.code > 999 {
            response = .problem(status: .internalServerError, detail: "handler returned status \(response.status.code)")
        }
        let code = response.status.code
        let askedToClose = response.headers.listContains("Connection", token: "close")
        let closing = !keepAlive || askedToClose
        let bodyForbidden = code == 204 || code == 304
        let sendsBody = !bodyForbidden && method != "HEAD"

        var head: [UInt8] = []
        head.reserveCapacity(256)
        head.append(contentsOf: "HTTP/1.1 \(code) ".utf8)
        head.append(contentsOf: response.status.reasonPhrase.utf8.filter { $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) })
        head.append(contentsOf: [0x0D, 0x0A])
        var hasDate = false
        for field in response.headers {
            if HTTPHeaders.namesEqual(field.name, "Content-Length")
                || HTTPHeaders.namesEqual(field.name, "Transfer-Encoding")
                || HTTPHeaders.namesEqual(field.name, "Connection") {
                continue
            }
            // A field that would break framing (CR, LF, a non-token name) is dropped, never sent.
            guard !field.name.isEmpty, field.name.utf8.allSatisfy(RequestHeadParser.isTokenByte),
                  field.value.utf8.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else { continue }
            if HTTPHeaders.namesEqual(field.name, "Date") { hasDate = true }
            head.append(contentsOf: field.name.utf8)
            head.append(contentsOf: [0x3A, 0x20])
            head.append(contentsOf: field.value.utf8)
            head.append(contentsOf: [0x0D, 0x0A])
        }
        if !hasDate {
            head.append(contentsOf: "Date: ".utf8)
            head.append(contentsOf: currentDate())
            head.append(contentsOf: [0x0D, 0x0A])
        }
        if !bodyForbidden {
            // HEAD announces the length the body would have; 204 must not and 304 need not.
            head.append(contentsOf: "Content-Length: \(response.body.count)\r\n".utf8)
        }
        if closing {
            head.append(contentsOf: "Connection: close\r\n".utf8)
        } else if version == .http1_0 {
            head.append(contentsOf: "Connection: keep-alive\r\n".utf8)
        }
        head.append(contentsOf: [0x0D, 0x0A])
        return Encoded(head: head, body: sendsBody ? response.body : [], handlerAskedToClose: askedToClose)
    }

    /// The IMF-fixdate for now, recomputed at most once a second.
    mutating func currentDate() -> [UInt8] {
        let now = time(nil)
        if Int(now) == cachedSecond { return cachedDate }
        cachedSecond = Int(now)
        cachedDate = Array(Self.imfFixdate(now).utf8)
        return cachedDate
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT` (RFC 9110 §5.6.7).
    static func imfFixdate(_ seconds: time_t) -> String {
        var seconds = seconds
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let day = days[Int(parts.tm_wday) % 7]
        let month = months[Int(parts.tm_mon) % 12]
        return "\(day), \(two(parts.tm_mday)) \(month) \(parts.tm_year + 1900) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
