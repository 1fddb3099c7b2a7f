import Foundation
import Testing
import VecheCrypto
import VecheLedger

@Suite struct CheckpointTests {
    typealias F = MerkleFixtures

    static func vectorKey() throws -> (F.CheckpointFile, Ed25519.PrivateKey) {
        let file = try F.checkpointFile()
        return (file, try Ed25519.PrivateKey(seed: F.bytes(file.seed)))
    }

    /// The `NoteError` thrown by `body`, or nil if it succeeds (or throws something else).
    static func error(_ body: () throws -> Void) -> NoteError? {
        do {
            try body()
            return nil
        } catch {
            return error as? NoteError
        }
    }

    // MARK: Known answers

    @Test func vectorCheckpointIsReproducedByteForByte() throws {
        let (file, key) = try Self.vectorKey()
        #expect(F.hex(key.publicKey) == file.public_key)
        // The vector signs the root of the first `size` leaves of merkle.json.
        let tree = InMemoryMerkleNodes(leafHashes: F.vectorLeafHashes(file.size))
        #expect(F.hex(tree.root) == file.root)
        let checkpoint = try Checkpoint(origin: file.origin, size: file.size, rootHash: tree.root)
        #expect(checkpoint.body == file.body)
        let signed = try checkpoint.signed(with: key)
        #expect(signed.text == file.note)
    }

    @Test func vectorKeyIDAndVKeyMatch() throws {
        let (file, key) = try Self.vectorKey()
        let verifier = try NoteVerifier(name: file.origin, publicKey: key.publicKey)
        #expect(verifier.keyID == UInt32(file.key_id, radix: 16))
        #expect(verifier.vkey == file.vkey)
        let parsed = try NoteVerifier(vkey: file.vkey)
        #expect(parsed == verifier)
    }

    @Test func vectorNoteParsesAndVerifies() throws {
        let (file, _) = try Self.vectorKey()
        let signed = try SignedCheckpoint(parsing: file.note)
        #expect(signed.checkpoint.origin == file.origin)
        #expect(signed.checkpoint.size == file.size)
        #expect(F.hex(signed.checkpoint.rootHash) == file.root)
        #expect(signed.text == file.note)
        try signed.verify(NoteVerifier(vkey: file.vkey))
    }

    @Test func goSumdbExampleNoteIsReproducedAndVerifies() throws {
        // golang.org/x/mod/sumdb/note's documented example: our generic note layer must
        // agree with the Go implementation witnesses and verifiers use.
        let go = try F.checkpointFile().go_sumdb_note
        let key = try Ed25519.PrivateKey(seed: F.bytes(go.seed))
        let note = try SignedNote.sign(text: go.text, name: go.name, key: key)
        #expect(note.serialized == go.note)
        let verifier = try NoteVerifier(vkey: go.vkey)
        #expect(verifier.vkey == go.vkey)
        let parsed = try SignedNote(parsing: go.note)
        #expect(parsed.text == go.text)
        #expect(try parsed.verify(using: [verifier]) == [verifier])
        // It is not a checkpoint: two lines of prose.
        #expect(Self.error { _ = try SignedCheckpoint(parsing: go.note) }?.field == "checkpoint")
    }

    // MARK: Checkpoint body

    @Test func bodyRoundTripsForEdgeSizes() throws {
        for size in [0, 1, 9, 10, Int.max] {
            let checkpoint = try Checkpoint(origin: "vote.example.ru/16", size: size, rootHash: [UInt8](repeating: 0xEE, count: 32))
            #expect(try Checkpoint(body: checkpoint.body) == checkpoint)
        }
    }

    @Test(arguments: [
        ("vote.example.ru/16\n013\nJSDh8gh6Q+7wEv6kd03BVoyHEKnPp/flCUcl+efqGaI=\n", "checkpoint.size"),
        ("vote.example.ru/16\n00\nJSDh8gh6Q+7wEv6kd03BVoyHEKnPp/flCUcl+efqGaI=\n", "checkpoint.size"),
        ("vote.example.ru/16\n-1\nJSDh8gh6Q+7wEv6kd03BVoyHEKnPp/flCUcl+efqGaI=\n", "checkpoint.size"),
        ("vote.example.ru/16\n+1\nJSDh8gh6Q+7wEv6kd03BVoyHEKnPp/flCUcl+efqGaI=\n", "checkpoint.size"),
        ("vote.example.ru/16\n1 \nJSDh8gh6Q+7wEv6kd03BVoyHEKnPp/flCUcl+efqGaI=\n", "checkpoint.size"),
        ("vote.example.ru/16\n\nJSDh8gh6Q+7wEv6kd03BVoyHEKnPp/flCUcl+efqGaI=\n", "checkpoint.size"),
        ("vote.example.ru/16\n١٣\nJSDh8gh6Q+7wEv6kd03BVoyHEKnPp/flCUcl+efqGaI=\n", "checkpoint.size"),
        ("vote.example.ru/16\n99999999999999999999\nJSDh8gh6Q+7wEv6kd03BVoyHEKnPp/flCUcl+efqGaI=\n", "checkpoint.size"),
        ("vote.example.ru/16\n13\nJSDh8gh6Q+7wEv6kd03BVoyHEKnPp/flCUcl+efqGaI\n", "checkpoint.root"),
        ("vote.example.ru/16\n13\nJSDh8gh6Q+7wEv6kd03BVoyHEKnPp/flCUcl+efqGaJ=\n", "checkpoint.root"),
        ("vote.example.ru/16\n13\nJSDh8gh6Q+7wEv6kd03BVoyHEKnPp/flCUcl+efqG==\n", "checkpoint.root"),
        ("vote.example.ru/16\n13\nJSDh8gh6Q-7wEv6kd03BVoyHEKnPp_flCUcl-efqGaI=\n", "checkpoint.root"),
        ("vote.example.ru/16\n13\n JSDh8gh6Q+7wEv6kd03BVoyHEKnPp/flCUcl+efqGaI=\n", "checkpoint.root"),
        ("vote.example.ru/16\n13\nAAAA\n", "checkpoint.root"),
        ("\n13\nJSDh8gh6Q+7wEv6kd03BVoyHEKnPp/flCUcl+efqGaI=\n", "checkpoint.origin"),
        ("vote example\n13\nJSDh8gh6Q+7wEv6kd03BVoyHEKnPp/flCUcl+efqGaI=\n", "checkpoint.origin"),
        ("vote+example\n13\nJSDh8gh6Q+7wEv6kd03BVoyHEKnPp/flCUcl+efqGaI=\n", "checkpoint.origin"),
        ("vote\u{00A0}example\n13\nJSDh8gh6Q+7wEv6kd03BVoyHEKnPp/flCUcl+efqGaI=\n", "checkpoint.origin"),
        ("vote.example.ru/16\n13\nJSDh8gh6Q+7wEv6kd03BVoyHEKnPp/flCUcl+efqGaI=\nextension\n", "checkpoint"),
        ("vote.example.ru/16\n13\nJSDh8gh6Q+7wEv6kd03BVoyHEKnPp/flCUcl+efqGaI=", "checkpoint"),
        ("vote.example.ru/16\n13\n", "checkpoint"),
    ])
    func malformedBodiesAreRefusedNamingTheLine(body: String, field: String) {
        let error = Self.error { _ = try Checkpoint(body: body) }
        #expect(error?.code == .malformed || error?.code == .tooLarge)
        #expect(error?.field == field)
    }

    @Test func constructorRefusesInvalidParts() {
        let root = [UInt8](repeating: 1, count: 32)
        #expect(Self.error { _ = try Checkpoint(origin: "", size: 1, rootHash: root) }?.field == "checkpoint.origin")
        #expect(Self.error { _ = try Checkpoint(origin: "a\nb", size: 1, rootHash: root) }?.field == "checkpoint.origin")
        #expect(Self.error { _ = try Checkpoint(origin: "a\u{7F}b", size: 1, rootHash: root) }?.field == "checkpoint.origin")
        #expect(Self.error { _ = try Checkpoint(origin: String(repeating: "a", count: 1025), size: 1, rootHash: root) }?.code == .tooLarge)
        #expect(Self.error { _ = try Checkpoint(origin: "o", size: -1, rootHash: root) }?.field == "checkpoint.size")
        #expect(Self.error { _ = try Checkpoint(origin: "o", size: 1, rootHash: Array(root.dropLast())) }?.field == "checkpoint.root")
    }

    // MARK: Verifier keys

    @Test func vkeyWithPlusInsideTheBase64Parses() throws {
        // Find a key whose base64 contains '+', so splitting at every '+' would break it.
        var seed = [UInt8](repeating: 0, count: 32)
        var verifier = try NoteVerifier(name: "o", publicKey: Ed25519.PrivateKey(seed: seed).publicKey)
        while !verifier.vkey.dropFirst(11).contains("+") {
            seed[0] &+= 1
            verifier = try NoteVerifier(name: "o", publicKey: Ed25519.PrivateKey(seed: seed).publicKey)
        }
        #expect(try NoteVerifier(vkey: verifier.vkey) == verifier)
    }

    @Test func vkeyParsingIsStrict() throws {
        let good = try F.checkpointFile().vkey  // vote.example.ru/16+ef671589+AVJk…
        #expect(try NoteVerifier(vkey: good).vkey == good)
        let parts = good.split(separator: "+", maxSplits: 2).map(String.init)
        let (name, id, key) = (parts[0], parts[1], parts[2])
        let cases: [(String, NoteError.Code, String)] = [
            ("", .invalidKey, "vkey"),
            (name, .invalidKey, "vkey"),
            ("\(name)+\(id)", .invalidKey, "vkey"),
            ("\(name)+\(id.uppercased())+\(key)", .invalidKey, "vkey.keyID"),
            ("\(name)+\(id.dropLast())+\(key)", .invalidKey, "vkey.keyID"),
            ("\(name)+0\(id)+\(key)", .invalidKey, "vkey.keyID"),
            ("\(name)+00000000+\(key)", .invalidKey, "vkey.keyID"),
            ("other.example/1+\(id)+\(key)", .invalidKey, "vkey.keyID"),
            ("+\(id)+\(key)", .malformed, "vkey.name"),
            ("a b+\(id)+\(key)", .malformed, "vkey.name"),
            ("\(name)+\(id)+\(key.dropLast())", .invalidKey, "vkey.key"),
            ("\(name)+\(id)+\(key) ", .invalidKey, "vkey.key"),
            ("\(name)+\(id)+B\(key.dropFirst())", .invalidKey, "vkey.key"),
            ("\(name)+\(id)+AAAAAAAA", .invalidKey, "vkey.key"),
            ("\(name)+\(id)+" + String(repeating: "A", count: 2000), .tooLarge, "vkey"),
        ]
        for (vkey, code, field) in cases {
            let error = Self.error { _ = try NoteVerifier(vkey: vkey) }
            #expect(error?.code == code && error?.field == field, "\(vkey): \(String(describing: error))")
        }
        // A key of another signature type (0x04 cosignature) with its own correct key ID.
        let raw = F.bytes(try F.checkpointFile().public_key)
        let typed = F.bytes("04") + raw
        let otherType = "\(name)+00000000+\(Data(typed).base64EncodedString())"
        #expect(Self.error { _ = try NoteVerifier(vkey: otherType) }?.field == "vkey.key")
    }

    @Test func keyIDIsTheFirstFourBytesOfTheNameNewlineTypeKeyHash() throws {
        let key = [UInt8](repeating: 0x42, count: 32)
        let digest = SHA256.hash(Array("a.example/log".utf8) + [0x0A, 0x01] + key)
        let expected = UInt32(digest[0]) << 24 | UInt32(digest[1]) << 16 | UInt32(digest[2]) << 8 | UInt32(digest[3])
        #expect(NoteVerifier.keyID(name: "a.example/log", publicKey: key) == expected)
        #expect(try NoteVerifier(name: "a.example/log", publicKey: key).keyID == expected)
        #expect(Self.error { _ = try NoteVerifier(name: "a.example/log", publicKey: Array(key.dropLast())) }?.code == .invalidKey)
    }
}
