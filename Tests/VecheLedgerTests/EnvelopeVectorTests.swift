import Foundation
import Testing
import VecheCrypto
import VecheLedger
import VecheTestSupport

/// Specs/vectors/envelope/envelopes.json, made with Python `cryptography` (generate.py there).
struct EnvelopeVectors: Decodable, Sendable {
    struct Key: Decodable, Sendable {
        let pemFile: String
        let publicKey: String
        let vkey: String?
    }
    struct Envelope: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let algorithm: String
        let producedBy: String
        let signingInputHex: String
        let body: String
        let canonical: String
        var testDescription: String { name }
    }
    let origin: String
    let keys: [String: Key]
    let envelopes: [Envelope]

    static func load() throws -> EnvelopeVectors {
        try JSONDecoder().decode(EnvelopeVectors.self, from: Vectors.data("envelope/envelopes.json"))
    }

    static func key(_ algorithm: String) throws -> SigningKey {
        try SigningKey.load(from: Vectors.url("envelope/" + load().keys[algorithm]!.pemFile).path)
    }
}

@Suite struct EnvelopeVectorTests {
    @Test(arguments: try EnvelopeVectors.load().envelopes)
    func independentEnvelopeVerifies(_ vector: EnvelopeVectors.Envelope) throws {
        let envelope = try SignedEnvelope.parse(body: Array(vector.body.utf8))
        #expect(envelope.signer.algorithm.rawValue == vector.algorithm)
        #expect(envelope.canonicalBytes == Array(vector.canonical.utf8))
        #expect(SignedEnvelope.signingInput(command: envelope.command) == (try Hex.decode(vector.signingInputHex)))
        // The canonical form posts just as well.
        #expect(try SignedEnvelope.parse(body: Array(vector.canonical.utf8)) == envelope)
    }

    @Test func vectorsIncludeAnEnvelopeMadeByVecheAndCheckedByPython() throws {
        let vectors = try EnvelopeVectors.load()
        #expect(vectors.envelopes.contains { $0.producedBy == "veche sign" && $0.algorithm == "es256" })
        #expect(vectors.envelopes.contains { $0.producedBy == "python-cryptography" && $0.algorithm == "ed25519" })
        #expect(vectors.envelopes.contains { $0.producedBy == "python-cryptography" && $0.algorithm == "es256" })
    }

    @Test(arguments: try EnvelopeVectors.load().envelopes.filter { $0.algorithm == "ed25519" })
    func ourEd25519SignerReproducesPythonByteForByte(_ vector: EnvelopeVectors.Envelope) throws {
        let key = try EnvelopeVectors.key("ed25519")
        let command = try SignedEnvelope.parse(body: Array(vector.body.utf8)).command
        let ours = try SignedEnvelope.sign(command: command, with: key)
        #expect(ours.canonicalBytes == Array(vector.canonical.utf8))
    }

    @Test(arguments: try EnvelopeVectors.load().envelopes.filter { $0.algorithm == "es256" })
    func ourES256SignerMakesEnvelopesOurVerifierAccepts(_ vector: EnvelopeVectors.Envelope) throws {
        let key = try EnvelopeVectors.key("es256")
        let theirs = try SignedEnvelope.parse(body: Array(vector.body.utf8))
        let ours = try SignedEnvelope.sign(command: theirs.command, with: key)
        #expect(ours.signer == theirs.signer)
        #expect(ours.signature != theirs.signature)  // ECDSA is randomised
        let reparsed = try SignedEnvelope.parse(body: ours.canonicalBytes)
        #expect(CanonicalJSON.serialize(reparsed.command) == CanonicalJSON.serialize(theirs.command))
    }

    @Test(arguments: try EnvelopeVectors.load().envelopes)
    func flippingAnyBitOfTheCanonicalEnvelopeIsRefused(_ vector: EnvelopeVectors.Envelope) throws {
        let original = Array(vector.canonical.utf8)
        var refusedAs400 = 0
        var refusedAs403 = 0
        for position in original.indices {
            for bit in 0..<8 {
                var tampered = original
                tampered[position] ^= 1 << UInt8(bit)
                do {
                    let accepted = try SignedEnvelope.parse(body: tampered)
                    // Acceptance would need a forged signature; if it ever happens it must at
                    // least not carry the original meaning.
                    Issue.record("byte \(position) bit \(bit) accepted: \(accepted.signerString)")
                } catch {
                    if error.status == 400 { refusedAs400 += 1 } else { refusedAs403 += 1 }
                }
            }
        }
        #expect(refusedAs400 + refusedAs403 == original.count * 8)
        #expect(refusedAs400 > 0 && refusedAs403 > 0)
    }
}
