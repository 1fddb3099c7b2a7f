import Synchronization
import Testing
import VecheLedger

/// A source over a tree too large to build: any node of a complete subtree below `size`
/// exists (its hash derived from its position); it counts reads and records any read of a
/// node that is not complete, which a correct algorithm never makes.
final class SyntheticMerkleNodes: MerkleNodeSource, Sendable {
    let size: Int
    private let counters = Mutex((reads: 0, batches: 0, invalid: [MerkleNodeID]()))

    init(size: Int) { self.size = size }

    var reads: Int { counters.withLock { $0.reads } }
    var batches: Int { counters.withLock { $0.batches } }
    var invalidReads: [MerkleNodeID] { counters.withLock { $0.invalid } }

    func node(level: Int, index: Int) throws -> [UInt8] {
        try nodes([MerkleNodeID(level: level, index: index)])[0]
    }

    func nodes(_ ids: [MerkleNodeID]) throws -> [[UInt8]] {
        counters.withLock { state in
            state.reads += ids.count
            state.batches += 1
            for id in ids where id.level >= 62 || (id.index + 1) << id.level > size { state.invalid.append(id) }
        }
        return ids.map { id in
            var bytes = [UInt8](repeating: 0, count: 32)
            withUnsafeBytes(of: UInt64(id.level).bigEndian) { bytes.replaceSubrange(0..<8, with: $0) }
            withUnsafeBytes(of: UInt64(id.index).bigEndian) { bytes.replaceSubrange(8..<16, with: $0) }
            return bytes
        }
    }
}

/// A source whose nodes are wrong in a given way, to see storage faults reported.
struct FaultyMerkleNodes: MerkleNodeSource {
    enum Fault { case shortHash, wrongCount }
    let fault: Fault

    func node(level: Int, index: Int) throws -> [UInt8] { [UInt8](repeating: 7, count: 31) }

    func nodes(_ ids: [MerkleNodeID]) throws -> [[UInt8]] {
        switch fault {
        case .shortHash: return ids.map { _ in [UInt8](repeating: 7, count: 31) }
        case .wrongCount: return ids.dropLast().map { _ in [UInt8](repeating: 7, count: 32) }
        }
    }
}

@Suite struct MerkleStorageTests {
    /// ⌈log2 n⌉ + 1: the most nodes an O(log n) request may read, plus the edge.
    static func logBound(_ n: Int) -> Int { Int.bitWidth - (n - 1).leadingZeroBitCount + 1 }

    @Test(arguments: [1, 2, 3, 1000, (1 << 40) - 1, 1 << 40, (1 << 40) + 12345, (1 << 61) + (1 << 33) + 7])
    func proofsAndRootsReadOnlyLogarithmicallyManyCompleteNodes(size: Int) throws {
        var samples: [(Int, Int)] = [(0, size), (size - 1, size), (size / 2, size), (size / 3, size)]
        if size > 1 { samples.append((1, size - 1)) }
        for (index, treeSize) in samples where index < treeSize {
            let source = SyntheticMerkleNodes(size: treeSize)
            let proof = try MerkleTree.inclusionProof(index: index, size: treeSize, in: source)
            #expect(source.invalidReads.isEmpty)
            #expect(source.batches == 1)
            // A path has ≤ log n siblings; only one of them may need the ragged edge.
            #expect(source.reads <= 2 * Self.logBound(treeSize), "index \(index) size \(treeSize): \(source.reads) reads")
            #expect(proof.count < Self.logBound(treeSize))
        }
        for from in Set([1, size / 2, size - 1, size].filter { $0 >= 1 }) {
            let source = SyntheticMerkleNodes(size: size)
            _ = try MerkleTree.consistencyProof(from: from, to: size, in: source)
            #expect(source.invalidReads.isEmpty)
            #expect(source.reads <= 3 * Self.logBound(size), "from \(from) to \(size): \(source.reads) reads")
        }
        let source = SyntheticMerkleNodes(size: size)
        _ = try MerkleTree.root(size: size, in: source)
        #expect(source.reads == size.nonzeroBitCount)
        #expect(source.invalidReads.isEmpty)
    }

    @Test func appendEmitsEachCompleteSubtreeExactlyOnceInIndexOrder() throws {
        var appender = MerkleAppender()
        let nodes = appender.append(contentsOf: MerkleFixtures.pseudoRandomLeafHashes(37, seed: 9))
        // 37 leaves complete 18 + 9 + 4 + 2 + 1 parents above them.
        #expect(nodes.count == 37 + 18 + 9 + 4 + 2 + 1)
        #expect(Set(nodes.map(\.id)).count == nodes.count)
        for level in 0...5 {
            let indices = nodes.filter { $0.id.level == level }.map(\.id.index)
            #expect(indices == Array(0..<(37 >> level)), "level \(level)")
        }
        // Each parent is the node hash of its two children.
        let byID = Dictionary(uniqueKeysWithValues: nodes.map { ($0.id, $0.hash) })
        for node in nodes where node.id.level > 0 {
            let left = byID[MerkleNodeID(level: node.id.level - 1, index: node.id.index * 2)]!
            let right = byID[MerkleNodeID(level: node.id.level - 1, index: node.id.index * 2 + 1)]!
            #expect(node.hash == Merkle.nodeHash(left, right))
        }
    }

    @Test func appenderResumedFromStorageContinuesTheSameTree() throws {
        let leaves = MerkleFixtures.pseudoRandomLeafHashes(200, seed: 10)
        let whole = InMemoryMerkleNodes(leafHashes: leaves)
        for split in [0, 1, 2, 63, 64, 65, 127, 128, 199] {
            let first = InMemoryMerkleNodes(leafHashes: leaves[..<split])
            var resumed = try MerkleAppender(size: split, source: first)
            #expect(resumed.root == first.root)
            var reference = MerkleAppender()
            for leaf in leaves[..<split] { reference.append(leaf) }
            let resumedNodes = resumed.append(contentsOf: leaves[split...])
            let referenceNodes = reference.append(contentsOf: leaves[split...])
            #expect(resumedNodes == referenceNodes, "split \(split)")
            #expect(resumed.root == whole.root)
            #expect(resumed.size == 200)
        }
    }

    @Test func batchAppendEqualsOneByOne() throws {
        let leaves = MerkleFixtures.pseudoRandomLeafHashes(100, seed: 11)
        var batched = InMemoryMerkleNodes()
        batched.append(contentsOf: leaves[..<40])
        batched.append(contentsOf: leaves[40...])
        var single = InMemoryMerkleNodes()
        for leaf in leaves { single.append(leaf) }
        #expect(batched.size == 100 && single.size == 100)
        #expect(batched.root == single.root)
        for size in [1, 37, 64, 100] {
            #expect(try MerkleTree.root(size: size, in: batched) == MerkleTree.root(size: size, in: single))
        }
    }

    @Test func proofsForAnOlderSizeComeFromTheGrownStore() throws {
        // Nodes never change once complete, so the tree at 1000 answers for size 77.
        let leaves = MerkleFixtures.pseudoRandomLeafHashes(1000, seed: 12)
        let small = InMemoryMerkleNodes(leafHashes: leaves[..<77])
        let large = InMemoryMerkleNodes(leafHashes: leaves)
        #expect(try MerkleTree.root(size: 77, in: large) == small.root)
        for index in [0, 38, 76] {
            #expect(try MerkleTree.inclusionProof(index: index, size: 77, in: large) == MerkleTree.inclusionProof(index: index, size: 77, in: small))
        }
        #expect(try MerkleTree.consistencyProof(from: 13, to: 77, in: large) == MerkleTree.consistencyProof(from: 13, to: 77, in: small))
    }

    @Test func requestsOutsideTheDomainThrowNamingTheArgument() throws {
        let tree = InMemoryMerkleNodes(leafHashes: MerkleFixtures.pseudoRandomLeafHashes(5, seed: 13))
        func field(_ body: () throws -> Any) -> String? {
            do { _ = try body(); return nil } catch let error as MerkleError { return "\(error.code.rawValue) \(error.field)" } catch { return "other" }
        }
        #expect(field { try MerkleTree.root(size: -1, in: tree) } == "invalidArgument size")
        #expect(field { try MerkleTree.inclusionProof(index: 0, size: 0, in: tree) } == "invalidArgument size")
        #expect(field { try MerkleTree.inclusionProof(index: 5, size: 5, in: tree) } == "invalidArgument index")
        #expect(field { try MerkleTree.inclusionProof(index: -1, size: 5, in: tree) } == "invalidArgument index")
        #expect(field { try MerkleTree.consistencyProof(from: 0, to: 5, in: tree) } == "invalidArgument from")
        #expect(field { try MerkleTree.consistencyProof(from: 4, to: 3, in: tree) } == "invalidArgument to")
        #expect(try MerkleTree.consistencyProof(from: 5, to: 5, in: tree) == [])
        // Beyond the stored tree: the store says which node it lacks.
        #expect(field { try MerkleTree.root(size: 6, in: tree) } == "missingNode node (1, 2)")
        #expect(field { try MerkleTree.inclusionProof(index: 0, size: 8, in: tree) } == "missingNode node (2, 1)")
        #expect(field { try MerkleAppender(size: 6, source: tree) } == "missingNode node (1, 2)")
    }

    @Test func corruptStorageIsReportedNotTrusted() throws {
        func code(_ body: () throws -> Any) -> MerkleError.Code? {
            do { _ = try body(); return nil } catch let error as MerkleError { return error.code } catch { return nil }
        }
        #expect(code { try MerkleTree.root(size: 5, in: FaultyMerkleNodes(fault: .shortHash)) } == .corruptNode)
        #expect(code { try MerkleTree.root(size: 5, in: FaultyMerkleNodes(fault: .wrongCount)) } == .corruptNode)
        #expect(code { try MerkleTree.inclusionProof(index: 1, size: 5, in: FaultyMerkleNodes(fault: .shortHash)) } == .corruptNode)
        #expect(code { try MerkleTree.consistencyProof(from: 2, to: 5, in: FaultyMerkleNodes(fault: .wrongCount)) } == .corruptNode)
        #expect(code { try MerkleAppender(size: 5, source: FaultyMerkleNodes(fault: .shortHash)) } == .corruptNode)
        #expect(code { try MerkleAppender(size: 5, source: FaultyMerkleNodes(fault: .wrongCount)) } == .corruptNode)
    }

    @Test func inMemoryNodesAnswerOnlyCompleteSubtrees() throws {
        let leaves = MerkleFixtures.pseudoRandomLeafHashes(6, seed: 14)
        let tree = InMemoryMerkleNodes(leafHashes: leaves)
        #expect(try tree.node(level: 0, index: 5) == leaves[5])
        #expect(try tree.node(level: 1, index: 2) == Merkle.nodeHash(leaves[4], leaves[5]))
        #expect(try tree.node(level: 2, index: 0) == Merkle.nodeHash(Merkle.nodeHash(leaves[0], leaves[1]), Merkle.nodeHash(leaves[2], leaves[3])))
        #expect(throws: MerkleError.self) { try tree.node(level: 0, index: 6) }
        #expect(throws: MerkleError.self) { try tree.node(level: 2, index: 1) }
        #expect(throws: MerkleError.self) { try tree.node(level: 3, index: 0) }
        #expect(throws: MerkleError.self) { try tree.node(level: -1, index: 0) }
    }
}
