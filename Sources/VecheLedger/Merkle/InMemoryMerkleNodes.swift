/// Every complete subtree of a tree, kept in memory: for tests and the in-memory ledger.
///
/// Level l holds its nodes back to back, 32 bytes each, so a million-leaf tree is two
/// million hashes in a few dozen arrays rather than two million small allocations.
public struct InMemoryMerkleNodes: MerkleNodeSource, Sendable {
    private var levels: [[UInt8]] = []
    private var appender = MerkleAppender()

    /// An empty tree.
    public init() {}

    /// A tree of `leafHashes`, in order.
    public init(leafHashes: some Sequence<[UInt8]>) {
        append(contentsOf: leafHashes)
    }

    /// The number of leaves.
    public var size: Int { appender.size }

    /// The root of the whole tree.
    public var root: [UInt8] { appender.root }

    /// Appends one leaf hash.
    public mutating func append(_ leafHash: [UInt8]) {
        var nodes: [MerkleNode] = []
        appender.append(leafHash, emittingInto: &nodes)
        store(nodes)
    }

    /// Appends leaf hashes in order and returns the nodes created, as a durable store would
    /// persist them.
    @discardableResult
    public mutating func append(contentsOf leafHashes: some Sequence<[UInt8]>) -> [MerkleNode] {
        let nodes = appender.append(contentsOf: leafHashes)
        store(nodes)
        return nodes
    }

    private mutating func store(_ nodes: [MerkleNode]) {
        for node in nodes {
            if levels.count <= node.id.level { levels.append([]) }
            // The appender emits each level's nodes in index order, so appending keeps
            // node i of level l at bytes [32i, 32i+32).
            precondition(levels[node.id.level].count == node.id.index * Merkle.hashByteCount)
            levels[node.id.level].append(contentsOf: node.hash)
        }
    }

    /// The stored hash at (`level`, `index`); throws `missingNode` for a subtree not yet complete.
    public func node(level: Int, index: Int) throws -> [UInt8] {
        guard level >= 0, index >= 0, level < levels.count,
            index < levels[level].count / Merkle.hashByteCount
        else {
            throw MerkleError(.missingNode, field: "node (\(level), \(index))", "not a complete subtree of the \(size)-leaf tree")
        }
        let offset = index * Merkle.hashByteCount
        return Array(levels[level][offset..<(offset + Merkle.hashByteCount)])
    }
}
