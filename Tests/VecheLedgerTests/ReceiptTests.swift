import Foundation
import Testing
import VecheCrypto
import VecheLedger

/// C2SP tlog-proof receipts: the vector, generated proofs, and adversarial texts.
@Suite struct ReceiptTests {
    typealias F = MerkleFixtures

    let file: F.CheckpointFile
    let key: Ed25519.PrivateKey
    let verifier: NoteVerifier
    let leaves: [[UInt8]]
    let tree: InMemoryMerkleNodes

    init() throws {
        file = try F.checkpointFile()
        key = try Ed25519.PrivateKey(seed: F.bytes(file.seed))
        verifier = try NoteVerifier(vkey: file.vkey)
        leaves = F.vectorLeafHashes(40)
        tree = InMemoryMerkleNodes(leafHashes: leaves)
    }

    /// A receipt for leaf `index` against a freshly signed checkpoint of `size`.
    func receipt(index: Int, size: Int, origin: String? = nil, signer: Ed25519.PrivateKey? = nil) throws -> TlogProof {
        let checkpoint = try Checkpoint(origin: origin ?? file.origin, size: size, rootHash: MerkleTree.root(size: size, in: tree))
        return try TlogProof(index: index, path: MerkleTree.inclusionProof(index: index, size: size, in: tree),
            checkpoint: checkpoint.signed(with: signer ?? key))
    }

    /// The error refusing `bytes` as a receipt for `leafHash`, or nil if accepted.
    func refusal(_ bytes: [UInt8], leafHash: [UInt8]? = nil) -> NoteError? {
        do {
            try TlogProof(parsing: bytes).verify(leafHash: leafHash ?? F.bytes(file.receipt.leaf_hash), verifier: verifier)
            return nil
        } catch {
            return error
        }
    }

    func refusal(_ text: String, leafHash: [UInt8]? = nil) -> NoteError? {
        refusal(Array(text.utf8), leafHash: leafHash)
    }

    @Test func vectorReceiptIsReproducedAndVerifies() throws {
        let vector = file.receipt
        #expect(F.hex(leaves[vector.index]) == vector.leaf_hash)
        let made = try receipt(index: vector.index, size: file.size)
        #expect(made.text == vector.proof)
        let parsed = try TlogProof(parsing: vector.proof)
        #expect(parsed == made)
        #expect(parsed.index == vector.index)
        let head = try parsed.verify(leafHash: F.bytes(vector.leaf_hash), verifier: verifier)
        #expect(head.size == file.size)
        #expect(F.hex(head.rootHash) == file.root)
    }

    @Test func everyLeafHasAVerifyingReceiptAtItsOwnAndLaterCheckpoints() throws {
        for size in [1, 2, 7, 13, 32, 40] {
            for index in 0..<size {
                let proof = try receipt(index: index, size: size)
                let reparsed = try TlogProof(parsing: proof.text)
                #expect(reparsed == proof)
                #expect(throws: Never.self) { try reparsed.verify(leafHash: leaves[index], verifier: verifier) }
                // Another leaf, or this leaf claimed at another index, does not verify.
                let other = leaves[(index + 1) % 40]
                #expect(refusal(proof.text, leafHash: other)?.code == .invalidProof)
            }
        }
    }

    @Test func everySingleBitFlipIsRefused() {
        let original = Array(file.receipt.proof.utf8)
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

    @Test func everyDeletedByteIsRefused() {
        let original = Array(file.receipt.proof.utf8)
        var accepted: [Int] = []
        for position in original.indices {
            var deleted = original
            deleted.remove(at: position)
            if refusal(deleted) == nil { accepted.append(position) }
        }
        #expect(accepted.isEmpty)
    }

    @Test func indexAtOrBeyondTheCheckpointSizeIsRefused() throws {
        let signed = try Checkpoint(origin: file.origin, size: 13, rootHash: MerkleTree.root(size: 13, in: tree)).signed(with: key)
        for index in [13, 14, 39] {
            let proof = try TlogProof(index: index, path: MerkleTree.inclusionProof(index: index, size: 40, in: tree), checkpoint: signed)
            let error = refusal(proof.text, leafHash: leaves[index])
            #expect(error?.code == .invalidProof)
            #expect(error?.field == "proof.index")
        }
    }

    @Test func receiptsFromAnotherKeyOrOriginAreRefused() throws {
        let stranger = try Ed25519.PrivateKey(seed: [UInt8](repeating: 0x55, count: 32))
        #expect(refusal(try receipt(index: 5, size: 13, signer: stranger).text)?.code == .noTrustedSignature)
        #expect(refusal(try receipt(index: 5, size: 13, origin: "other.example/1").text)?.code == .wrongOrigin)
    }

    @Test func theSignatureIsCheckedBeforeTheProof() throws {
        // A forged checkpoint (root changed, old signature kept) is refused for its
        // signature: the size, root and path of an unsigned head are never used.
        let genuine = try receipt(index: 5, size: 13)
        let forgedHead = try Checkpoint(origin: file.origin, size: 13, rootHash: leaves[0])
        let forgedText = genuine.text.replacingOccurrences(of: Data(genuine.checkpoint.checkpoint.rootHash).base64EncodedString(),
            with: Data(forgedHead.rootHash).base64EncodedString())
        #expect(refusal(forgedText)?.code == .invalidSignature)
    }

    @Test func extraDataLineIsRefused() {
        let withExtra = file.receipt.proof.replacingOccurrences(of: "tlog-proof@v1\n", with: "tlog-proof@v1\nextra AAAA\n")
        let error = refusal(withExtra)
        #expect(error?.code == .malformed)
        #expect(error?.field == "proof.extra")
    }

    @Test(arguments: [
        ("c2sp.org/tlog-proof@v2\n", "proof.header"),
        ("C2SP.org/tlog-proof@v1\n", "proof.header"),
        ("c2sp.org/tlog-proof@v1 \n", "proof.header"),
        ("\n", "proof.header"),
    ])
    func wrongHeaderIsRefused(header: String, field: String) {
        let text = header + file.receipt.proof.drop { $0 != "\n" }.dropFirst()
        #expect(refusal(text)?.field == field)
    }

    @Test(arguments: ["index 05", "index -5", "index +5", "index  5", "index 5 ", "index", "index ", "Index 5", "index 5x",
                      "index 99999999999999999999"])
    func malformedIndexLinesAreRefused(line: String) {
        let text = file.receipt.proof.replacingOccurrences(of: "index 5\n", with: line + "\n")
        let error = refusal(text)
        #expect(error?.field == "proof.index")
        #expect(error?.code == .malformed || error?.code == .tooLarge)
    }

    @Test func malformedPathLinesAreRefused() throws {
        let lines = file.receipt.proof.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let firstHash = lines[2]
        for bad in [String(firstHash.dropLast()), firstHash + "=", firstHash.replacingOccurrences(of: "/", with: "_"),
                    " " + firstHash, "AAAA", Data(repeating: 1, count: 33).base64EncodedString()] {
            var altered = lines
            altered[2] = bad
            #expect(bad != firstHash)
            let error = refusal(altered.joined(separator: "\n"))
            #expect(error?.field == "proof.path[0]", "line \(bad)")
        }
        // Without the blank line the checkpoint's origin is read as a path hash.
        var noBlank = lines
        noBlank.remove(at: 6)
        #expect(refusal(noBlank.joined(separator: "\n"))?.field.hasPrefix("proof.path") == true)
    }

    @Test func pathsAndTextsOverTheLimitsAreRefused() throws {
        let signed = try Checkpoint(origin: file.origin, size: 13, rootHash: MerkleTree.root(size: 13, in: tree)).signed(with: key)
        let hash = [UInt8](repeating: 3, count: 32)
        #expect(throws: NoteError.self) { try TlogProof(index: 0, path: Array(repeating: hash, count: 64), checkpoint: signed) }
        #expect(throws: NoteError.self) { try TlogProof(index: 0, path: [Array(hash.dropLast())], checkpoint: signed) }
        #expect(throws: NoteError.self) { try TlogProof(index: -1, path: [], checkpoint: signed) }
        let line = Data(hash).base64EncodedString() + "\n"
        let long = "c2sp.org/tlog-proof@v1\nindex 0\n" + String(repeating: line, count: 64) + "\n" + signed.text
        #expect(refusal(long)?.code == .tooLarge)
        let huge = "c2sp.org/tlog-proof@v1\nindex 0\n\n" + String(repeating: "a", count: TlogProof.maxByteCount)
        #expect(refusal(huge)?.code == .tooLarge)
    }

    @Test func crlfAndTrailingGarbageAreRefused() {
        #expect(refusal(file.receipt.proof.replacingOccurrences(of: "\n", with: "\r\n"))?.code == .malformed)
        #expect(refusal(file.receipt.proof.replacingOccurrences(of: "index 5\n", with: "index 5\r\n"))?.code == .malformed)
        for suffix in ["x", "\n", " "] {
            #expect(refusal(file.receipt.proof + suffix)?.code == .malformed)
        }
        #expect(refusal(String(file.receipt.proof.dropLast()))?.code == .malformed)
    }
}

