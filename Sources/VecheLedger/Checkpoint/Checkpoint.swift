public import VecheCrypto

/// A tree head in C2SP tlog-checkpoint form: origin, size, root (WIRE.md "Checkpoint").
///
/// Veche's checkpoints carry no extension lines, and since the origin is also the key
/// name of the operator's signature, it must be a valid note key name (no white space,
/// no `+`). The parser holds others' text to the same rules: anything else is not a
/// Veche checkpoint.
public struct Checkpoint: Sendable, Hashable {
    /// The ledger's origin (e.g. `vote.example.ru/16`).
    public let origin: String
    /// The number of leaves.
    public let size: Int
    /// The RFC 9162 root of the first `size` leaves.
    public let rootHash: [UInt8]

    /// A checkpoint, validating each part.
    public init(origin: String, size: Int, rootHash: [UInt8]) throws(NoteError) {
        try NoteVerifier.validateName(origin, field: "checkpoint.origin")
        guard size >= 0 else { throw NoteError(.malformed, field: "checkpoint.size", "must not be negative") }
        guard rootHash.count == Merkle.hashByteCount else {
            throw NoteError(.malformed, field: "checkpoint.root", "a root hash is 32 bytes, got \(rootHash.count)")
        }
        self.origin = origin
        self.size = size
        self.rootHash = rootHash
    }

    /// Parses the note text `<origin>\n<size>\n<b64 root>\n`.
    public init(body: String) throws(NoteError) {
        guard body.hasSuffix("\n") else { throw NoteError(.malformed, field: "checkpoint", "must end with LF") }
        let lines = body.utf8.dropLast().split(separator: 0x0A, omittingEmptySubsequences: false).map { Substring($0) }
        guard lines.count >= 3 else {
            throw NoteError(.malformed, field: "checkpoint", "expected 3 lines (origin, size, root), got \(lines.count)")
        }
        // C2SP allows opaque extension lines; WIRE.md says Veche's have none, and a line
        // we would sign over without understanding is one an auditor cannot check.
        guard lines.count == 3 else {
            throw NoteError(.malformed, field: "checkpoint", "extension lines are not accepted (\(lines.count - 3) found)")
        }
        let size = try Self.parseSize(lines[1])
        guard let root = NoteBase64.decode(lines[2]), root.count == Merkle.hashByteCount else {
            throw NoteError(.malformed, field: "checkpoint.root", "expected the canonical base64 of 32 bytes")
        }
        try self.init(origin: String(lines[0]), size: size, rootHash: root)
    }

    /// The note text: `<origin>\n<size>\n<b64 root>\n`.
    public var body: String {
        "\(origin)\n\(size)\n\(NoteBase64.encode(rootHash))\n"
    }

    /// Signs this checkpoint with `key` under the key name `origin`.
    public func signed(with key: Ed25519.PrivateKey) throws(NoteError) -> SignedCheckpoint {
        SignedCheckpoint(checkpoint: self, note: try SignedNote.sign(text: body, name: origin, key: key))
    }

    /// ASCII decimal, no sign, no leading zeros unless the value is 0, fits `Int`.
    static func parseSize(_ text: Substring) throws(NoteError) -> Int {
        let digits = text.utf8
        guard !digits.isEmpty, digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            throw NoteError(.malformed, field: "checkpoint.size", "expected a decimal number")
        }
        guard digits.first != UInt8(ascii: "0") || digits.count == 1 else {
            throw NoteError(.malformed, field: "checkpoint.size", "leading zeros are not allowed")
        }
        guard let value = Int(text) else { throw NoteError(.tooLarge, field: "checkpoint.size", "too large") }
        return value
    }
}

/// A checkpoint with its signed note (WIRE.md "Checkpoint").
public struct SignedCheckpoint: Sendable, Hashable {
    /// The parsed tree head.
    public let checkpoint: Checkpoint
    /// The note whose text is `checkpoint.body`.
    public let note: SignedNote

    init(checkpoint: Checkpoint, note: SignedNote) {
        self.checkpoint = checkpoint
        self.note = note
    }

    /// Parses a checkpoint note (unverified).
    public init(parsing bytes: [UInt8]) throws(NoteError) {
        let note = try SignedNote(parsing: bytes)
        self.init(checkpoint: try Checkpoint(body: note.text), note: note)
    }

    /// Parses a checkpoint note (unverified).
    public init(parsing text: String) throws(NoteError) {
        try self.init(parsing: Array(text.utf8))
    }

    /// The note text, ending with LF after the last signature line.
    public var text: String { note.serialized }

    /// Checks that `verifier` is the key of this checkpoint's origin and that its signature
    /// verifies; other signature lines (witness cosignatures) are ignored.
    public func verify(_ verifier: NoteVerifier) throws(NoteError) {
        guard verifier.name == checkpoint.origin else {
            throw NoteError(.wrongOrigin, field: "checkpoint.origin", "is \(checkpoint.origin), but the trusted key is for \(verifier.name)")
        }
        try note.verify(using: [verifier])
    }
}
