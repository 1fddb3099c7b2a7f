/// An HTTP protocol version as sent on the request line.
public struct HTTPVersion: Sendable, Equatable, CustomStringConvertible {
    /// The major version; the server accepts only 1.
    public var major: Int
    /// The minor version.
    public var minor: Int

    /// Creates a version.
    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// HTTP/1.0: no keep-alive unless the client asks, no `Host` required.
    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    /// HTTP/1.1.
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)

    /// `HTTP/1.1`.
    public var description: String { "HTTP/\(major).\(minor)" }
}

/// One `name=value` pair of a query string, percent-decoded.
public struct HTTPQueryItem: Sendable, Equatable {
    /// The decoded name.
    public var name: String
    /// The decoded value; empty when the pair had no `=`.
    public var value: String

    /// Creates a pair.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A complete request as the server hands it to the handler: head parsed and checked, body read in full.
public struct HTTPRequest: Sendable {
    /// The method token, case preserved (`GET`; methods are case-sensitive).
    public var method: String
    /// The request target exactly as sent (`/v1/entries?from=3`).
    public var target: String
    /// The path part of the target, still percent-encoded (`/v1/buildings/b%201`); `*` for `OPTIONS *`.
    public var path: String
    /// The raw query after `?`, still encoded; nil when the target has no `?`.
    public var query: String?
    /// The query's pairs in order, percent-decoded, `+` read as a space.
    public var queryItems: [HTTPQueryItem]
    /// The protocol version of the request line.
    public var version: HTTPVersion
    /// The header fields in order.
    public var headers: HTTPHeaders
    /// The body: exactly `Content-Length` bytes (empty when there was none).
    public var body: [UInt8]
    /// The peer's address, `1.2.3.4:5678` or `[::1]:5678` (the proxy's, behind a reverse proxy).
    public var remoteAddress: String

    /// Creates a request; the server builds these, tests and routers may too.
    public init(
        method: String,
        target: String,
        version: HTTPVersion = .http1_1,
        headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [],
        remoteAddress: String = "-"
    ) throws(HTTPError) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
        let parts = try Self.split(target: target)
        self.path = parts.path
        self.query = parts.query
        self.queryItems = parts.items
    }

    /// Builds the request from a checked head, without parsing the target again.
    init(head: RequestHead, body: [UInt8], remoteAddress: String) {
        method = head.method
        target = head.target
        path = head.path
        query = head.query
        queryItems = head.queryItems
        version = head.version
        headers = head.headers
        self.body = body
        self.remoteAddress = remoteAddress
    }

    /// The first decoded value of query parameter `name`, or nil.
    public func queryValue(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }

    /// The path's segments after the leading `/`, each percent-decoded; nil when one does not decode to UTF-8.
    ///
    /// Decoding per segment keeps an encoded `%2F` inside a segment instead of splitting on it.
    public var pathSegments: [String]? {
        guard path.hasPrefix("/") else { return nil }
        var segments: [String] = []
        for raw in path.utf8.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            guard let segment = Self.percentDecode(raw, plusIsSpace: false) else { return nil }
            segments.append(segment)
        }
        return segments
    }

    /// Decodes `%XX` escapes (and `+` as a space when asked); nil on a broken escape or invalid UTF-8.
    public static func percentDecode(_ text: String, plusIsSpace: Bool = false) -> String? {
        percentDecode(Substring(text).utf8, plusIsSpace: plusIsSpace)
    }

    static func percentDecode<Bytes: Collection<UInt8>>(_ bytes: Bytes, plusIsSpace: Bool) -> String? {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                let high = bytes.index(after: index)
                guard high != bytes.endIndex else { return nil }
                let low = bytes.index(after: high)
                guard low != bytes.endIndex, let h = hexValue(bytes[high]), let l = hexValue(bytes[low]) else { return nil }
                output.append(h << 4 | l)
                index = bytes.index(after: low)
                continue
            }
            output.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            index = bytes.index(after: index)
        }
        return String(validating: output, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Splits an origin-form target (or `*`, or an absolute `http://host/path`) into path, query and decoded pairs.
    static func split(target: String) throws(HTTPError) -> (path: String, query: String?, items: [HTTPQueryItem]) {
        var rest = Substring(target)
        if target == "*" { return ("*", nil, []) }
        if !rest.hasPrefix("/") {
            // Absolute form (`http://host:port/path`), which proxies may send; the authority is dropped.
            let lower = rest.prefix(8).lowercased()
            let scheme = lower.hasPrefix("http://") ? 7 : lower.hasPrefix("https://") ? 8 : 0
            guard scheme > 0 else {
                throw HTTPError(.malformedRequest, "request target: must start with '/' or 'http://'")
            }
            rest = rest.dropFirst(scheme)
            guard let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return ("/", nil, []) }
            rest = rest[slash...]
            if rest.hasPrefix("?") { rest = "/" + rest }
        }
        guard let mark = rest.firstIndex(of: "?") else { return (String(rest), nil, []) }
        let query = rest[rest.index(after: mark)...]
        var items: [HTTPQueryItem] = []
        for pair in query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = pair.firstIndex(of: UInt8(ascii: "="))
            let rawName = equals.map { pair[..<$0] } ?? pair[...]
            let rawValue = equals.map { pair[pair.index(after: $0)...] } ?? pair[pair.endIndex...]
            guard let name = percentDecode(rawName, plusIsSpace: true),
                  let value = percentDecode(rawValue, plusIsSpace: true) else {
                throw HTTPError(.malformedRequest, "query: '\(String(decoding: pair, as: UTF8.self))' is not valid percent-encoded UTF-8")
            }
            items.append(HTTPQueryItem(name: name, value: value))
        }
        return (String(rest[..<mark]), String(query), items)
    }
}
