/// Why a posted envelope is refused: the HTTP status (400 or 403), the field and the reason.
///
/// The status follows WIRE.md's check order: 400 for step 2 (not JSON of the canonical
/// subset, or not an envelope of exactly three fields), 403 for step 3 (the signature does
/// not verify for `signer`, including a signer or signature that cannot even be decoded).
public struct EnvelopeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The rule broken.
    public enum Code: String, Sendable, Hashable {
        /// Not JSON, or outside the canonical subset (floats, `null`, duplicate keys, …). 400.
        case invalidJSON
        /// Not an object of exactly `command` (object), `signer` (string), `signature` (string). 400.
        case malformedEnvelope
        /// `signer` is not a valid key string. 403.
        case invalidSigner
        /// `signature` is not b64u of 64 bytes, or does not verify for `signer`. 403.
        case invalidSignature
    }

    /// The rule broken.
    public let code: Code
    /// RFC 6901 pointer into the envelope (`/signer`, `/signature`, `/command/…`; `""` for the whole body).
    public let field: JSONPointer
    /// The reason in words.
    public let message: String
    /// The parse error behind an `.invalidJSON` refusal.
    public let jsonError: JSONParseError?

    /// An error of `code` about `field`.
    public init(_ code: Code, field: JSONPointer, _ message: String, jsonError: JSONParseError? = nil) {
        self.code = code
        self.field = field
        self.message = message
        self.jsonError = jsonError
    }

    /// 400 for a body that is not an envelope, 403 for a signature that does not verify.
    public var status: Int {
        switch code {
        case .invalidJSON, .malformedEnvelope: 400
        case .invalidSigner, .invalidSignature: 403
        }
    }

    /// `<status> <field>: <reason>`.
    public var description: String {
        "\(status) \(field.tokens.isEmpty ? "(body)" : field.description): \(message)"
    }
}
