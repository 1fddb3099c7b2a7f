internal import COpenSSL

/// Ed25519 (RFC 8032, pure) signing and verification.
public enum Ed25519 {
    /// Public key length in bytes.
    public static let publicKeyByteCount = 32
    /// Seed (private key) length in bytes.
    public static let seedByteCount = 32
    /// Signature length in bytes.
    public static let signatureByteCount = 64

    /// An Ed25519 private key.
    public struct PrivateKey: Sendable {
        let handle: PKeyHandle
        /// The 32-byte public key.
        public let publicKey: [UInt8]

        /// A fresh key from OpenSSL's CSPRNG.
        public init() throws(CryptoError) {
            try self.init(seed: try secureRandomBytes(Ed25519.seedByteCount))
        }

        /// The key for a 32-byte RFC 8032 seed.
        public init(seed: [UInt8]) throws(CryptoError) {
            guard seed.count == Ed25519.seedByteCount else {
                throw CryptoError(.malformedKey, "an Ed25519 seed is 32 bytes, got \(seed.count)")
            }
            let pointer = seed.withUnsafeBufferPointer {
                EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, $0.baseAddress, $0.count)
            }
            try self.init(handle: PKeyHandle(try check(pointer, "EVP_PKEY_new_raw_private_key")))
        }

        init(handle: PKeyHandle) throws(CryptoError) {
            self.handle = handle
            var length = Ed25519.publicKeyByteCount
            var bytes = [UInt8](repeating: 0, count: length)
            let result = bytes.withUnsafeMutableBufferPointer {
                EVP_PKEY_get_raw_public_key(handle.pointer, $0.baseAddress, &length)
            }
            try check(result, "EVP_PKEY_get_raw_public_key")
            guard length == Ed25519.publicKeyByteCount else {
                throw CryptoError(.malformedKey, "not an Ed25519 key")
            }
            self.publicKey = bytes
        }

        /// The 32-byte seed; handle with care (it is the private key).
        public func seed() throws(CryptoError) -> [UInt8] {
            var length = Ed25519.seedByteCount
            var bytes = [UInt8](repeating: 0, count: length)
            let result = bytes.withUnsafeMutableBufferPointer {
                EVP_PKEY_get_raw_private_key(handle.pointer, $0.baseAddress, &length)
            }
            try check(result, "EVP_PKEY_get_raw_private_key")
            return bytes
        }

        /// The 64-byte signature of `message`.
        public func sign(_ message: some ContiguousBytes) throws(CryptoError) -> [UInt8] {
            let context = try check(EVP_MD_CTX_new(), "EVP_MD_CTX_new")
            defer { EVP_MD_CTX_free(context) }
            try check(EVP_DigestSignInit(context, nil, nil, nil, handle.pointer), "EVP_DigestSignInit")
            var signature = [UInt8](repeating: 0, count: Ed25519.signatureByteCount)
            var length = signature.count
            let result = message.withUnsafeBytes { input in
                signature.withUnsafeMutableBufferPointer { out in
                    EVP_DigestSign(
                        context, out.baseAddress, &length,
                        input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count)
                }
            }
            try check(result, "EVP_DigestSign")
            precondition(length == Ed25519.signatureByteCount)
            return signature
        }
    }

    /// Whether `signature` is a valid Ed25519 signature of `message` under `publicKey`.
    ///
    /// Wrong lengths and keys OpenSSL cannot load are simply invalid: a verifier must
    /// never throw on hostile input.
    public static func verify(publicKey: [UInt8], signature: [UInt8], message: some ContiguousBytes) -> Bool {
        guard publicKey.count == publicKeyByteCount, signature.count == signatureByteCount else { return false }
        let key = publicKey.withUnsafeBufferPointer {
            EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, $0.baseAddress, $0.count)
        }
        guard let key else {
            _ = openSSLErrorQueue()
            return false
        }
        defer { EVP_PKEY_free(key) }
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, nil, nil, key) == 1 else {
            _ = openSSLErrorQueue()
            return false
        }
        let result = message.withUnsafeBytes { input in
            signature.withUnsafeBufferPointer { sig in
                EVP_DigestVerify(
                    context, sig.baseAddress, sig.count,
                    input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count)
            }
        }
        if result != 1 { _ = openSSLErrorQueue() }
        return result == 1
    }
}
