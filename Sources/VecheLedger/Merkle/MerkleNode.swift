/// The position of one complete subtree: level 0 are the leaves, and node (level, index)
/// covers leaves [index·2^level, (index+1)·2^level).
public struct MerkleNodeID: Sendable, Hashable, CustomStringConvertible {
    /// Height above the leaves.
    public let level: Int
    /// Position among the nodes of this level, from the left.
    public let index: Int

    /// A node position; both values must be non-negative.
    public init(level: Int, index: Int) {
        precondition(level >= 0 && level < Int.bitWidth - 1 && index >= 0, "invalid Merkle node position")
        self.level = level
        self.index = index
    }

    /// `(level, index)`, as errors name nodes.
    public var description: String { "(\(level), \(index))" }
}

/// One complete subtree's hash, as written to storage when an append completes it.
public struct MerkleNode: Sendable, Hashable {
    /// Where the node sits.
    public let id: MerkleNodeID
    /// Its 32-byte hash.
    public let hash: [UInt8]

    /// A node at `id` with `hash`.
    public init(id: MerkleNodeID, hash: [UInt8]) {
        self.id = id
        self.hash = hash
    }
}
