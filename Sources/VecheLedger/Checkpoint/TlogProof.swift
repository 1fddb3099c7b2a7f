/// A C2SP tlog-proof: a leaf index, its inclusion path and the signed checkpoint the path
/// leads to — the `proof` text of a WIRE.md receipt, verifiable offline.
///
/// ```
/// c2sp.org/tlog-proof@v1
/// index <seq>
/// <b64 hash>            (zero or more, the leaf's sibling first)
///
/// <checkpoint note>
/// ```
/// C2SP allows an optional `extra <b64>` line after the first; Veche never writes one
/// and the parser refuses it, since nothing in a Veche receipt may be unauthenticated
/// and the entry travels beside the proof anyway.
public struct TlogProof: Sendable, Hashable {
    /// The first line.
    public static let header = "c2sp.org/tlog-proof@v1"
    /// Longest path accepted: a tree of fewer than 2^63 leaves has at most 63 levels.
    public static let maxPathCount = 63
    /// Largest proof text accepted, in bytes: the header lines, a full path, a full note.
    public static let maxByteCount = SignedNote.maxByteCount + 4 * 1024

    /// The entry's index (its `seq`).
    public let index: Int
    /// The inclusion path in RFC 9162 order, each hash 32 bytes.
    public let path: [[UInt8]]
    /// The checkpoint whose root the path leads to.
    public let checkpoint: SignedCheckpoint

    /// A proof from its parts; the path comes from `MerkleTree.inclusionProof`.
    public init(index: Int, path: [[UInt8]], checkpoint: SignedCheckpoint) throws(NoteError) {
        guard index >= 0 else { throw NoteError(.malformed, field: "proof.index", "must not be negative") }
        guard path.count <= Self.maxPathCount else {
            throw NoteError(.tooLarge, field: "proof.path", "more than \(Self.maxPathCount) hashes")
        }
        if let bad = path.firstIndex(where: { $0.count != Merkle.hashByteCount }) {
            throw NoteError(.malformed, field: "proof.path[\(bad)]", "a hash is 32 bytes")
        }
        self.index = index
        self.path = path
        self.checkpoint = checkpoint
    }

    /// Parses a proof strictly (unverified).
    public init(parsing bytes: [UInt8]) throws(NoteError) {
        guard bytes.count <= Self.maxByteCount else {
            throw NoteError(.tooLarge, field: "proof", "longer than \(Self.maxByteCount) bytes")
        }
        var position = bytes.startIndex
        /// The next line without its LF; a line must end with LF.
        func nextLine(_ field: String) throws(NoteError) -> Substring {
            guard let end = bytes[position...].firstIndex(of: 0x0A) else {
                throw NoteError(.malformed, field: field, "missing, or not ending with LF")
            }
            let line = bytes[position..<end]
            position = end + 1
            // Header lines are ASCII; the note part is checked by the note parser.
            guard line.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
                throw NoteError(.malformed, field: field, "contains a byte that is not printable ASCII")
            }
            return Substring(decoding: line, as: UTF8.self)
        }

        guard try nextLine("proof.header") == Self.header else {
            throw NoteError(.malformed, field: "proof.header", "expected \(Self.header)")
        }
        let indexLine = try nextLine("proof.index")
        if indexLine.hasPrefix("extra ") {
            throw NoteError(.malformed, field: "proof.extra", "extra data is not accepted in Veche proofs")
        }
        guard indexLine.hasPrefix("index ") else {
            throw NoteError(.malformed, field: "proof.index", "expected 'index <n>'")
        }
        let index: Int
        do {
            index = try Checkpoint.parseSize(indexLine.dropFirst("index ".count))
        } catch {
            throw NoteError(error.code, field: "proof.index", error.message)
        }
        var path: [[UInt8]] = []
        while true {
            let line = try nextLine("proof.path[\(path.count)]")
            if line.isEmpty { break }
            guard path.count < Self.maxPathCount else {
                throw NoteError(.tooLarge, field: "proof.path", "more than \(Self.maxPathCount) hashes")
            }
            guard let hash = NoteBase64.decode(line), hash.count == Merkle.hashByteCount else {
                throw NoteError(.malformed, field: "proof.path[\(path.count)]", "expected the canonical base64 of 32 bytes")
            }
            path.append(hash)
        }
        let checkpoint = try SignedCheckpoint(parsing: Array(bytes[position...]))
        try self.init(index: index, path: path, checkpoint: checkpoint)
    }

    /// Parses a proof strictly (unverified).
    public init(parsing text: String) throws(NoteError) {
        try self.init(parsing: Array(text.utf8))
    }

    /// The proof text, ending with the checkpoint note's final LF.
    public var text: String {
        var out = "\(Self.header)\nindex \(index)\n"
        for hash in path { out += NoteBase64.encode(hash) + "\n" }
        return out + "\n" + checkpoint.text
    }

    /// Checks, in order, that the checkpoint is signed by `verifier` for its origin, that
    /// `index` < size, and that the path leads from `leafHash` to the checkpoint's root.
    /// Returns the verified checkpoint.
    @discardableResult
    public func verify(leafHash: [UInt8], verifier: NoteVerifier) throws(NoteError) -> Checkpoint {
        // Nothing in the proof is looked at before the signature: a forged size or root
        // must not steer what we compute.
        try checkpoint.verify(verifier)
        let head = checkpoint.checkpoint
        guard index < head.size else {
            throw NoteError(.invalidProof, field: "proof.index", "\(index) is not below the checkpoint size \(head.size)")
        }
        guard Merkle.verifyInclusion(leafHash: leafHash, index: index, size: head.size, proof: path, root: head.rootHash) else {
            throw NoteError(.invalidProof, field: "proof.path", "does not lead from the leaf to the checkpoint root")
        }
        return head
    }
}
