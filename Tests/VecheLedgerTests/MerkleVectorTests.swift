import Foundation
import Testing
import VecheCore
import VecheLedger
import VecheTestSupport

/// Shared by the Merkle, checkpoint and receipt tests: hex and the vector files.
enum MerkleFixtures {
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func bytes(_ hex: String) -> [UInt8] {
        let chars = Array(hex.utf8)
        precondition(chars.count % 2 == 0, "odd hex length")
        return stride(from: 0, to: chars.count, by: 2).map { UInt8(String(decoding: chars[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
    }

    struct MerkleFile: Decodable {
        struct Leaf: Decodable {
            let index: Int
            let data: String
            let leaf_hash: String
        }
        struct Root: Decodable {
            let size: Int
            let root: String
        }
        struct Inclusion: Decodable {
            let size: Int
            let index: Int
            let path: [String]
        }
        struct Consistency: Decodable {
            let from: Int
            let to: Int
            let path: [String]
        }
        struct Reference: Decodable {
            let leaves: [String]
            let roots: [String]
        }
        let leaves: [Leaf]
        let roots: [Root]
        let inclusion: [Inclusion]
        let consistency: [Consistency]
        let rfc6962_reference: Reference
    }

    struct CheckpointFile: Decodable {
        struct Receipt: Decodable {
            let index: Int
            let leaf_hash: String
            let proof: String
        }
        struct GoNote: Decodable {
            let name: String
            let seed: String
            let vkey: String
            let text: String
            let note: String
        }
        let seed: String
        let public_key: String
        let origin: String
        let size: Int
        let root: String
        let key_id: String
        let vkey: String
        let body: String
        let note: String
        let receipt: Receipt
        let go_sumdb_note: GoNote
    }

    static func merkleFile() throws -> MerkleFile {
        try JSONDecoder().decode(MerkleFile.self, from: Vectors.data("ledger/merkle.json"))
    }

    static func checkpointFile() throws -> CheckpointFile {
        try JSONDecoder().decode(CheckpointFile.self, from: Vectors.data("ledger/checkpoint.json"))
    }

    /// The leaf hashes of the vector leaves (data = ASCII decimal of the index).
    static func vectorLeafHashes(_ count: Int) -> [[UInt8]] {
        (0..<count).map { Merkle.leafHash(Array(String($0).utf8)) }
    }

    /// Deterministic pseudo-random leaf hashes (MerkleSplitMix64), so failures reproduce.
    static func pseudoRandomLeafHashes(_ count: Int, seed: UInt64) -> [[UInt8]] {
        var generator = MerkleSplitMix64(seed: seed)
        return (0..<count).map { _ in
            Merkle.leafHash((0..<(Int(generator.next() % 40))).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
        }
    }
}

/// A small reproducible generator for property tests.
typealias MerkleSplitMix64 = SplitMix64

@Suite struct MerkleVectorTests {
    @Test func leafHashesMatchTheIndependentGenerator() throws {
        let file = try MerkleFixtures.merkleFile()
        #expect(file.leaves.count == 64)
        for leaf in file.leaves {
            #expect(leaf.data == String(leaf.index))
            #expect(MerkleFixtures.hex(Merkle.leafHash(Array(leaf.data.utf8))) == leaf.leaf_hash)
        }
    }

    @Test func rootsForEverySizeUpTo64MatchTheVectors() throws {
        let file = try MerkleFixtures.merkleFile()
        let leaves = MerkleFixtures.vectorLeafHashes(64)
        let tree = InMemoryMerkleNodes(leafHashes: leaves)
        #expect(file.roots.map(\.size) == Array(0...64))
        for vector in file.roots {
            #expect(MerkleFixtures.hex(try MerkleTree.root(size: vector.size, in: tree)) == vector.root, "size \(vector.size)")
            // The appender's running root agrees with the stored-node root.
            var appender = MerkleAppender()
            for leaf in leaves.prefix(vector.size) { appender.append(leaf) }
            #expect(MerkleFixtures.hex(appender.root) == vector.root, "appender size \(vector.size)")
        }
    }

    @Test func emptyTreeRootIsSHA256OfTheEmptyString() throws {
        #expect(MerkleFixtures.hex(Merkle.emptyRoot) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(try MerkleTree.root(size: 0, in: InMemoryMerkleNodes()) == Merkle.emptyRoot)
        #expect(InMemoryMerkleNodes().root == Merkle.emptyRoot)
    }

    @Test func rootsMatchTheRFC6962ReferenceTree() throws {
        let reference = try MerkleFixtures.merkleFile().rfc6962_reference
        let tree = InMemoryMerkleNodes(leafHashes: reference.leaves.map { Merkle.leafHash(MerkleFixtures.bytes($0)) })
        for (size, root) in reference.roots.enumerated() {
            #expect(MerkleFixtures.hex(try MerkleTree.root(size: size, in: tree)) == root, "size \(size)")
        }
    }

    @Test func everyInclusionProofUpToSize16MatchesAndVerifies() throws {
        let file = try MerkleFixtures.merkleFile()
        let leaves = MerkleFixtures.vectorLeafHashes(16)
        let tree = InMemoryMerkleNodes(leafHashes: leaves)
        #expect(file.inclusion.count == (1...16).reduce(0, +))
        for vector in file.inclusion {
            let expected = vector.path.map(MerkleFixtures.bytes)
            #expect(try MerkleTree.inclusionProof(index: vector.index, size: vector.size, in: tree) == expected,
                "index \(vector.index) size \(vector.size)")
            let root = try MerkleTree.root(size: vector.size, in: tree)
            #expect(Merkle.verifyInclusion(leafHash: leaves[vector.index], index: vector.index, size: vector.size, proof: expected, root: root))
        }
    }

    @Test func everyConsistencyProofUpToSize16MatchesAndVerifies() throws {
        let file = try MerkleFixtures.merkleFile()
        let tree = InMemoryMerkleNodes(leafHashes: MerkleFixtures.vectorLeafHashes(16))
        #expect(file.consistency.count == (1...16).reduce(0, +))
        for vector in file.consistency {
            let expected = vector.path.map(MerkleFixtures.bytes)
            #expect(try MerkleTree.consistencyProof(from: vector.from, to: vector.to, in: tree) == expected,
                "from \(vector.from) to \(vector.to)")
            let oldRoot = try MerkleTree.root(size: vector.from, in: tree)
            let newRoot = try MerkleTree.root(size: vector.to, in: tree)
            #expect(Merkle.verifyConsistency(oldSize: vector.from, newSize: vector.to, oldRoot: oldRoot, newRoot: newRoot, proof: expected))
        }
    }
}
