import Testing
import VecheCrypto
import VecheLedger

/// Hostile inputs to the storage-free verifiers: they answer false, never trap.
@Suite struct MerkleVerifyTests {
    let leaves = MerkleFixtures.pseudoRandomLeafHashes(11, seed: 21)
    var tree: InMemoryMerkleNodes { InMemoryMerkleNodes(leafHashes: leaves) }

    @Test func leafAndNodeHashesUseTheRFC9162Prefixes() {
        let data: [UInt8] = Array("entry".utf8)
        #expect(Merkle.leafHash(data) == SHA256.hash([0x00] + data))
        let left = [UInt8](repeating: 1, count: 32)
        let right = [UInt8](repeating: 2, count: 32)
        #expect(Merkle.nodeHash(left, right) == SHA256.hash([0x01] + left + right))
        #expect(Merkle.nodeHash(left, right) != Merkle.nodeHash(right, left))
    }

    @Test func inclusionRefusesOutOfRangeIndexAndSize() throws {
        let proof = try MerkleTree.inclusionProof(index: 3, size: 11, in: tree)
        let root = tree.root
        let leaf = leaves[3]
        #expect(Merkle.verifyInclusion(leafHash: leaf, index: 3, size: 11, proof: proof, root: root))
        for (index, size) in [(11, 11), (12, 11), (-1, 11), (3, 0), (3, -5), (Int.min, 11), (3, Int.min), (Int.max, Int.max), (3, Int.max)] {
            #expect(!Merkle.verifyInclusion(leafHash: leaf, index: index, size: size, proof: proof, root: root), "index \(index) size \(size)")
        }
    }

    @Test func inclusionRefusesWrongLengthHashes() throws {
        let proof = try MerkleTree.inclusionProof(index: 3, size: 11, in: tree)
        let root = tree.root
        let leaf = leaves[3]
        #expect(!Merkle.verifyInclusion(leafHash: Array(leaf.dropLast()), index: 3, size: 11, proof: proof, root: root))
        #expect(!Merkle.verifyInclusion(leafHash: leaf, index: 3, size: 11, proof: proof, root: root + [0]))
        var shortElement = proof
        shortElement[1].removeLast()
        #expect(!Merkle.verifyInclusion(leafHash: leaf, index: 3, size: 11, proof: shortElement, root: root))
        #expect(!Merkle.verifyInclusion(leafHash: [], index: 0, size: 1, proof: [], root: []))
    }

    @Test func singleLeafTreeHasEmptyProofAndTheLeafAsRoot() throws {
        let one = InMemoryMerkleNodes(leafHashes: [leaves[0]])
        #expect(try MerkleTree.inclusionProof(index: 0, size: 1, in: one) == [])
        #expect(one.root == leaves[0])
        #expect(Merkle.verifyInclusion(leafHash: leaves[0], index: 0, size: 1, proof: [], root: leaves[0]))
        #expect(!Merkle.verifyInclusion(leafHash: leaves[0], index: 0, size: 1, proof: [leaves[1]], root: leaves[0]))
    }

    @Test func hugeHostileProofsEndQuickly() {
        // Far more elements than any tree needs: refused after ≤ 64 steps, not looped over.
        let junk = [[UInt8]](repeating: [UInt8](repeating: 0xAB, count: 32), count: 100_000)
        #expect(!Merkle.verifyInclusion(leafHash: leaves[0], index: 5, size: Int.max, proof: junk, root: leaves[1]))
        #expect(!Merkle.verifyConsistency(oldSize: 3, newSize: Int.max, oldRoot: leaves[0], newRoot: leaves[1], proof: junk))
    }

    @Test func consistencyRefusesSizesOutsideTheDomain() throws {
        let proof = try MerkleTree.consistencyProof(from: 4, to: 11, in: tree)
        let old = try MerkleTree.root(size: 4, in: tree)
        let new = tree.root
        #expect(Merkle.verifyConsistency(oldSize: 4, newSize: 11, oldRoot: old, newRoot: new, proof: proof))
        for (from, to) in [(0, 11), (-4, 11), (12, 11), (11, 4), (4, Int.max), (Int.min, 11), (Int.max, Int.max)] {
            #expect(!Merkle.verifyConsistency(oldSize: from, newSize: to, oldRoot: old, newRoot: new, proof: proof), "\(from) → \(to)")
        }
        // From the empty tree: WIRE.md's domain starts at 1, and so does ours.
        #expect(!Merkle.verifyConsistency(oldSize: 0, newSize: 11, oldRoot: Merkle.emptyRoot, newRoot: new, proof: []))
    }

    @Test func consistencyBetweenEqualSizesIsAnEmptyProofAndEqualRoots() throws {
        let root = tree.root
        #expect(Merkle.verifyConsistency(oldSize: 11, newSize: 11, oldRoot: root, newRoot: root, proof: []))
        #expect(!Merkle.verifyConsistency(oldSize: 11, newSize: 11, oldRoot: root, newRoot: leaves[0], proof: []))
        #expect(!Merkle.verifyConsistency(oldSize: 11, newSize: 11, oldRoot: root, newRoot: root, proof: [root]))
    }

    @Test func consistencyRefusesEmptyProofAndWrongLengthHashes() throws {
        let proof = try MerkleTree.consistencyProof(from: 4, to: 11, in: tree)
        let old = try MerkleTree.root(size: 4, in: tree)
        let new = tree.root
        #expect(!Merkle.verifyConsistency(oldSize: 4, newSize: 11, oldRoot: old, newRoot: new, proof: []))
        #expect(!Merkle.verifyConsistency(oldSize: 4, newSize: 11, oldRoot: Array(old.dropLast()), newRoot: new, proof: proof))
        #expect(!Merkle.verifyConsistency(oldSize: 4, newSize: 11, oldRoot: old, newRoot: new + [1], proof: proof))
        var longElement = proof
        longElement[0].append(0)
        #expect(!Merkle.verifyConsistency(oldSize: 4, newSize: 11, oldRoot: old, newRoot: new, proof: longElement))
    }

    @Test func consistencyFromAPowerOfTwoOmitsTheOldRoot() throws {
        // RFC 9162 §2.1.4.2 step 2: the verifier prepends it; a proof that includes it
        // is one element too long and fails.
        let proof = try MerkleTree.consistencyProof(from: 4, to: 11, in: tree)
        let old = try MerkleTree.root(size: 4, in: tree)
        #expect(!proof.contains(old))
        #expect(!Merkle.verifyConsistency(oldSize: 4, newSize: 11, oldRoot: old, newRoot: tree.root, proof: [old] + proof))
    }
}

