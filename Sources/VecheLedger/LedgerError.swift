public import VecheCore

/// Why the ledger refused a command or an entry, with the WIRE.md status it maps to.
///
/// This is the one place a refusal's kind turns into an HTTP status; the CLI maps
/// every refusal to exit code 1.
public struct LedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The refusal classes of WIRE.md "HTTP", in the order the checks run.
    public enum Kind: String, Sendable {
        /// 400: malformed JSON, envelope or command schema.
        case malformed
        /// 403: bad signature, wrong ledger, or no authority.
        case forbidden
        /// 409: a state conflict (ballot rules, meeting not open, ids reused, key bindings).
        case conflict
        /// 422: a reference to something that does not exist.
        case unknownReference
        /// 422: another rule refuses it.
        case rule

        /// The HTTP status of this kind.
        public var status: Int {
            switch self {
            case .malformed: 400
            case .forbidden: 403
            case .conflict: 409
            case .unknownReference, .rule: 422
            }
        }
    }

    public let kind: Kind
    /// A stable kebab-case reason code (`second-own-ballot`, `not-authorised`, …).
    public let reason: String
    /// RFC 6901 pointer into the envelope (`/command/premises/3/area`), when one field is at fault.
    public let field: String?
    /// A sentence a person can act on.
    public let message: String

    public init(_ kind: Kind, _ reason: String, field: String? = nil, _ message: String) {
        self.kind = kind
        self.reason = reason
        self.field = field
        self.message = message
    }

    /// The HTTP status (WIRE.md).
    public var status: Int { kind.status }

    public var description: String {
        if let field { return "\(message) (\(field))" }
        return message
    }
}

extension LedgerError {
    /// A pointer `/command/...` from a path relative to the command object.
    public static func commandPointer(_ path: [PathComponent]) -> String {
        "/command" + path.map { "/" + escapePointerToken($0.pointerToken) }.joined()
    }

    /// RFC 6901 escaping: `~` → `~0`, `/` → `~1`.
    public static func escapePointerToken(_ token: String) -> String {
        token.replacingAll("~", with: "~0").replacingAll("/", with: "~1")
    }

    /// Translates a domain error from the core into the ledger's refusal.
    public init(_ error: DomainError) {
        let kind: Kind =
            switch error.code {
            case .malformed: .malformed
            case .unknownReference: .unknownReference
            case .conflict: .conflict
            case .rule: .rule
            }
        self.init(kind, error.code.rawValue, field: LedgerError.commandPointer(error.path), error.message)
    }
}

extension PathComponent {
    /// The RFC 6901 reference token (unescaped).
    var pointerToken: String {
        switch self {
        case .key(let key): key
        case .index(let index): String(index)
        }
    }
}

extension String {
    /// Replaces every occurrence of `target` (no Foundation needed).
    func replacingAll(_ target: Character, with replacement: String) -> String {
        guard contains(target) else { return self }
        var out = ""
        for character in self {
            if character == target { out += replacement } else { out.append(character) }
        }
        return out
    }
}
