import Foundation
import Testing
import VecheCrypto
import VecheTestSupport

struct RFC8032Vector: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let secretKey: String
    let publicKey: String
    let message: String
    let signature: String
    var testDescription: String { name }

    static func all() throws -> [RFC8032Vector] {
        struct File: Decodable { let vectors: [RFC8032Vector] }
        return try JSONDecoder().decode(File.self, from: Vectors.data("rfc8032/ed25519.json")).vectors
    }
}

@Suite struct RFC8032Tests {
    @Test func fileHoldsTheFiveSection71Vectors() throws {
        #expect(try RFC8032Vector.all().map(\.name) == ["TEST 1", "TEST 2", "TEST 3", "TEST 1024", "TEST SHA(abc)"])
    }

    @Test(arguments: try RFC8032Vector.all())
    func seedGivesPublicKeyAndSignature(_ vector: RFC8032Vector) throws {
        let key = try Ed25519.PrivateKey(seed: Hex.decode(vector.secretKey))
        let message = try Hex.decode(vector.message)
        let expected = try Hex.decode(vector.signature)
        #expect(key.publicKey == (try Hex.decode(vector.publicKey)))
        #expect(try key.sign(message) == expected)
        #expect(Ed25519.verify(publicKey: key.publicKey, signature: expected, message: message))
        #expect(try key.seed() == (try Hex.decode(vector.secretKey)))
    }

    @Test(arguments: try RFC8032Vector.all())
    func anyFlippedBitInvalidatesTheSignature(_ vector: RFC8032Vector) throws {
        let publicKey = try Hex.decode(vector.publicKey)
        let message = try Hex.decode(vector.message)
        let signature = try Hex.decode(vector.signature)
        for position in 0..<signature.count {
            var tampered = signature
            tampered[position] ^= 1 << UInt8(position % 8)
            #expect(!Ed25519.verify(publicKey: publicKey, signature: tampered, message: message), "byte \(position)")
        }
        var longer = message
        longer.append(0)
        #expect(!Ed25519.verify(publicKey: publicKey, signature: signature, message: longer))
        if !message.isEmpty {
            var changed = message
            changed[0] ^= 0x80
            #expect(!Ed25519.verify(publicKey: publicKey, signature: signature, message: changed))
        }
    }
}
