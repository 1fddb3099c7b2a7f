internal import COpenSSL

/// ECDSA over NIST P-256 with SHA-256 (JOSE `ES256`), signatures as raw r‖s.
///
/// Raw r‖s (IEEE P1363, 32 + 32 bytes big-endian) is what WebCrypto and phone keystores
/// produce; OpenSSL speaks DER, so this layer converts at the boundary. Both high and low S
/// verify (WebCrypto does not normalise S); nothing in Veche depends on signature bytes
/// being unique.
public enum P256 {
    /// Length of an uncompressed SEC1 public point: 0x04 ‖ x ‖ y.
    public static let publicKeyByteCount = 65
    /// Length of a raw r‖s signature.
    public static let signatureByteCount = 64
    /// Length of one scalar or coordinate.
    public static let scalarByteCount = 32

    /// The group order n, big-endian.
    static let order: [UInt8] = [
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
    ]

    /// A P-256 private key.
    public struct PrivateKey: Sendable {
        let handle: PKeyHandle
        /// The 65-byte uncompressed public point.
        public let publicKey: [UInt8]

        /// A fresh key from OpenSSL's CSPRNG.
        public init() throws(CryptoError) {
            let context = try check(EVP_PKEY_CTX_new_from_name(nil, cString("EC"), nil), "EVP_PKEY_CTX_new_from_name")
            defer { EVP_PKEY_CTX_free(context) }
            try check(EVP_PKEY_keygen_init(context), "EVP_PKEY_keygen_init")
            try check(EVP_PKEY_CTX_set_group_name(context, cString("P-256")), "EVP_PKEY_CTX_set_group_name")
            var key: OpaquePointer?
            try check(EVP_PKEY_generate(context, &key), "EVP_PKEY_generate")
            try self.init(handle: PKeyHandle(try check(key, "EVP_PKEY_generate")))
        }

        /// Wraps a loaded key after checking it is an EC key on P-256.
        init(handle: PKeyHandle) throws(CryptoError) {
            guard EVP_PKEY_get_base_id(handle.pointer) == EVP_PKEY_EC else {
                throw CryptoError(.unsupportedAlgorithm, "not an EC key")
            }
            var name = [CChar](repeating: 0, count: 64)
            var length = 0
            guard EVP_PKEY_get_group_name(handle.pointer, &name, name.count, &length) == 1 else {
                ERR_clear_error()
                throw CryptoError(.unsupportedAlgorithm, "an EC key without a named curve is not supported; use P-256")
            }
            let group = String(decoding: name.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard group == "prime256v1" || group == "P-256" else {
                throw CryptoError(.unsupportedAlgorithm, "EC curve \(group) is not supported; use P-256 (prime256v1)")
            }
            self.handle = handle
            self.publicKey = try P256.uncompressedPoint(of: handle.pointer)
        }

        /// The 64-byte raw r‖s signature of SHA-256(`message`).
        public func sign(_ message: some ContiguousBytes) throws(CryptoError) -> [UInt8] {
            let context = try check(EVP_MD_CTX_new(), "EVP_MD_CTX_new")
            defer { EVP_MD_CTX_free(context) }
            try check(EVP_DigestSignInit(context, nil, EVP_sha256(), nil, handle.pointer), "EVP_DigestSignInit")
            // A DER ECDSA-Sig-Value for P-256 is at most 72 bytes.
            var der = [UInt8](repeating: 0, count: 80)
            var length = der.count
            let result = message.withUnsafeBytes { input in
                der.withUnsafeMutableBufferPointer { out in
                    EVP_DigestSign(
                        context, out.baseAddress, &length,
                        input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count)
                }
            }
            try check(result, "EVP_DigestSign")
            return try P256.rawSignature(fromDER: Array(der.prefix(length)))
        }
    }

    /// Whether `signature` (raw r‖s) is a valid ES256 signature of `message` under `publicKey`
    /// (a 65-byte uncompressed point).
    ///
    /// Never throws and never traps on hostile input: wrong lengths, r or s outside [1, n−1],
    /// a point not on the curve or not uncompressed all simply answer false.
    public static func verify(publicKey: [UInt8], signature: [UInt8], message: some ContiguousBytes) -> Bool {
        guard signature.count == signatureByteCount else { return false }
        let r = signature[0..<scalarByteCount]
        let s = signature[scalarByteCount..<signatureByteCount]
        // OpenSSL checks the range too; checking here keeps the rule visible and independent.
        guard isValidScalar(r), isValidScalar(s) else { return false }
        guard let key = makePublicKey(publicKey) else { return false }
        defer { EVP_PKEY_free(key) }
        guard let der = derSignature(r: r, s: s) else { return false }
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, EVP_sha256(), nil, key) == 1 else {
            ERR_clear_error()
            return false
        }
        let result = message.withUnsafeBytes { input in
            der.withUnsafeBufferPointer { sig in
                EVP_DigestVerify(
                    context, sig.baseAddress, sig.count,
                    input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count)
            }
        }
        if result != 1 { ERR_clear_error() }
        return result == 1
    }

    /// Whether `bytes` is a 65-byte uncompressed SEC1 point on P-256 (not the point at infinity).
    public static func isValidPublicKey(_ bytes: [UInt8]) -> Bool {
        guard let key = makePublicKey(bytes) else { return false }
        EVP_PKEY_free(key)
        return true
    }

    /// 0 < scalar < n, for a 32-byte big-endian scalar.
    static func isValidScalar(_ scalar: ArraySlice<UInt8>) -> Bool {
        guard scalar.count == scalarByteCount, scalar.contains(where: { $0 != 0 }) else { return false }
        for (byte, limit) in zip(scalar, order) where byte != limit {
            return byte < limit
        }
        return false  // equal to n
    }

    /// An `EVP_PKEY` for an uncompressed point, or nil when the bytes are not one on the curve.
    ///
    /// OpenSSL's EC import decodes the point with `EC_POINT_oct2point`, which refuses points
    /// that are not on the curve; the prefix and length are checked here first so that
    /// compressed and hybrid encodings are refused too (WIRE.md allows uncompressed only).
    static func makePublicKey(_ bytes: [UInt8]) -> OpaquePointer? {
        guard bytes.count == publicKeyByteCount, bytes[0] == 0x04 else { return nil }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, cString("EC"), nil) else { return nil }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_fromdata_init(context) == 1 else {
            ERR_clear_error()
            return nil
        }
        var group = Array("prime256v1".utf8CString)
        var point = bytes
        var key: OpaquePointer?
        let result = group.withUnsafeMutableBufferPointer { groupBuffer in
            point.withUnsafeMutableBytes { pointBuffer in
                var parameters = [
                    OSSL_PARAM_construct_utf8_string(cString("group"), groupBuffer.baseAddress, 0),
                    OSSL_PARAM_construct_octet_string(cString("pub"), pointBuffer.baseAddress, pointBuffer.count),
                    OSSL_PARAM_construct_end(),
                ]
                return EVP_PKEY_fromdata(context, &key, publicKeySelection, &parameters)
            }
        }
        guard result == 1, let key else {
            ERR_clear_error()
            return nil
        }
        return key
    }

    /// `EVP_PKEY_PUBLIC_KEY`: domain parameters, other parameters and the public key
    /// (0x04 | 0x80 | 0x02); spelled out because the C macro is an expression Swift does not import.
    static let publicKeySelection: Int32 = 0x86

    /// The uncompressed point of a loaded EC key, built from its affine coordinates so the
    /// key's stored point format (compressed or not) does not matter.
    static func uncompressedPoint(of key: OpaquePointer) throws(CryptoError) -> [UInt8] {
        var point: [UInt8] = [0x04]
        for name in [cString("qx"), cString("qy")] {
            var number: OpaquePointer?
            try check(EVP_PKEY_get_bn_param(key, name, &number), "EVP_PKEY_get_bn_param")
            defer { BN_free(number) }
            var coordinate = [UInt8](repeating: 0, count: scalarByteCount)
            guard BN_bn2binpad(number, &coordinate, Int32(scalarByteCount)) == Int32(scalarByteCount) else {
                throw CryptoError(.library, "BN_bn2binpad failed: \(openSSLErrorQueue())")
            }
            point += coordinate
        }
        return point
    }

    /// DER `ECDSA-Sig-Value` for 32-byte r and s, or nil on allocation failure.
    static func derSignature(r: ArraySlice<UInt8>, s: ArraySlice<UInt8>) -> [UInt8]? {
        guard let signature = ECDSA_SIG_new() else { return nil }
        defer { ECDSA_SIG_free(signature) }
        let rNumber = Array(r).withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, Int32($0.count), nil) }
        let sNumber = Array(s).withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, Int32($0.count), nil) }
        guard let rNumber, let sNumber, ECDSA_SIG_set0(signature, rNumber, sNumber) == 1 else {
            // set0 takes ownership only on success.
            BN_free(rNumber)
            BN_free(sNumber)
            ERR_clear_error()
            return nil
        }
        let length = i2d_ECDSA_SIG(signature, nil)
        guard length > 0 else {
            ERR_clear_error()
            return nil
        }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return i2d_ECDSA_SIG(signature, &cursor)
        }
        guard written == length else {
            ERR_clear_error()
            return nil
        }
        return der
    }

    /// Raw r‖s from a DER `ECDSA-Sig-Value` produced by OpenSSL.
    static func rawSignature(fromDER der: [UInt8]) throws(CryptoError) -> [UInt8] {
        let parsed = der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            var cursor = buffer.baseAddress
            return d2i_ECDSA_SIG(nil, &cursor, buffer.count)
        }
        let signature = try check(parsed, "d2i_ECDSA_SIG")
        defer { ECDSA_SIG_free(signature) }
        var raw = [UInt8](repeating: 0, count: signatureByteCount)
        let rOK = raw.withUnsafeMutableBufferPointer {
            BN_bn2binpad(ECDSA_SIG_get0_r(signature), $0.baseAddress, Int32(scalarByteCount))
        }
        let sOK = raw.withUnsafeMutableBufferPointer {
            BN_bn2binpad(ECDSA_SIG_get0_s(signature), $0.baseAddress! + scalarByteCount, Int32(scalarByteCount))
        }
        guard rOK == Int32(scalarByteCount), sOK == Int32(scalarByteCount) else {
            throw CryptoError(.library, "BN_bn2binpad failed: \(openSSLErrorQueue())")
        }
        return raw
    }
}

/// A C string pointer for a string literal; valid for the life of the process, so OpenSSL
/// may keep it (as `OSSL_PARAM` keys do) beyond the call that received it.
func cString(_ literal: StaticString) -> UnsafePointer<CChar> {
    UnsafeRawPointer(literal.utf8Start).assumingMemoryBound(to: CChar.self)
}
