import Testing
import VecheCrypto

@Suite struct Ed25519BasicsTests {
    private func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    /// RFC 8032 §7.1 TEST 1 (empty message).
    @Test func rfc8032TestOneSignsAndVerifies() throws {
        let key = try Ed25519.PrivateKey(seed: bytes("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
        #expect(key.publicKey == bytes("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"))
        let signature = try key.sign([UInt8]())
        #expect(signature == bytes("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"))
        #expect(Ed25519.verify(publicKey: key.publicKey, signature: signature, message: [UInt8]()))
        var tampered = signature
        tampered[0] ^= 1
        #expect(!Ed25519.verify(publicKey: key.publicKey, signature: tampered, message: [UInt8]()))
        #expect(!Ed25519.verify(publicKey: key.publicKey, signature: signature, message: [UInt8(0)]))
    }
}
