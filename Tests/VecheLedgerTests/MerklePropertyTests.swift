import Testing
import VecheLedger

/// Random trees up to 300 leaves: every generated proof verifies, and altered ones do not.
@Suite struct MerklePropertyTests {
    static let maxSize = 300

    /// RFC 9162 §2.1.1 MTH, literally recursive, as an oracle independent of stored nodes.
    static func referenceRoot(_ leaves: ArraySlice<[UInt8]>) -> [UInt8] {
        if leaves.isEmpty { return Merkle.emptyRoot }
        if leaves.count == 1 { return leaves.first! }
        var k = 1
        while k * 2 < leaves.count { k *= 2 }
        let mid = leaves.startIndex + k
        return Merkle.nodeHash(referenceRoot(leaves[..<mid]), referenceRoot(leaves[mid...]))
    }

    static func flipBit(_ proof: [[UInt8]], element: Int, bit: Int) -> [[UInt8]] {
        var copy = proof
        copy[element][bit / 8 % 32] ^= UInt8(1 << (bit % 8))
        return copy
    }

    @Test func storedNodeRootsEqualTheRecursiveDefinitionForEverySize() throws {
        let leaves = MerkleFixtures.pseudoRandomLeafHashes(Self.maxSize, seed: 1)
        let tree = InMemoryMerkleNodes(leafHashes: leaves)
        for size in 0...Self.maxSize {
            #expect(try MerkleTree.root(size: size, in: tree) == Self.referenceRoot(leaves[..<size]), "size \(size)")
        }
        #expect(tree.root == Self.referenceRoot(leaves[...]))
    }

    @Test func everyInclusionProofVerifiesAndAlteredOnesFail() throws {
        let leaves = MerkleFixtures.pseudoRandomLeafHashes(Self.maxSize, seed: 2)
        let tree = InMemoryMerkleNodes(leafHashes: leaves)
        let roots = try (0...Self.maxSize + 1).map { try MerkleTree.root(size: min($0, Self.maxSize), in: tree) }
        var failures = 0
        for size in 1...Self.maxSize {
            let root = roots[size]
            for index in 0..<size {
                let proof = try MerkleTree.inclusionProof(index: index, size: size, in: tree)
                let leaf = leaves[index]
                if !Merkle.verifyInclusion(leafHash: leaf, index: index, size: size, proof: proof, root: root) { failures += 1 }
                // One alteration per proof, cycling through the kinds so all occur often.
                let altered: Bool
                switch (index + size) % 6 {
                case 0 where !proof.isEmpty:
                    altered = Merkle.verifyInclusion(leafHash: leaf, index: index, size: size,
                        proof: Self.flipBit(proof, element: index % proof.count, bit: size), root: root)
                case 1 where size > 1:
                    altered = Merkle.verifyInclusion(leafHash: leaf, index: (index + 1) % size, size: size, proof: proof, root: root)
                case 2 where size < Self.maxSize:
                    altered = Merkle.verifyInclusion(leafHash: leaf, index: index, size: size + 1, proof: proof, root: roots[size + 1])
                case 3 where !proof.isEmpty:
                    altered = Merkle.verifyInclusion(leafHash: leaf, index: index, size: size, proof: Array(proof.dropLast()), root: root)
                case 4:
                    altered = Merkle.verifyInclusion(leafHash: leaf, index: index, size: size, proof: proof + [leaf], root: root)
                default:
                    altered = Merkle.verifyInclusion(leafHash: leaves[(index + 1) % Self.maxSize], index: index, size: size, proof: proof, root: root)
                }
                if altered { failures += 1 }
            }
        }
        #expect(failures == 0)
    }

    @Test func everyConsistencyProofVerifiesAndAlteredOnesFail() throws {
        let leaves = MerkleFixtures.pseudoRandomLeafHashes(Self.maxSize, seed: 3)
        let tree = InMemoryMerkleNodes(leafHashes: leaves)
        let roots = try (0...Self.maxSize).map { try MerkleTree.root(size: $0, in: tree) }
        var failures = 0
        var checked = 0
        for newSize in 1...Self.maxSize {
            for oldSize in 1...newSize {
                let proof = try MerkleTree.consistencyProof(from: oldSize, to: newSize, in: tree)
                checked += 1
                if !Merkle.verifyConsistency(oldSize: oldSize, newSize: newSize, oldRoot: roots[oldSize], newRoot: roots[newSize], proof: proof) {
                    failures += 1
                }
                let altered: Bool
                switch (oldSize + newSize) % 5 {
                case 0 where !proof.isEmpty:
                    altered = Merkle.verifyConsistency(oldSize: oldSize, newSize: newSize, oldRoot: roots[oldSize], newRoot: roots[newSize],
                        proof: Self.flipBit(proof, element: oldSize % proof.count, bit: newSize))
                case 1:
                    altered = Merkle.verifyConsistency(oldSize: oldSize, newSize: newSize, oldRoot: roots[oldSize - 1], newRoot: roots[newSize], proof: proof)
                case 2 where newSize < Self.maxSize:
                    altered = Merkle.verifyConsistency(oldSize: oldSize, newSize: newSize + 1, oldRoot: roots[oldSize], newRoot: roots[newSize + 1], proof: proof)
                case 3 where oldSize > 1:
                    altered = Merkle.verifyConsistency(oldSize: oldSize - 1, newSize: newSize, oldRoot: roots[oldSize - 1], newRoot: roots[newSize], proof: proof)
                case 4 where !proof.isEmpty:
                    altered = Merkle.verifyConsistency(oldSize: oldSize, newSize: newSize, oldRoot: roots[oldSize], newRoot: roots[newSize], proof: Array(proof.dropFirst()))
                default:
                    altered = Merkle.verifyConsistency(oldSize: oldSize, newSize: newSize, oldRoot: roots[oldSize], newRoot: roots[newSize], proof: proof + [roots[oldSize]])
                }
                if altered { failures += 1 }
            }
        }
        #expect(checked == Self.maxSize * (Self.maxSize + 1) / 2)
        #expect(failures == 0)
    }

    @Test func everyBitOfEveryProofElementMattersInASmallTree() throws {
        // Exhaustive single-bit tampering where it is cheap: 13 leaves, every index and pair.
        let leaves = MerkleFixtures.pseudoRandomLeafHashes(13, seed: 4)
        let tree = InMemoryMerkleNodes(leafHashes: leaves)
        var accepted = 0
        for size in 1...13 {
            let root = try MerkleTree.root(size: size, in: tree)
            for index in 0..<size {
                let proof = try MerkleTree.inclusionProof(index: index, size: size, in: tree)
                for element in proof.indices {
                    for bit in 0..<256 where Merkle.verifyInclusion(leafHash: leaves[index], index: index, size: size,
                        proof: Self.flipBit(proof, element: element, bit: bit), root: root) {
                        accepted += 1
                    }
                }
            }
            for oldSize in 1..<size {
                let oldRoot = try MerkleTree.root(size: oldSize, in: tree)
                let proof = try MerkleTree.consistencyProof(from: oldSize, to: size, in: tree)
                for element in proof.indices {
                    for bit in 0..<256 where Merkle.verifyConsistency(oldSize: oldSize, newSize: size, oldRoot: oldRoot, newRoot: root,
                        proof: Self.flipBit(proof, element: element, bit: bit)) {
                        accepted += 1
                    }
                }
            }
        }
        #expect(accepted == 0)
    }
}
