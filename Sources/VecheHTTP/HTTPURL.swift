/// An `http://host[:port][/path][?query]` URL, the only kind the client speaks (TLS ends at the proxy).
public struct HTTPURL: Sendable, Equatable, CustomStringConvertible {
    /// The host: a name, an IPv4 literal, or an IPv6 literal without brackets.
    public var host: String
    /// The port; 80 when the URL has none.
    public var port: Int
    /// The request target: path and query, at least `/`.
    public var target: String

    /// Parses `text`; throws naming the part that is wrong.
    public init(_ text: String) throws(HTTPError) {
        let bytes = Array(text.utf8)
        let scheme = "http://".utf8
        guard bytes.count >= scheme.count,
              zip(bytes.prefix(scheme.count), scheme).allSatisfy({ HTTPHeaders.asciiLower($0) == $1 }) else {
            if text.lowercased().hasPrefix("https://") {
                throw HTTPError(.invalidURL, "URL '\(text)': https is not supported; use http:// (TLS ends at the reverse proxy)")
            }
            throw HTTPError(.invalidURL, "URL '\(text)': must start with http://")
        }
        var rest = bytes[scheme.count...]
        if let fragment = rest.firstIndex(of: UInt8(ascii: "#")) { rest = rest[..<fragment] }
        let authorityEnd = rest.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let pathPart = rest[authorityEnd...]
        guard !authority.contains(UInt8(ascii: "@")) else {
            throw HTTPError(.invalidURL, "URL '\(text)': user information is not supported")
        }

        var hostBytes = authority[...]
        var portBytes: ArraySlice<UInt8>?
        if authority.first == UInt8(ascii: "[") {
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else {
                throw HTTPError(.invalidURL, "URL '\(text)': IPv6 host without ']'")
            }
            hostBytes = authority[(authority.startIndex + 1)..<close]
            let after = authority[(close + 1)...]
            if !after.isEmpty {
                guard after.first == UInt8(ascii: ":") else { throw HTTPError(.invalidURL, "URL '\(text)': junk after ']'") }
                portBytes = after.dropFirst()
            }
            guard !hostBytes.isEmpty, hostBytes.allSatisfy({ Self.isHexDigit($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") }) else {
                throw HTTPError(.invalidURL, "URL '\(text)': invalid IPv6 host")
            }
        } else {
            if let colon = authority.firstIndex(of: UInt8(ascii: ":")) {
                hostBytes = authority[..<colon]
                portBytes = authority[(colon + 1)...]
            }
            guard !hostBytes.isEmpty, hostBytes.allSatisfy({ Self.isHostByte($0) }) else {
                throw HTTPError(.invalidURL, "URL '\(text)': host must be a name or an IP address")
            }
        }
        var port = 80
        if let portBytes {
            guard !portBytes.isEmpty, portBytes.count <= 5, portBytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  let number = Int(String(decoding: portBytes, as: UTF8.self)), (1...65535).contains(number) else {
                throw HTTPError(.invalidURL, "URL '\(text)': port must be 1–65535")
            }
            port = number
        }
        guard pathPart.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw HTTPError(.invalidURL, "URL '\(text)': path must be percent-encoded visible ASCII")
        }
        var target = String(decoding: pathPart, as: UTF8.self)
        if !target.hasPrefix("/") { target = "/" + target }
        self.host = String(decoding: hostBytes, as: UTF8.self)
        self.port = port
        self.target = target
    }

    /// A URL from its parts.
    public init(host: String, port: Int, target: String = "/") {
        self.host = host
        self.port = port
        self.target = target.hasPrefix("/") ? target : "/" + target
    }

    /// The same server with another target (`url.with(target: "/v1/checkpoint")`).
    public func with(target: String) -> HTTPURL {
        HTTPURL(host: host, port: port, target: target)
    }

    /// `host:port` as the `Host` header wants it (IPv6 in brackets).
    public var authority: String {
        let shown = host.contains(":") ? "[\(host)]" : host
        return "\(shown):\(port)"
    }

    /// `http://host:port/target`.
    public var description: String { "http://\(authority)\(target)" }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
    }

    private static func isHostByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
    }
}
