/// Storage that answers the hash of any complete subtree of the log.
///
/// Only complete subtrees are stored: they never change once the last leaf under them is
/// appended, so a store writes each exactly once and any tree size's root or proof is
/// assembled from O(log n) of them (see `MerkleTree`).
public protocol MerkleNodeSource {
    /// The hash of the complete subtree at (`level`, `index`); throws if it is not stored.
    func node(level: Int, index: Int) throws -> [UInt8]

    /// The hashes of `ids`, in order. A database overrides this to fetch them in one query.
    func nodes(_ ids: [MerkleNodeID]) throws -> [[UInt8]]

    /// The hash of the incomplete subtree of leaves [start, start + count), if the source
    /// already knows it (nil: `MerkleTree` folds it from its complete parts).
    func spanHash(start: Int, count: Int) -> [UInt8]?
}

extension MerkleNodeSource {
    /// Reads the nodes one by one.
    public func nodes(_ ids: [MerkleNodeID]) throws -> [[UInt8]] {
        try ids.map { try node(level: $0.level, index: $0.index) }
    }

    /// Knows no incomplete subtrees.
    public func spanHash(start: Int, count: Int) -> [UInt8]? { nil }
}
