internal import COpenSSL
import Glibc

/// A private key that signs Veche commands and checkpoints: Ed25519 or P-256.
///
/// Stored as an unencrypted PKCS#8 PEM file (`-----BEGIN PRIVATE KEY-----`) created with
/// mode 0600, never overwritten. No error message ever contains key material.
public enum SigningKey: Sendable {
    /// An Ed25519 key.
    case ed25519(Ed25519.PrivateKey)
    /// A P-256 (ES256) key.
    case es256(P256.PrivateKey)

    /// Key files are small; anything larger is refused before parsing.
    public static let maxFileBytes = 64 * 1024

    /// A fresh key from OpenSSL's CSPRNG.
    public static func generate(algorithm: SigningAlgorithm) throws(CryptoError) -> SigningKey {
        switch algorithm {
        case .ed25519: .ed25519(try Ed25519.PrivateKey())
        case .es256: .es256(try P256.PrivateKey())
        }
    }

    /// The algorithm.
    public var algorithm: SigningAlgorithm {
        switch self {
        case .ed25519: .ed25519
        case .es256: .es256
        }
    }

    /// The public key.
    public var publicKey: PublicKey {
        switch self {
        case .ed25519(let key): .ed25519(key.publicKey)
        case .es256(let key): .es256(key.publicKey)
        }
    }

    /// The 64-byte signature of `message` (Ed25519, or ES256 raw r‖s over SHA-256).
    public func sign(_ message: some ContiguousBytes) throws(CryptoError) -> [UInt8] {
        switch self {
        case .ed25519(let key): try key.sign(message)
        case .es256(let key): try key.sign(message)
        }
    }

    var handle: PKeyHandle {
        switch self {
        case .ed25519(let key): key.handle
        case .es256(let key): key.handle
        }
    }

    /// The key as unencrypted PKCS#8 PEM text (handle with care: it is the private key).
    public func pemString() throws(CryptoError) -> String {
        let bio = try check(BIO_new(BIO_s_mem()), "BIO_new")
        defer { BIO_free(bio) }
        try check(PEM_write_bio_PKCS8PrivateKey(bio, handle.pointer, nil, nil, 0, nil, nil), "PEM_write_bio_PKCS8PrivateKey")
        let pending = Int(BIO_ctrl_pending(bio))
        var bytes = [UInt8](repeating: 0, count: pending)
        let read = bytes.withUnsafeMutableBytes { BIO_read(bio, $0.baseAddress, Int32(pending)) }
        guard read == Int32(pending) else {
            throw CryptoError(.library, "BIO_read failed: \(openSSLErrorQueue())")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses an unencrypted PEM private key (PKCS#8; OpenSSL's traditional EC form also
    /// loads) holding an Ed25519 or P-256 key.
    public init(pem: String) throws(CryptoError) {
        let bytes = Array(pem.utf8)
        guard bytes.count <= Self.maxFileBytes else {
            throw CryptoError(.keyFile, "not a PEM private key: \(bytes.count) bytes is too large for a key")
        }
        guard !bytes.contains(0), pem.contains("-----BEGIN ") else {
            throw CryptoError(.keyFile, "not a PEM private key (no -----BEGIN line)")
        }
        if pem.contains("ENCRYPTED") {
            throw CryptoError(.keyFile, "encrypted private keys are not supported; store the key unencrypted with mode 0600")
        }
        let loaded: OpaquePointer? = bytes.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            // A callback that supplies no password, so OpenSSL never prompts on the terminal.
            return PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil)
        }
        guard let loaded else {
            // OpenSSL's reasons here ("no start line", "bad base64 decode") say nothing about
            // the key bytes, but drop them anyway: the rule is no key material in messages.
            ERR_clear_error()
            throw CryptoError(.keyFile, "not a PEM private key")
        }
        let handle = PKeyHandle(loaded)
        switch EVP_PKEY_get_base_id(loaded) {
        case EVP_PKEY_ED25519:
            self = .ed25519(try Ed25519.PrivateKey(handle: handle))
        case EVP_PKEY_EC:
            self = .es256(try P256.PrivateKey(handle: handle))
        default:
            throw CryptoError(.unsupportedAlgorithm, "unsupported key algorithm; Veche keys are Ed25519 or P-256 (ES256)")
        }
    }

    /// Writes the key as PKCS#8 PEM to a new file with mode 0600.
    ///
    /// Refuses (`.fileExists`) when anything already exists at `path`: `O_CREAT | O_EXCL`
    /// makes the check and the creation one step, so a key is never overwritten.
    public func write(to path: String) throws(CryptoError) {
        let pem = try pemString()
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let code = errno
            if code == EEXIST {
                throw CryptoError(.fileExists, "refusing to overwrite \(path): it already exists")
            }
            throw CryptoError(.keyFile, "cannot create key file \(path): \(describeErrno(code))")
        }
        var failure: CryptoError?
        // The umask may only remove bits; set the mode exactly anyway.
        if fchmod(descriptor, 0o600) != 0 {
            failure = CryptoError(.keyFile, "cannot set mode 0600 on \(path): \(describeErrno(errno))")
        }
        if failure == nil {
            let bytes = Array(pem.utf8)
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = CryptoError(.keyFile, "cannot write key file \(path): \(describeErrno(errno))")
                    break
                }
                offset += written
            }
        }
        if failure == nil, fsync(descriptor) != 0 {
            failure = CryptoError(.keyFile, "cannot flush key file \(path): \(describeErrno(errno))")
        }
        close(descriptor)
        if let failure {
            unlink(path)
            throw failure
        }
    }

    /// Reads a key file written by `write(to:)` (or any unencrypted PKCS#8 Ed25519/P-256 PEM).
    public static func load(from path: String) throws(CryptoError) -> SigningKey {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT {
                throw CryptoError(.fileNotFound, "no key file at \(path)")
            }
            throw CryptoError(.keyFile, "cannot open key file \(path): \(describeErrno(code))")
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw CryptoError(.keyFile, "cannot read key file \(path): \(describeErrno(errno))")
            }
            if count == 0 { break }
            bytes += chunk.prefix(count)
            if bytes.count > maxFileBytes {
                throw CryptoError(.keyFile, "\(path) is not a PEM private key: larger than \(maxFileBytes) bytes")
            }
        }
        do {
            return try SigningKey(pem: String(decoding: bytes, as: UTF8.self))
        } catch {
            throw CryptoError(error.code, "\(path): \(error.message)")
        }
    }
}

/// `strerror` text for an errno value.
func describeErrno(_ code: Int32) -> String {
    String(cString: strerror(code))
}
