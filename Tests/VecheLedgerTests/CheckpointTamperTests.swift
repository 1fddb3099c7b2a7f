import Foundation
import Testing
import VecheCrypto
import VecheLedger

/// Adversarial inputs to checkpoint notes: every alteration is refused, by the parser or
/// by verification; witness cosignatures are ignored as C2SP requires.
@Suite struct CheckpointTamperTests {
    typealias F = MerkleFixtures

    let file: F.CheckpointFile
    let key: Ed25519.PrivateKey
    let verifier: NoteVerifier

    init() throws {
        file = try F.checkpointFile()
        key = try Ed25519.PrivateKey(seed: F.bytes(file.seed))
        verifier = try NoteVerifier(vkey: file.vkey)
    }

    /// The error refusing `bytes` as a checkpoint from `verifier`, or nil if accepted.
    func refusal(_ bytes: [UInt8], verifier: NoteVerifier? = nil) -> NoteError? {
        do {
            try SignedCheckpoint(parsing: bytes).verify(verifier ?? self.verifier)
            return nil
        } catch {
            return error
        }
    }

    func refusal(_ text: String, verifier: NoteVerifier? = nil) -> NoteError? {
        refusal(Array(text.utf8), verifier: verifier)
    }

    func checkpoint(size: Int, origin: String? = nil) throws -> Checkpoint {
        try Checkpoint(origin: origin ?? file.origin, size: size, rootHash: SHA256.hash(Array("root \(size)".utf8)))
    }

    /// A signature line for `text` by a fresh key named `name` (a witness we do not know).
    func foreignLine(_ text: String, name: String, seed: UInt8) throws -> String {
        try SignedNote.sign(text: text, name: name, key: Ed25519.PrivateKey(seed: [UInt8](repeating: seed, count: 32))).signatures[0].line
    }

    @Test func theUntamperedVectorIsAccepted() {
        #expect(refusal(file.note) == nil)
    }

    @Test func everySingleBitFlipIsRefused() {
        let original = Array(file.note.utf8)
        var accepted: [String] = []
        for position in original.indices {
            for bit in 0..<8 {
                var tampered = original
                tampered[position] ^= 1 << bit
                if refusal(tampered) == nil { accepted.append("byte \(position) bit \(bit)") }
            }
        }
        #expect(accepted.isEmpty)
    }

    @Test func everyDeletedByteAndEveryInsertedLineBreakIsRefused() {
        let original = Array(file.note.utf8)
        var accepted: [String] = []
        for position in original.indices {
            var deleted = original
            deleted.remove(at: position)
            if refusal(deleted) == nil { accepted.append("delete \(position)") }
        }
        for position in 0...original.count {
            for inserted in [UInt8(ascii: "\n"), UInt8(ascii: " "), UInt8(ascii: "0")] {
                var grown = original
                grown.insert(inserted, at: position)
                if refusal(grown) == nil { accepted.append("insert \(inserted) at \(position)") }
            }
        }
        #expect(accepted.isEmpty)
    }

    @Test func wrongKeyUnderTheSameNameIsNotTrusted() throws {
        let other = try NoteVerifier(name: file.origin, publicKey: Ed25519.PrivateKey(seed: [UInt8](repeating: 9, count: 32)).publicKey)
        #expect(refusal(file.note, verifier: other)?.code == .noTrustedSignature)
    }

    @Test func keyOfAnotherOriginIsRefused() throws {
        // The right key, trusted for another log: the checkpoint's origin is not its name.
        let elsewhere = try NoteVerifier(name: "other.example/1", publicKey: key.publicKey)
        #expect(refusal(file.note, verifier: elsewhere)?.code == .wrongOrigin)
        // A checkpoint of origin A signed under key name B: neither trust works.
        let body = try checkpoint(size: 13, origin: "a.example/log").body
        let note = try SignedNote.sign(text: body, name: "b.example/log", key: key).serialized
        #expect(refusal(note, verifier: try NoteVerifier(name: "b.example/log", publicKey: key.publicKey))?.code == .wrongOrigin)
        #expect(refusal(note, verifier: try NoteVerifier(name: "a.example/log", publicKey: key.publicKey))?.code == .noTrustedSignature)
    }

    @Test func signatureLinesSwappedBetweenCheckpointsAreRefused() throws {
        let first = try checkpoint(size: 13).signed(with: key)
        let second = try checkpoint(size: 14).signed(with: key)
        let swapped = first.checkpoint.body + "\n" + second.note.signatures[0].line
        let error = refusal(swapped)
        #expect(error?.code == .invalidSignature)
        #expect(error?.field == "note.signatures[0]")
    }

    @Test func witnessCosignaturesAreIgnoredInEitherOrder() throws {
        let body = file.body
        let ours = try SignedNote(parsing: file.note).signatures[0].line
        let witness = try foreignLine(body, name: "witness.example/w1", seed: 7)
        #expect(refusal(body + "\n" + ours + witness) == nil)
        #expect(refusal(body + "\n" + witness + ours) == nil)
        // Only a witness: not signed by us.
        #expect(refusal(body + "\n" + witness)?.code == .noTrustedSignature)
        // An unknown line need not even verify: it is not ours to judge.
        let bogus = "\u{2014} witness.example/w2 " + Data([1, 2, 3, 4] + [UInt8](repeating: 5, count: 64)).base64EncodedString() + "\n"
        #expect(refusal(body + "\n" + ours + bogus) == nil)
    }

    @Test func aFailingLineOfOurKeyRefusesTheNoteEvenBesideAGoodOne() throws {
        let body = file.body
        let ours = try SignedNote(parsing: file.note).signatures[0]
        var badSignature = ours.signature
        badSignature[10] ^= 0x40
        let bad = NoteSignature(name: ours.name, keyID: ours.keyID, signature: badSignature).line
        #expect(refusal(body + "\n" + ours.line + bad)?.field == "note.signatures[1]")
        #expect(refusal(body + "\n" + bad + ours.line)?.field == "note.signatures[0]")
        // A line of our key with a signature of the wrong length is a failing line too.
        let short = NoteSignature(name: ours.name, keyID: ours.keyID, signature: Array(ours.signature.dropLast())).line
        #expect(refusal(body + "\n" + short)?.code == .invalidSignature)
        // Two identical good lines both verify.
        #expect(refusal(body + "\n" + ours.line + ours.line) == nil)
    }

    @Test func trailingGarbageIsRefused() {
        for suffix in ["x", "\n", " ", "\u{2014}", "\u{2014} x\n", "\u{2014} x AAAA\n", "\u{2014} x\u{00A0}y AAAAAAAA\n"] {
            #expect(refusal(file.note + suffix)?.code == .malformed, "suffix \(suffix.debugDescription)")
        }
        #expect(refusal(String(file.note.dropLast()))?.code == .malformed)
    }

    @Test func crlfLineEndingsAreRefused() {
        let crlf = file.note.replacingOccurrences(of: "\n", with: "\r\n")
        #expect(refusal(crlf)?.code == .malformed)
        let oneCR = file.note.replacingOccurrences(of: "16\n13", with: "16\r\n13")
        #expect(refusal(oneCR)?.code == .malformed)
    }

    @Test func malformedSignatureLinesAreRefused() throws {
        let body = file.body
        let ours = try SignedNote(parsing: file.note).signatures[0]
        let blob = file.note.split(separator: " ").last!.dropLast()  // the base64, without LF
        for line in [
            "- \(ours.name) \(blob)\n",
            "\u{2014}\(ours.name) \(blob)\n",
            "\u{2014}  \(ours.name) \(blob)\n",
            "\u{2014} \(ours.name)  \(blob)\n",
            "\u{2014} \(ours.name) \(blob) \n",
            "\u{2014} \(ours.name)\n",
            "\u{2014} \(blob)\n",
            "\u{2014} a+b \(blob)\n",
            "\u{2014} \(ours.name) AAAAAA==\n",
            "\u{2014} \(ours.name) \(blob.dropLast())\n",
            "\u{2013} \(ours.name) \(blob)\n",
        ] {
            #expect(refusal(body + "\n" + line)?.code == .malformed, "line \(line.debugDescription)")
        }
    }

    @Test func notesWithoutTheBlankLineOrSignaturesAreRefused() {
        let body = file.body
        #expect(refusal(body)?.code == .malformed)
        #expect(refusal(body + "\n")?.code == .malformed)
        #expect(refusal("")?.code == .malformed)
        #expect(refusal("\n\n")?.code == .malformed)
        let withoutBlank = file.note.replacingOccurrences(of: "\n\n", with: "\n")
        #expect(refusal(withoutBlank)?.code == .malformed)
    }

    @Test func invalidUTF8AndControlCharactersAreRefused() {
        var bytes = Array(file.note.utf8)
        bytes[3] = 0xC0
        #expect(refusal(bytes)?.code == .malformed)
        for control: UInt8 in [0x00, 0x09, 0x0B, 0x0D, 0x1B, 0x1F] {
            var withControl = Array(file.note.utf8)
            withControl.insert(control, at: 5)
            #expect(refusal(withControl)?.code == .malformed)
        }
    }

    @Test func oversizeNotesAndTooManySignaturesAreRefused() throws {
        let body = file.body
        let ours = try SignedNote(parsing: file.note).signatures[0].line
        let witness = try foreignLine(body, name: "w.example/1", seed: 3)
        // 100 lines (ours and 99 witnesses) are accepted; 101 are not.
        #expect(refusal(body + "\n" + ours + String(repeating: witness, count: 99)) == nil)
        #expect(refusal(body + "\n" + ours + String(repeating: witness, count: 100))?.code == .tooLarge)
        let huge = String(repeating: "a", count: SignedNote.maxByteCount) + "\n\n" + ours
        #expect(refusal(huge)?.code == .tooLarge)
    }

    @Test func signingRefusesTextsThatCannotBeNotes() throws {
        #expect(throws: NoteError.self) { try SignedNote.sign(text: "no final newline", name: "n", key: key) }
        #expect(throws: NoteError.self) { try SignedNote.sign(text: "tab\there\n", name: "n", key: key) }
        #expect(throws: NoteError.self) { try SignedNote.sign(text: "ok\n", name: "bad name", key: key) }
        #expect(throws: NoteError.self) { try SignedNote.sign(text: "ok\n", name: "bad+name", key: key) }
        #expect(throws: NoteError.self) { try SignedNote.sign(text: "ok\n", name: "", key: key) }
    }
}
