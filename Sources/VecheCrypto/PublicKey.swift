/// The two signature algorithms Veche accepts.
public enum SigningAlgorithm: String, Sendable, Hashable, CaseIterable {
    /// Ed25519 (RFC 8032, pure).
    case ed25519
    /// ECDSA P-256 with SHA-256, raw r‖s signatures (JOSE ES256, WebCrypto).
    case es256
}

/// A public key as WIRE.md writes it: `ed25519:<b64u 32 bytes>` or `es256:<b64u 65-byte point>`.
///
/// A key has exactly one string (the base64url must be canonical), so authority rules can
/// compare key strings. An `es256` key parsed from a string is on the curve.
public enum PublicKey: Hashable, Sendable, CustomStringConvertible {
    /// A 32-byte Ed25519 public key.
    case ed25519([UInt8])
    /// A 65-byte uncompressed SEC1 P-256 point.
    case es256([UInt8])

    /// No valid key string is longer (`es256:` + 87 characters); longer input is refused before decoding.
    public static let maxStringLength = 100

    /// Parses a key string, refusing anything but the exact canonical form.
    public init(string: String) throws(CryptoError) {
        let utf8 = string.utf8
        guard utf8.count <= Self.maxStringLength else {
            throw CryptoError(.malformedKey, "key string is \(utf8.count) bytes, longer than any key (\(Self.maxStringLength))")
        }
        guard let colon = string.firstIndex(of: ":") else {
            throw CryptoError(.malformedKey, "key string must start with ed25519: or es256:")
        }
        let prefix = string[..<colon]
        let encoded = string[string.index(after: colon)...]
        switch prefix {
        case "ed25519":
            let bytes = try Self.decode(encoded, algorithm: "ed25519")
            guard bytes.count == Ed25519.publicKeyByteCount else {
                throw CryptoError(.malformedKey, "an ed25519 key is 32 bytes, got \(bytes.count)")
            }
            self = .ed25519(bytes)
        case "es256":
            let bytes = try Self.decode(encoded, algorithm: "es256")
            guard bytes.count == P256.publicKeyByteCount, bytes[0] == 0x04 else {
                throw CryptoError(.malformedKey, "an es256 key is a 65-byte uncompressed point (0x04 ‖ x ‖ y), got \(bytes.count) bytes")
            }
            guard P256.isValidPublicKey(bytes) else {
                throw CryptoError(.malformedKey, "es256 key is not a point on the P-256 curve")
            }
            self = .es256(bytes)
        default:
            throw CryptoError(.unsupportedAlgorithm, "key algorithm must be ed25519 or es256")
        }
    }

    private static func decode(_ encoded: Substring, algorithm: String) throws(CryptoError) -> [UInt8] {
        do {
            return try Base64URL.decode(encoded)
        } catch {
            throw CryptoError(.malformedKey, "\(algorithm) key is not canonical base64url: \(error.message)")
        }
    }

    /// The canonical key string.
    public var string: String {
        switch self {
        case .ed25519(let bytes): "ed25519:" + Base64URL.encode(bytes)
        case .es256(let bytes): "es256:" + Base64URL.encode(bytes)
        }
    }

    /// The key string.
    public var description: String { string }

    /// The algorithm.
    public var algorithm: SigningAlgorithm {
        switch self {
        case .ed25519: .ed25519
        case .es256: .es256
        }
    }

    /// The raw key bytes (32 for Ed25519, the 65-byte point for ES256).
    public var bytes: [UInt8] {
        switch self {
        case .ed25519(let bytes), .es256(let bytes): bytes
        }
    }

    /// Whether `signature` (64 bytes) is valid for `message` under this key.
    ///
    /// Never throws: malformed signatures and keys are simply invalid. Thread-safe; call it
    /// from as many threads as there are cores.
    public func isValidSignature(_ signature: [UInt8], for message: some ContiguousBytes) -> Bool {
        switch self {
        case .ed25519(let key): Ed25519.verify(publicKey: key, signature: signature, message: message)
        case .es256(let key): P256.verify(publicKey: key, signature: signature, message: message)
        }
    }
}
