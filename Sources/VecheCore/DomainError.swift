/// One step of a path into a command object: an object key or an array index.
public enum PathComponent: Hashable, Sendable, CustomStringConvertible {
    /// An object member, `premises`.
    case key(String)
    /// An array element, `3`.
    case index(Int)

    /// The component as it appears in a JSON Pointer, escaped per RFC 6901 (`~` → `~0`, `/` → `~1`).
    public var pointerToken: String {
        switch self {
        case .index(let index):
            return String(index)
        case .key(let key):
            var token = ""
            for character in key.unicodeScalars {
                switch character {
                case "~": token += "~0"
                case "/": token += "~1"
                default: token.unicodeScalars.append(character)
                }
            }
            return token
        }
    }

    /// The pointer token.
    public var description: String { pointerToken }
}

/// A refusal by the domain: malformed input, an unknown reference, a state conflict or a broken rule.
///
/// The code decides the HTTP status and CLI exit code in one place (the ledger and server);
/// the path says which field is at fault, relative to the command object, so the ledger can
/// build the RFC 6901 pointer `/command/premises/3/area` by prefixing `/command`.
public struct DomainError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of refusal this is.
    public enum Code: String, Hashable, Sendable {
        /// A grammar of WIRE.md is violated (HTTP 400).
        case malformed
        /// A building, meeting, owner or item that does not exist (HTTP 422).
        case unknownReference = "unknown-reference"
        /// The state forbids it: a ballot rule, a meeting not open (HTTP 409).
        case conflict
        /// Another domain rule refuses it: stakes not summing to 1, notice too short (HTTP 422).
        case rule
    }

    /// What kind of refusal this is.
    public var code: Code
    /// The field at fault, relative to the command object; empty when no single field is.
    public var path: [PathComponent]
    /// What is wrong, naming the field and the reason.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, at path: [PathComponent] = [], _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    /// The RFC 6901 JSON Pointer of `path` (`"/premises/3/area"`), or `""` when the path is empty.
    public var pointer: String {
        path.map { "/" + $0.pointerToken }.joined()
    }

    /// The same error with `prefix` put in front of its path (for callers that parse nested values).
    public func prefixed(by prefix: [PathComponent]) -> DomainError {
        DomainError(code, at: prefix + path, message)
    }

    /// `code at /pointer: message`, readable in logs and CLI output.
    public var description: String {
        path.isEmpty ? "\(code.rawValue): \(message)" : "\(code.rawValue) at \(pointer): \(message)"
    }
}

extension DomainError {
    /// A short, printable rendering of untrusted text for messages: control characters escaped, long text cut.
    static func quote(_ text: String, limit: Int = 40) -> String {
        var result = "\""
        var count = 0
        for scalar in text.unicodeScalars {
            if count == limit {
                result += "…"
                break
            }
            count += 1
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if TextRules.isControl(scalar) {
                    result += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    /// The name of the field a path ends in (`"area"` for `premises/3/area`), for messages.
    static func fieldName(_ path: [PathComponent], default name: String) -> String {
        for component in path.reversed() {
            if case .key(let key) = component { return key }
        }
        return name
    }
}
