import Testing
import VecheCrypto

@Suite struct PublicKeyTests {
    @Test(arguments: SigningAlgorithm.allCases)
    func keyStringsRoundTrip(_ algorithm: SigningAlgorithm) throws {
        let key = try SigningKey.generate(algorithm: algorithm).publicKey
        let text = key.string
        #expect(text.hasPrefix(algorithm.rawValue + ":"))
        #expect(text.count == (algorithm == .ed25519 ? 8 + 43 : 6 + 87))
        #expect(try PublicKey(string: text) == key)
        #expect(try PublicKey(string: text).string == text)
        #expect(key.algorithm == algorithm)
    }

    @Test func knownRFC8032KeyHasItsString() throws {
        // RFC 8032 TEST 1 public key, base64url by hand from its hex.
        let bytes = try Hex.decode("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        let key = try PublicKey(string: "ed25519:11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
        #expect(key == .ed25519(bytes))
        #expect(key.bytes == bytes)
    }

    @Test func malformedKeyStringsAreRefused() throws {
        let ed = try SigningKey.generate(algorithm: .ed25519).publicKey
        let es = try SigningKey.generate(algorithm: .es256).publicKey
        let edBody = String(ed.string.dropFirst("ed25519:".count))
        let esBody = String(es.string.dropFirst("es256:".count))
        // The last character of a 32-byte key carries 4 unused bits; give it a non-zero one.
        let lastIndex = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_").firstIndex(of: edBody.last!)!
        let nonCanonical = String(edBody.dropLast()) + String(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")[lastIndex | 1])
        let x = Array(es.bytes[1..<33])
        var offCurve = es.bytes
        offCurve[64] ^= 1
        let bad: [String] = [
            "", "ed25519", "ed25519:", edBody, "ED25519:" + edBody, "Ed25519:" + edBody, "rsa:" + edBody,
            "ed25519: " + edBody, "ed25519:" + edBody + " ", "ed25519:" + edBody + "=",
            "ed25519:" + nonCanonical,
            "ed25519:" + Base64URL.encode([UInt8](repeating: 7, count: 31)),
            "ed25519:" + Base64URL.encode([UInt8](repeating: 7, count: 33)),
            "ed25519:" + Base64.encode(ed.bytes),
            "es256:" + edBody, "es256:" + esBody + "A",
            "es256:" + Base64URL.encode([0x02] + x),
            "es256:" + Base64URL.encode(offCurve),
            "es256:" + Base64URL.encode([0x04] + [UInt8](repeating: 0, count: 64)),
            "ed25519:" + String(repeating: "A", count: 5000),
        ]
        for text in bad {
            #expect(throws: CryptoError.self, "\(text.prefix(80))") { try PublicKey(string: text) }
        }
    }

    @Test func keysAreHashableByValue() throws {
        let key = try SigningKey.generate(algorithm: .ed25519).publicKey
        let again = try PublicKey(string: key.string)
        let other = try SigningKey.generate(algorithm: .ed25519).publicKey
        #expect(Set([key, again, other]).count == 2)
        #expect(PublicKey.ed25519([1]) != PublicKey.es256([1]))
    }

    @Test func signaturesVerifyThroughTheKeyForBothAlgorithms() throws {
        for algorithm in SigningAlgorithm.allCases {
            let key = try SigningKey.generate(algorithm: algorithm)
            let message = Array("a message".utf8)
            let signature = try key.sign(message)
            #expect(signature.count == 64)
            #expect(key.publicKey.isValidSignature(signature, for: message))
            #expect(!key.publicKey.isValidSignature(signature, for: Array("another".utf8)))
            #expect(!key.publicKey.isValidSignature(Array(signature.prefix(63)), for: message))
            let stranger = try SigningKey.generate(algorithm: algorithm).publicKey
            #expect(!stranger.isValidSignature(signature, for: message))
        }
    }

    @Test func verificationRunsInParallel() async throws {
        let keys = try (0..<8).map { index in try SigningKey.generate(algorithm: index % 2 == 0 ? .ed25519 : .es256) }
        let jobs = try (0..<400).map { index -> (PublicKey, [UInt8], [UInt8], Bool) in
            let key = keys[index % keys.count]
            let message = Array("message \(index)".utf8)
            var signature = try key.sign(message)
            let valid = index % 3 != 0
            if !valid { signature[index % 64] ^= 0x40 }
            return (key.publicKey, signature, message, valid)
        }
        let results = await withTaskGroup(of: (Int, Bool).self) { group in
            for (index, job) in jobs.enumerated() {
                group.addTask { (index, job.0.isValidSignature(job.1, for: job.2)) }
            }
            var results = [Bool](repeating: false, count: jobs.count)
            for await (index, result) in group { results[index] = result }
            return results
        }
        #expect(results == jobs.map(\.3))
    }
}
