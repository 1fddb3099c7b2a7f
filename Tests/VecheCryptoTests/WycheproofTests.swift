import Foundation
import Testing
import VecheCrypto
import VecheTestSupport

/// The Wycheproof files as stored (see Specs/vectors/wycheproof/README.md).
struct WycheproofFile<Key: Decodable & Sendable>: Decodable, Sendable {
    struct Group: Decodable, Sendable {
        let publicKey: Key
        let tests: [Case]
    }
    struct Case: Decodable, Sendable {
        let tcId: Int
        let comment: String
        let msg: String
        let sig: String
        let result: String
    }
    let numberOfTests: Int
    let testGroups: [Group]

    static func load(_ name: String) throws -> WycheproofFile {
        try JSONDecoder().decode(WycheproofFile.self, from: Vectors.data("wycheproof/" + name))
    }

    var cases: [(key: Key, test: Case)] {
        testGroups.flatMap { group in group.tests.map { (group.publicKey, $0) } }
    }
}

struct EdDSAKey: Decodable, Sendable { let pk: String }
struct ECKey: Decodable, Sendable { let uncompressed: String }

@Suite struct WycheproofTests {
    @Test func ed25519EveryCaseGivesTheExpectedVerdict() throws {
        let file = try WycheproofFile<EdDSAKey>.load("ed25519_test.json")
        let cases = file.cases
        #expect(cases.count == file.numberOfTests)
        #expect(cases.count == 151)
        var verdicts: [String: Int] = [:]
        for (key, test) in cases {
            verdicts[test.result, default: 0] += 1
            #expect(test.result != "acceptable", "tcId \(test.tcId): acceptable cases need a decision")
            let publicKey = try Hex.decode(key.pk)
            let accepted = Ed25519.verify(publicKey: publicKey, signature: try Hex.decode(test.sig), message: try Hex.decode(test.msg))
            #expect(accepted == (test.result == "valid"), "tcId \(test.tcId): \(test.comment)")
            let viaKey = PublicKey.ed25519(publicKey).isValidSignature(try Hex.decode(test.sig), for: try Hex.decode(test.msg))
            #expect(viaKey == accepted)
        }
        #expect(verdicts["valid", default: 0] > 0 && verdicts["invalid", default: 0] > 0)
    }

    @Test func es256P1363EveryCaseGivesTheExpectedVerdict() throws {
        let file = try WycheproofFile<ECKey>.load("ecdsa_secp256r1_sha256_p1363_test.json")
        let cases = file.cases
        #expect(cases.count == file.numberOfTests)
        #expect(cases.count == 252)
        var verdicts: [String: Int] = [:]
        for (key, test) in cases {
            verdicts[test.result, default: 0] += 1
            #expect(test.result != "acceptable", "tcId \(test.tcId): acceptable cases need a decision")
            let point = try Hex.decode(key.uncompressed)
            let accepted = P256.verify(publicKey: point, signature: try Hex.decode(test.sig), message: try Hex.decode(test.msg))
            #expect(accepted == (test.result == "valid"), "tcId \(test.tcId): \(test.comment)")
        }
        #expect(verdicts["valid", default: 0] > 0 && verdicts["invalid", default: 0] > 0)
    }

    @Test func everyWycheproofP256KeyParsesAsAKeyString() throws {
        let file = try WycheproofFile<ECKey>.load("ecdsa_secp256r1_sha256_p1363_test.json")
        for group in file.testGroups {
            let point = try Hex.decode(group.publicKey.uncompressed)
            let key = try PublicKey(string: "es256:" + Base64URL.encode(point))
            #expect(key == .es256(point))
        }
    }
}
