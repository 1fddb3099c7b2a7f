internal import COpenSSL

/// An error from the cryptographic layer: what failed, and OpenSSL's reason when there is one.
public struct CryptoError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure this is.
    public enum Code: String, Sendable {
        /// OpenSSL refused a call; `message` names the call and OpenSSL's reason.
        case library
        /// A key, key string or signature is not of the expected form.
        case malformedKey
        /// A signature has the wrong length or encoding.
        case malformedSignature
        /// A key file could not be read, written or parsed.
        case keyFile
        /// Bytes are not valid base64/base64url/hex.
        case encoding
        /// A key file or key string names an algorithm Veche does not use (only Ed25519 and P-256).
        case unsupportedAlgorithm
        /// A key file already exists where a new one was to be written (keys are never overwritten).
        case fileExists
        /// No file exists at the given path.
        case fileNotFound
    }

    /// What kind of failure this is.
    public let code: Code
    /// What went wrong, naming the field or call; never contains key material.
    public let message: String

    /// An error of `code` with a message a person can act on.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}

/// Drains OpenSSL's thread-local error queue into one readable line.
func openSSLErrorQueue() -> String {
    var reasons: [String] = []
    while true {
        let code = ERR_get_error()
        if code == 0 { break }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
    return reasons.isEmpty ? "no reason given" : reasons.joined(separator: "; ")
}

/// Turns an OpenSSL "1 is success" return code into a thrown `CryptoError` naming the call.
@inline(__always)
func check(_ result: Int32, _ call: StaticString) throws(CryptoError) {
    guard result == 1 else {
        throw CryptoError(.library, "\(call) failed: \(openSSLErrorQueue())")
    }
}

/// Turns a NULL from OpenSSL into a thrown `CryptoError` naming the call.
@inline(__always)
func check<T>(_ pointer: T?, _ call: StaticString) throws(CryptoError) -> T {
    guard let pointer else {
        throw CryptoError(.library, "\(call) failed: \(openSSLErrorQueue())")
    }
    return pointer
}

/// Owns one `EVP_PKEY`; freed when the last reference goes.
///
/// Sendable: an `EVP_PKEY` is only read after construction (sign/verify contexts are
/// created per call), which OpenSSL 3 documents as thread-safe.
final class PKeyHandle: @unchecked Sendable {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) { self.pointer = pointer }

    deinit { EVP_PKEY_free(pointer) }
}

/// Fills `count` bytes from OpenSSL's CSPRNG.
public func secureRandomBytes(_ count: Int) throws(CryptoError) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    let result = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
    try check(result, "RAND_bytes")
    return bytes
}
