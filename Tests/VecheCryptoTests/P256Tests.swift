import Testing
import VecheCrypto

/// Big-endian fixed-width arithmetic, just enough for the tests.
enum Scalar {
    static let order: [UInt8] = try! Hex.decode("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")
    static let fieldPrime: [UInt8] = try! Hex.decode("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff")

    /// a − b for a ≥ b, both 32 bytes.
    static func subtract(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: 32)
        var borrow = 0
        for index in stride(from: 31, through: 0, by: -1) {
            var difference = Int(a[index]) - Int(b[index]) - borrow
            borrow = difference < 0 ? 1 : 0
            if difference < 0 { difference += 256 }
            result[index] = UInt8(difference)
        }
        return result
    }
}

@Suite struct P256Tests {
    let message = Array("veche/command/v1\n{\"type\":\"ballot.cast\"}".utf8)

    @Test func generatedKeySignsAndVerifies() throws {
        let key = try P256.PrivateKey()
        #expect(key.publicKey.count == 65 && key.publicKey[0] == 0x04)
        #expect(P256.isValidPublicKey(key.publicKey))
        let first = try key.sign(message)
        let second = try key.sign(message)
        #expect(first.count == 64)
        // ECDSA is randomised; both signatures verify.
        #expect(first != second)
        #expect(P256.verify(publicKey: key.publicKey, signature: first, message: message))
        #expect(P256.verify(publicKey: key.publicKey, signature: second, message: message))
    }

    @Test func highAndLowSBothVerify() throws {
        let key = try P256.PrivateKey()
        let signature = try key.sign(message)
        let r = Array(signature[0..<32])
        let s = Array(signature[32..<64])
        let flipped = r + Scalar.subtract(Scalar.order, s)
        #expect(flipped != signature)
        #expect(P256.verify(publicKey: key.publicKey, signature: signature, message: message))
        #expect(P256.verify(publicKey: key.publicKey, signature: flipped, message: message))
    }

    @Test func wrongKeyMessageOrBitsAreRefused() throws {
        let key = try P256.PrivateKey()
        let other = try P256.PrivateKey()
        let signature = try key.sign(message)
        #expect(!P256.verify(publicKey: other.publicKey, signature: signature, message: message))
        #expect(!P256.verify(publicKey: key.publicKey, signature: signature, message: message + [0]))
        for position in 0..<64 {
            var tampered = signature
            tampered[position] ^= 0x01
            #expect(!P256.verify(publicKey: key.publicKey, signature: tampered, message: message), "byte \(position)")
        }
    }

    @Test func outOfRangeScalarsAreRefused() throws {
        let key = try P256.PrivateKey()
        let signature = try key.sign(message)
        let r = Array(signature[0..<32])
        let s = Array(signature[32..<64])
        let zero = [UInt8](repeating: 0, count: 32)
        let ones = [UInt8](repeating: 0xff, count: 32)
        let one = [UInt8](repeating: 0, count: 31) + [1]
        for (badR, badS) in [(zero, s), (r, zero), (zero, zero), (Scalar.order, s), (r, Scalar.order), (ones, s), (r, ones)] {
            #expect(!P256.verify(publicKey: key.publicKey, signature: badR + badS, message: message))
        }
        // r + n and s + n do not fit in 32 bytes; s − n would wrap: all must be refused,
        // and r = n − 1 is in range yet still wrong.
        #expect(!P256.verify(publicKey: key.publicKey, signature: Scalar.subtract(Scalar.order, one) + s, message: message))
    }

    @Test func wrongLengthsAreRefused() throws {
        let key = try P256.PrivateKey()
        let signature = try key.sign(message)
        for bad in [[], Array(signature.prefix(63)), signature + [0], [0] + signature, signature + signature] {
            #expect(!P256.verify(publicKey: key.publicKey, signature: bad, message: message))
        }
        for bad in [[], Array(key.publicKey.prefix(64)), key.publicKey + [0], Array(key.publicKey.dropFirst())] {
            #expect(!P256.verify(publicKey: bad, signature: signature, message: message))
            #expect(!P256.isValidPublicKey(bad))
        }
    }

    @Test func pointsOffTheCurveAndOtherEncodingsAreRefused() throws {
        let key = try P256.PrivateKey()
        let signature = try key.sign(message)
        var offCurve = key.publicKey
        offCurve[64] ^= 0x01
        let x = Array(key.publicKey[1..<33])
        let y = Array(key.publicKey[33..<65])
        let compressed = [UInt8(0x02 + (y[31] & 1))] + x
        let hybrid = [UInt8(0x06 + (y[31] & 1))] + x + y
        let zeros = [UInt8(0x04)] + [UInt8](repeating: 0, count: 64)
        let xIsPrime = [UInt8(0x04)] + Scalar.fieldPrime + y
        for bad in [offCurve, compressed, hybrid, zeros, xIsPrime, [0x00]] {
            #expect(!P256.isValidPublicKey(bad))
            #expect(!P256.verify(publicKey: bad, signature: signature, message: message))
        }
    }

    @Test func derSignaturesAreNotAccepted() throws {
        // OpenSSL's own form (DER) is 70-72 bytes; the API takes raw r‖s only.
        let key = try P256.PrivateKey()
        let raw = try key.sign(message)
        let der = [0x30, 0x44, 0x02, 0x20] + raw[0..<32] + [0x02, 0x20] + raw[32..<64]
        #expect(!P256.verify(publicKey: key.publicKey, signature: Array(der), message: message))
    }

    @Test func randomGarbageNeverVerifies() throws {
        let key = try P256.PrivateKey()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let signature = (0..<64).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let point = [0x04] + (0..<64).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(!P256.verify(publicKey: key.publicKey, signature: signature, message: message))
            #expect(!P256.verify(publicKey: point, signature: signature, message: message))
        }
    }
}
