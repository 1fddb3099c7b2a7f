/// Why a protocol cannot be built from the entries given.
///
/// A protocol shows only what the ledger holds, so any disagreement between the entries and
/// the counting — a close result the ballots do not reproduce, a leaf hash that is not the
/// entry's, a checkpoint that does not cover the entries — stops the rendering instead of
/// producing a document someone might sign.
public struct ProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The classes of refusal.
    public enum Code: String, Sendable, Equatable {
        /// No `meeting.create` for the meeting id among the entries (HTTP 404).
        case meetingNotFound = "meeting-not-found"
        /// The entries are not a consistent ledger extract: order, leaf hashes, missing
        /// register, a ballot the counting refuses, a command that does not parse.
        case inconsistentEntries = "inconsistent-entries"
        /// The `meeting.close` result differs from the recomputation from the ballots.
        case resultMismatch = "result-mismatch"
        /// The checkpoint note does not parse, names another ledger, or does not cover the entries.
        case badCheckpoint = "bad-checkpoint"
    }

    /// The class.
    public let code: Code
    /// The seq of the entry at fault, when one is.
    public let seq: Int?
    /// What is wrong, for a person.
    public let message: String

    /// An error.
    public init(_ code: Code, seq: Int? = nil, _ message: String) {
        self.code = code
        self.seq = seq
        self.message = message
    }

    /// `seq N: message` or the message.
    public var description: String {
        if let seq { return "seq \(seq): \(message)" }
        return message
    }
}
