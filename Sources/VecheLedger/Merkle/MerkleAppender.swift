/// Appends leaves to a tree and yields the complete subtrees each append creates, so a
/// store can persist exactly those nodes in the same transaction as the entries.
///
/// It holds only the tree's right edge (one complete subtree per set bit of the size,
/// ≤ 64 hashes), so a batch of thousands of leaves costs about two hashes per leaf and
/// no reads beyond the edge loaded once at the start.
public struct MerkleAppender: Sendable {
    /// The complete subtrees along the right edge, leftmost (highest) first.
    private var edge: [(level: Int, hash: [UInt8])] = []

    /// The number of leaves appended so far, including those before this appender.
    public private(set) var size: Int = 0

    /// An appender for an empty tree.
    public init() {}

    /// An appender continuing a tree of `size` leaves, reading its right edge from `source`.
    public init(size: Int, source: some MerkleNodeSource) throws {
        guard size >= 0 else { throw MerkleError(.invalidArgument, field: "size", "must not be negative, got \(size)") }
        var ids: [MerkleNodeID] = []
        var position = 0
        for level in stride(from: Int.bitWidth - 2, through: 0, by: -1) where size & (1 << level) != 0 {
            ids.append(MerkleNodeID(level: level, index: position >> level))
            position += 1 << level
        }
        let hashes = try source.nodes(ids)
        guard hashes.count == ids.count else {
            throw MerkleError(.corruptNode, field: "nodes", "storage returned \(hashes.count) hashes for \(ids.count) nodes")
        }
        for (id, hash) in zip(ids, hashes) {
            guard hash.count == Merkle.hashByteCount else {
                throw MerkleError(.corruptNode, field: "node \(id)", "stored hash is \(hash.count) bytes, not 32")
            }
            edge.append((id.level, hash))
        }
        self.size = size
    }

    /// The complete subtrees along the right edge, leftmost first, with their positions.
    ///
    /// With the nodes appended after them, these are every node an inclusion proof of a
    /// later leaf into the grown tree needs (an old sibling on such a path is always an edge
    /// subtree), so a store can build receipts for a whole batch without reading storage.
    public var edgeNodes: [MerkleNode] {
        var position = 0
        return edge.map { part in
            defer { position += 1 << part.level }
            return MerkleNode(id: MerkleNodeID(level: part.level, index: position >> part.level), hash: part.hash)
        }
    }

    /// The root of the tree as appended so far.
    public var root: [UInt8] {
        guard var hash = edge.last?.hash else { return Merkle.emptyRoot }
        for part in edge.dropLast().reversed() { hash = Merkle.nodeHash(part.hash, hash) }
        return hash
    }

    /// Appends one leaf hash, discarding the created nodes (e.g. to recompute a root).
    public mutating func append(_ leafHash: [UInt8]) {
        appendLeaf(leafHash) { _ in }
    }

    /// Appends one leaf hash and adds the nodes it completes to `nodes`: the leaf itself,
    /// then each parent it completes, bottom-up.
    public mutating func append(_ leafHash: [UInt8], emittingInto nodes: inout [MerkleNode]) {
        appendLeaf(leafHash) { nodes.append($0) }
    }

    /// Appends leaf hashes in order and returns every node they complete.
    public mutating func append(contentsOf leafHashes: some Sequence<[UInt8]>) -> [MerkleNode] {
        var nodes: [MerkleNode] = []
        nodes.reserveCapacity(leafHashes.underestimatedCount * 2)
        for leafHash in leafHashes { append(leafHash, emittingInto: &nodes) }
        return nodes
    }

    private mutating func appendLeaf(_ leafHash: [UInt8], emit: (MerkleNode) -> Void) {
        precondition(leafHash.count == Merkle.hashByteCount, "a leaf hash is 32 bytes")
        precondition(size < Int.max >> 1, "Merkle tree is full")
        let leafIndex = size
        var level = 0
        var hash = leafHash
        emit(MerkleNode(id: MerkleNodeID(level: 0, index: leafIndex), hash: hash))
        // A new leaf merges with every edge subtree of equal height, exactly like a
        // binary counter's carries; each merge is a newly complete parent.
        while let last = edge.last, last.level == level {
            edge.removeLast()
            hash = Merkle.nodeHash(last.hash, hash)
            level += 1
            emit(MerkleNode(id: MerkleNodeID(level: level, index: leafIndex >> level), hash: hash))
        }
        edge.append((level, hash))
        size += 1
    }
}
