public import VecheCore
import VecheCrypto

/// A command turned into the entry it becomes, and what the rules decided for it.
public struct SequencedCommand: Sendable {
    public let entry: LedgerEntry
    public let canonicalBytes: [UInt8]
    public let leaf: [UInt8]
    public let commandID: String
    public let fingerprint: [UInt8]
    public let decision: Decision
}

/// The step every ledger implementation shares: place a verified envelope at the end of the
/// ledger (seq, ledger time that never decreases, prev) and decide it with `LedgerMachine`.
public enum Sequencing {
    /// Sequences one envelope whose signature has been verified.
    ///
    /// - Parameters:
    ///   - now: the server clock; the entry's time is max(now, lastTime).
    ///   - lastTime: the previous entry's time (nil for seq 0).
    ///   - prev: the previous entry's leaf hash (zeros for seq 0).
    public static func sequence(
        _ envelope: SignedEnvelope, seq: Int, now: Timestamp, lastTime: Timestamp?, prev: [UInt8],
        expectedOrigin: String?, view: some LedgerStateView
    ) throws -> SequencedCommand {
        let time = max(now, lastTime ?? now)
        let canonicalCommand = envelope.canonicalCommand
        let entry = LedgerEntry(
            seq: seq, time: time, prev: prev, command: envelope.command, signer: envelope.signerString,
            signature: envelope.signatureString)
        let canonicalBytes = LedgerEntry.canonicalBytes(
            seq: seq, time: time, prev: prev, canonicalCommand: canonicalCommand, signer: envelope.signerString,
            signature: envelope.signatureString)
        assert(canonicalBytes == CanonicalJSON.serialize(entry.json), "the assembled entry is not JCS(entry)")
        let leaf = LedgerEntry.leafHash(canonicalBytes: canonicalBytes)
        let context = EntryContext(seq: seq, time: time, leaf: leaf)
        let decision = try LedgerMachine.decide(
            command: envelope.command, canonicalCommand: canonicalCommand, signer: envelope.signerString,
            context: context, expectedOrigin: expectedOrigin, view: view)
        let commandID = envelope.command["id"]?.stringValue ?? ""
        return SequencedCommand(
            entry: entry, canonicalBytes: canonicalBytes, leaf: leaf, commandID: commandID,
            fingerprint: LedgerMachine.fingerprint(signer: envelope.signerString, canonicalCommand: canonicalCommand),
            decision: decision)
    }
}
