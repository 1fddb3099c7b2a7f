/// Small lexical helpers shared by the grammars.
enum Grammar {
    /// `0` or `[1-9][0-9]*`: the one canonical spelling of a natural number.
    static func isCanonicalNatural(_ digits: Substring.UTF8View.SubSequence) -> Bool {
        guard let first = digits.first, isDigit(first) else { return false }
        if first == UInt8(ascii: "0") { return digits.count == 1 }
        return digits.allSatisfy(isDigit)
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// The value of 1–18 ASCII digits (no sign), or nil; 18 digits always fit in `Int64`.
    static func smallNatural(_ digits: Substring.UTF8View.SubSequence) -> Int64? {
        guard (1...18).contains(digits.count) else { return nil }
        var value: Int64 = 0
        for byte in digits {
            guard isDigit(byte) else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        return value
    }
}

/// The text grammars of WIRE.md "Conventions", one case each.
///
/// Lengths count Unicode scalar values and "control character" means general category Cc
/// (U+0000–U+001F and U+007F–U+009F), as WIRE.md says. Nothing is normalised: two texts are
/// the same only if their scalars are, so every implementation judges them alike.
public enum TextRule: String, Sendable, Hashable, CaseIterable {
    /// Building, meeting, owner and item ids: `[A-Za-z0-9._:-]{1,64}`.
    case identifier
    /// A command's `id`: `[A-Za-z0-9_-]{8,64}`.
    case commandID = "command-id"
    /// Premises `number`: 1–32 scalars, no control characters (`"12"`, `"12А"`, `"н1"`).
    case premisesNumber = "premises-number"
    /// `address`, `title`, `initiator`, `reason`, organisation `name`: 1–2000 scalars, no control characters.
    case freeText = "free-text"
    /// `proposal`: 1–2000 scalars, no control characters except LF.
    case freeTextWithLineFeeds = "free-text-lf"
    /// Agenda `basis`: 1–200 scalars, no control characters (so no LF). Empty is refused:
    /// leaving the optional field out is the one way to say "no basis".
    case basis
    /// `cadastral`: `[0-9:]{1,40}`.
    case cadastral
    /// Organisation `inn`: 10 or 12 ASCII digits (the check digits are not verified; WIRE.md does not ask for it).
    case inn
    /// A SHA-256 in lowercase hex: 64 of `[0-9a-f]`.
    case hexSHA256 = "hex-sha256"

    /// Whether `text` follows this grammar.
    public func accepts(_ text: String) -> Bool {
        switch self {
        case .identifier:
            return TextRules.ascii(text, lengths: 1...64) { TextRules.isAlphanumeric($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x3A || $0 == 0x2D }
        case .commandID:
            return TextRules.ascii(text, lengths: 8...64) { TextRules.isAlphanumeric($0) || $0 == 0x5F || $0 == 0x2D }
        case .premisesNumber:
            return TextRules.freeText(text, lengths: 1...32, allowLineFeed: false)
        case .freeText:
            return TextRules.freeText(text, lengths: 1...2000, allowLineFeed: false)
        case .freeTextWithLineFeeds:
            return TextRules.freeText(text, lengths: 1...2000, allowLineFeed: true)
        case .basis:
            return TextRules.freeText(text, lengths: 1...200, allowLineFeed: false)
        case .cadastral:
            return TextRules.ascii(text, lengths: 1...40) { Grammar.isDigit($0) || $0 == 0x3A }
        case .inn:
            let count = text.utf8.count
            return (count == 10 || count == 12) && text.utf8.allSatisfy(Grammar.isDigit)
        case .hexSHA256:
            return TextRules.ascii(text, lengths: 64...64) { Grammar.isDigit($0) || ($0 >= 0x61 && $0 <= 0x66) }
        }
    }

    /// The grammar in words, for error messages.
    public var summary: String {
        switch self {
        case .identifier: return "1–64 characters of [A-Za-z0-9._:-]"
        case .commandID: return "8–64 characters of [A-Za-z0-9_-]"
        case .premisesNumber: return "1–32 characters without control characters"
        case .freeText: return "1–2000 characters without control characters"
        case .freeTextWithLineFeeds: return "1–2000 characters without control characters other than line feeds"
        case .basis: return "1–200 characters without control characters or line feeds"
        case .cadastral: return "1–40 characters of [0-9:]"
        case .inn: return "10 or 12 digits"
        case .hexSHA256: return "64 lowercase hex digits"
        }
    }
}

/// Checks of the WIRE.md text grammars.
public enum TextRules {
    /// Whether `scalar` is a control character (Unicode general category Cc).
    @inline(__always)
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value <= 0x9F)
    }

    /// Refuses `text` unless it follows `rule`; the error (400) names the field at `path`.
    public static func check(_ text: String, _ rule: TextRule, at path: [PathComponent]) throws(DomainError) {
        guard rule.accepts(text) else {
            let field = DomainError.fieldName(path, default: rule.rawValue)
            throw DomainError(.malformed, at: path, "\(field) \(DomainError.quote(text)) must be \(rule.summary)")
        }
    }

    @inline(__always)
    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        Grammar.isDigit(byte) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    static func ascii(_ text: String, lengths: ClosedRange<Int>, _ allowed: (UInt8) -> Bool) -> Bool {
        let bytes = text.utf8
        return lengths.contains(bytes.count) && bytes.allSatisfy(allowed)
    }

    static func freeText(_ text: String, lengths: ClosedRange<Int>, allowLineFeed: Bool) -> Bool {
        var count = 0
        for scalar in text.unicodeScalars {
            count += 1
            if count > lengths.upperBound { return false }
            if isControl(scalar) && !(allowLineFeed && scalar == "\n") { return false }
        }
        return count >= lengths.lowerBound
    }
}

/// Building, meeting, owner and item identifiers.
public enum Identifier {
    /// Whether `text` matches `[A-Za-z0-9._:-]{1,64}`.
    public static func isValid(_ text: String) -> Bool { TextRule.identifier.accepts(text) }
}

/// A command's client-chosen `id`.
public enum CommandID {
    /// Whether `text` matches `[A-Za-z0-9_-]{8,64}`.
    public static func isValid(_ text: String) -> Bool { TextRule.commandID.accepts(text) }
}
