/// An RFC 6901 JSON Pointer (`/command/premises/3/area`), as problem responses' `field`.
public struct JSONPointer: Hashable, Sendable, CustomStringConvertible {
    /// The reference tokens, unescaped.
    public private(set) var tokens: [String]

    /// The pointer made of `tokens` (unescaped); no tokens is the whole document.
    public init(_ tokens: [String] = []) {
        self.tokens = tokens
    }

    /// The whole document (the empty string).
    public static let root = JSONPointer()

    /// This pointer extended by an object member name.
    public func appending(_ key: String) -> JSONPointer {
        var copy = self
        copy.tokens.append(key)
        return copy
    }

    /// This pointer extended by an array index.
    public func appending(_ index: Int) -> JSONPointer {
        appending(String(index))
    }

    /// The pointer text: `""` for the root, else `/` before each token with `~` → `~0`, `/` → `~1`.
    public var description: String {
        tokens.map { "/" + Self.escape($0) }.joined()
    }

    /// One reference token escaped per RFC 6901 §3.
    public static func escape(_ token: String) -> String {
        var escaped = ""
        for scalar in token.unicodeScalars {
            switch scalar {
            case "~": escaped += "~0"
            case "/": escaped += "~1"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
