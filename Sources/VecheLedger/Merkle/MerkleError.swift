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

    /// `<field>: <message>`.
    public var description: String { "\(field): \(message)" }
}
