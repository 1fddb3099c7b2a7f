/// A signed note, checkpoint, verifier key or tlog-proof was refused: malformed, too
/// large, or not verifying.
public struct NoteError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure this is.
    public enum Code: String, Sendable {
        /// The text does not follow the format (C2SP or WIRE.md).
        case malformed
        /// The text is over a size or count limit.
        case tooLarge
        /// A verifier key string is malformed or its key ID does not match its key.
        case invalidKey
        /// A signature line from a trusted key does not verify.
        case invalidSignature
        /// No signature line is from a trusted key.
        case noTrustedSignature
        /// The checkpoint's origin is not the trusted key's name.
        case wrongOrigin
        /// The inclusion proof does not lead to the checkpoint's root.
        case invalidProof
        /// Signing failed in the cryptographic library.
        case signingFailed
    }

    /// What kind of failure this is.
    public let code: Code
    /// The part at fault, e.g. `checkpoint.size`, `note.signatures[1]`, `vkey.keyID`.
    public let field: String
    /// Why, in words a person can act on.
    public let message: String

    /// An error of `code` about `field`.
    public init(_ code: Code, field: String, _ message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    /// `<field>: <message>`.
    public var description: String { "\(field): \(message)" }
}
