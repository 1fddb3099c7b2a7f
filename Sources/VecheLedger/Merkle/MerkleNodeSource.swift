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
}

extension MerkleNodeSource {
    /// Reads the nodes one by one.
    public func nodes(_ ids: [MerkleNodeID]) throws -> [[UInt8]] {
        try ids.map { try node(level: $0.level, index: $0.index) }
    }
}

/// A Merkle algorithm was called with arguments outside its domain, or storage returned
/// something that cannot be a node.
public struct MerkleError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure this is.
    public enum Code: String, Sendable {
        /// An index or size is out of range for the request.
        case invalidArgument
        /// Storage does not hold a node the request needs.
        case missingNode
        /// Storage returned a hash of the wrong length or the wrong number of hashes.
        case corruptNode
    }

    /// What kind of failure this is.
    public let code: Code
    /// The argument or node at fault, e.g. `index` or `node (3, 7)`.
    public let field: String
    /// Why, in words a person can act on.
    public let message: String

    /// An error of `code` about `field`.
    public init(_ code: Code, field: String, _ message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}
