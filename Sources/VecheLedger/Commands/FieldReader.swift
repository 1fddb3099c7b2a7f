import VecheCore
import VecheCrypto

/// Reads the members of one JSON object by name, tracking the path for error pointers
/// and refusing members nobody asked for (WIRE.md: unknown fields are refused, never ignored).
struct FieldReader {
    let members: [String: JSONValue]
    let path: [PathComponent]
    /// Names read so far (a command has a dozen fields at most, so a list beats a set).
    private var consumed: [String] = []

    /// Wraps `value`, which must be an object.
    init(_ value: JSONValue, at path: [PathComponent]) throws(LedgerError) {
        guard case .object(let members) = value else {
            throw FieldReader.malformed(path, "must be an object")
        }
        self.members = members
        self.path = path
    }

    static func malformed(_ path: [PathComponent], _ reason: String) -> LedgerError {
        let name = path.last.map { "'\($0.pointerToken)'" } ?? "command"
        return LedgerError(.malformed, "schema", field: LedgerError.commandPointer(path), "\(name) \(reason)")
    }

    func malformed(_ key: String, _ reason: String) -> LedgerError {
        FieldReader.malformed(path + [.key(key)], reason)
    }

    /// The raw member, required.
    mutating func value(_ key: String) throws(LedgerError) -> JSONValue {
        guard let value = members[key] else { throw malformed(key, "is required") }
        consume(key)
        return value
    }

    /// The raw member, optional.
    mutating func optionalValue(_ key: String) -> JSONValue? {
        guard let value = members[key] else { return nil }
        consume(key)
        return value
    }

    /// Notes a member that exists as read.
    private mutating func consume(_ key: String) {
        if !consumed.contains(key) { consumed.append(key) }
    }

    /// A required string member.
    mutating func string(_ key: String) throws(LedgerError) -> String {
        guard case .string(let text) = try value(key) else { throw malformed(key, "must be a string") }
        return text
    }

    /// An optional string member.
    mutating func optionalString(_ key: String) throws(LedgerError) -> String? {
        guard let value = optionalValue(key) else { return nil }
        guard case .string(let text) = value else { throw malformed(key, "must be a string") }
        return text
    }

    /// A required string matching a grammar.
    mutating func string(_ key: String, _ grammar: Grammar) throws(LedgerError) -> String {
        let text = try string(key)
        try grammar.check(text, at: path + [.key(key)])
        return text
    }

    /// An optional string matching a grammar.
    mutating func optionalString(_ key: String, _ grammar: Grammar) throws(LedgerError) -> String? {
        guard let text = try optionalString(key) else { return nil }
        try grammar.check(text, at: path + [.key(key)])
        return text
    }

    /// A required string that is one of an enum's raw values.
    mutating func enumeration<E: RawRepresentable>(_ key: String, _ type: E.Type) throws(LedgerError) -> E
    where E.RawValue == String, E: CaseIterable {
        let text = try string(key)
        guard let value = E(rawValue: text) else {
            throw malformed(key, "must be one of \(E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
        }
        return value
    }

    /// A required array member.
    mutating func array(_ key: String, maxCount: Int) throws(LedgerError) -> [JSONValue] {
        guard case .array(let elements) = try value(key) else { throw malformed(key, "must be an array") }
        guard elements.count <= maxCount else { throw malformed(key, "has more than \(maxCount) elements") }
        return elements
    }

    /// A required object member.
    mutating func object(_ key: String) throws(LedgerError) -> [String: JSONValue] {
        guard case .object(let members) = try value(key) else { throw malformed(key, "must be an object") }
        return members
    }

    /// A required public key string, parsed.
    mutating func key(_ key: String) throws(LedgerError) -> String {
        let text = try string(key)
        try Grammar.publicKey.check(text, at: path + [.key(key)])
        return text
    }

    /// Refuses any member not read.
    func finish() throws(LedgerError) {
        // Only names that exist are noted, so equal counts mean every member was read.
        guard consumed.count != members.count else { return }
        if let unknown = members.keys.filter({ !consumed.contains($0) }).sorted().first {
            throw malformed(unknown, "is not a field of this object")
        }
    }
}

/// The string grammars of WIRE.md "Conventions", each refusing with a 400 that names the field.
enum Grammar {
    case identifier
    case commandID
    case premisesNumber
    case freeText
    case proposal
    case basis
    case cadastral
    case inn
    case sha256Hex
    case publicKey
    case timestamp

    /// `path` is only built when the text is refused.
    func check(_ text: String, at path: @autoclosure () -> [PathComponent]) throws(LedgerError) {
        let ok: Bool
        let expectation: String
        switch self {
        case .identifier:
            ok = Identifier.isValid(text)
            expectation = "must match [A-Za-z0-9._:-]{1,64}"
        case .commandID:
            ok = CommandID.isValid(text)
            expectation = "must match [A-Za-z0-9_-]{8,64}"
        case .premisesNumber:
            ok = TextRule.premisesNumber.accepts(text)
            expectation = "must be 1–32 characters without control characters"
        case .freeText:
            ok = TextRule.freeText.accepts(text)
            expectation = "must be 1–2000 characters without control characters"
        case .proposal:
            ok = TextRule.freeTextWithLineFeeds.accepts(text)
            expectation = "must be 1–2000 characters without control characters other than LF"
        case .basis:
            ok = TextRule.basis.accepts(text)
            expectation = "must be 1–200 characters without control characters"
        case .cadastral:
            ok = TextRule.cadastral.accepts(text)
            expectation = "must match [0-9:]{1,40}"
        case .inn:
            ok = TextRule.inn.accepts(text)
            expectation = "must be 10 or 12 digits"
        case .sha256Hex:
            ok = TextRule.hexSHA256.accepts(text)
            expectation = "must be 64 lowercase hex digits (SHA-256)"
        case .publicKey:
            ok = (try? PublicKey(string: text)) != nil
            expectation = "must be a public key string ed25519:<b64u 32 bytes> or es256:<b64u 65-byte P-256 point>"
        case .timestamp:
            ok = (try? Timestamp.parse(text)) != nil
            expectation = "must be an RFC 3339 UTC time with Z and 0 or 3 fraction digits"
        }
        if !ok { throw FieldReader.malformed(path(), expectation) }
    }
}
