import VecheCrypto

/// A trusted Ed25519 note key: its name, key ID and public key (C2SP signed-note).
///
/// The (name, key ID) pair picks the signature lines this key must verify; lines of any
/// other pair are ignored, as C2SP requires, so witnesses can add cosignatures.
public struct NoteVerifier: Sendable, Hashable {
    /// Signature type byte for Ed25519 in C2SP signed-note.
    public static let ed25519Type: UInt8 = 0x01
    /// Longest key name accepted, in UTF-8 bytes (an origin is a short schema-less URL).
    public static let maxNameByteCount = 1024
    /// Longest verifier key string accepted.
    public static let maxVKeyByteCount = maxNameByteCount + 64

    /// The key name; for Veche's checkpoints, the ledger origin.
    public let name: String
    /// SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4], big-endian.
    public let keyID: UInt32
    /// The 32-byte Ed25519 public key.
    public let publicKey: [UInt8]

    /// The verifier for `publicKey` under `name`; the key ID is derived.
    public init(name: String, publicKey: [UInt8]) throws(NoteError) {
        try Self.validateName(name, field: "verifier.name")
        guard publicKey.count == Ed25519.publicKeyByteCount else {
            throw NoteError(.invalidKey, field: "verifier.publicKey", "an Ed25519 public key is 32 bytes, got \(publicKey.count)")
        }
        self.name = name
        self.publicKey = publicKey
        self.keyID = Self.keyID(name: name, publicKey: publicKey)
    }

    /// Parses a verifier key string `<name>+<8 hex key ID>+<b64(0x01 ‖ public key)>`.
    ///
    /// Split at the first two `+` only: the base64 part may itself contain `+`. The key ID
    /// must be the one derived from the name and key, so a vkey cannot claim another name.
    public init(vkey: String) throws(NoteError) {
        guard vkey.utf8.count <= Self.maxVKeyByteCount else {
            throw NoteError(.tooLarge, field: "vkey", "longer than \(Self.maxVKeyByteCount) bytes")
        }
        // Split on the byte '+', not on Characters: a '+' followed by a combining mark is
        // one Character, and must still count as a separator (and then fail the checks).
        let parts = vkey.utf8.split(separator: UInt8(ascii: "+"), maxSplits: 2, omittingEmptySubsequences: false)
            .map { Substring($0) }
        guard parts.count == 3 else {
            throw NoteError(.invalidKey, field: "vkey", "expected <name>+<key ID>+<key>")
        }
        let name = String(parts[0])
        try Self.validateName(name, field: "vkey.name")
        let hex = parts[1].utf8
        guard hex.count == 8, hex.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }),
            let claimedID = UInt32(parts[1], radix: 16)
        else {
            throw NoteError(.invalidKey, field: "vkey.keyID", "expected 8 lowercase hex digits")
        }
        guard let typedKey = NoteBase64.decode(parts[2]) else {
            throw NoteError(.invalidKey, field: "vkey.key", "not canonical base64")
        }
        guard typedKey.first == Self.ed25519Type else {
            throw NoteError(.invalidKey, field: "vkey.key", "only Ed25519 keys (type 0x01) are supported")
        }
        try self.init(name: name, publicKey: Array(typedKey.dropFirst()))
        guard keyID == claimedID else {
            throw NoteError(.invalidKey, field: "vkey.keyID", "does not match the name and key")
        }
    }

    /// The verifier key string `<name>+<8 hex key ID>+<b64(0x01 ‖ public key)>`.
    public var vkey: String {
        "\(name)+\(Self.hex8(keyID))+\(NoteBase64.encode([Self.ed25519Type] + publicKey))"
    }

    /// SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4] as a big-endian integer.
    public static func keyID(name: String, publicKey: [UInt8]) -> UInt32 {
        let digest = SHA256.hash(Array(name.utf8) + [0x0A, ed25519Type] + publicKey)
        return digest[0..<4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Whether `signature` (without the key ID) is this key's signature of `text`.
    func verifies(_ signature: [UInt8], of text: [UInt8]) -> Bool {
        Ed25519.verify(publicKey: publicKey, signature: signature, message: text)
    }

    /// C2SP key names: non-empty, no Unicode white space, no `+`; we also refuse control
    /// characters (a note cannot carry them) and bound the length.
    static func validateName(_ name: String, field: String) throws(NoteError) {
        guard !name.isEmpty else { throw NoteError(.malformed, field: field, "key name is empty") }
        guard name.utf8.count <= maxNameByteCount else {
            throw NoteError(.tooLarge, field: field, "key name is longer than \(maxNameByteCount) bytes")
        }
        for scalar in name.unicodeScalars {
            if scalar == "+" { throw NoteError(.malformed, field: field, "key name contains '+'") }
            if scalar.properties.isWhitespace { throw NoteError(.malformed, field: field, "key name contains white space") }
            if scalar.properties.generalCategory == .control {
                throw NoteError(.malformed, field: field, "key name contains a control character")
            }
        }
    }

    static func hex8(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
