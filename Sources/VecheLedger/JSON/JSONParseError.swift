/// Why a document is not in Veche's canonical JSON subset, and where (byte offset and pointer).
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The rule broken.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Bytes that are not well-formed UTF-8 (overlongs, encoded surrogates, > U+10FFFF, truncated).
        case invalidUTF8
        /// A UTF-8 byte order mark at the start.
        case byteOrderMark
        /// The document ends inside a value, or is empty.
        case unexpectedEnd
        /// A byte that cannot start or continue the expected token.
        case unexpectedCharacter
        /// A misspelt `true`/`false`/`null`.
        case invalidLiteral
        /// `null`, which signed JSON never holds.
        case null
        /// A `-` without digits.
        case invalidNumber
        /// A number with a fraction (`1.5`).
        case fraction
        /// A number with an exponent (`1e3`).
        case exponent
        /// `-0`.
        case negativeZero
        /// A leading zero (`01`).
        case leadingZero
        /// An integer beyond ±(2^53 − 1).
        case integerOutOfRange
        /// A raw control character (U+0000–U+001F) inside a string.
        case controlCharacter
        /// An unknown escape (`\x`) or a malformed `\u` escape.
        case invalidEscape
        /// A `\uD800`–`\uDFFF` escape that is not part of a surrogate pair.
        case loneSurrogate
        /// A key that appears twice in one object.
        case duplicateKey
        /// Anything but whitespace after the value.
        case trailingGarbage
        /// Nesting deeper than the limit.
        case tooDeep
        /// A document larger than the limit.
        case documentTooLarge
        /// A string longer than the limit.
        case stringTooLong
        /// An object or array with more entries than the limit.
        case tooManyMembers
    }

    /// The rule broken.
    public let kind: Kind
    /// Zero-based byte offset of the offending byte (or of the start of the offending token).
    public let offset: Int
    /// Where in the document, as an RFC 6901 pointer to the value being read (`""` is the root).
    public let pointer: JSONPointer
    /// The reason in words.
    public let message: String

    /// An error of `kind` at `offset` inside `pointer`.
    public init(_ kind: Kind, at offset: Int, pointer: JSONPointer = .root, _ message: String) {
        self.kind = kind
        self.offset = offset
        self.pointer = pointer
        self.message = message
    }

    /// `at byte N (/pointer): reason`.
    public var description: String {
        let location = pointer.tokens.isEmpty ? "" : " (\(pointer))"
        return "at byte \(offset)\(location): \(message)"
    }
}
