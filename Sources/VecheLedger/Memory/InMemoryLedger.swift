public import VecheCore
public import VecheCrypto

/// A whole ledger in memory: entries, Merkle tree, state and checkpoints.
///
/// Used by tests and by tools that build records; the durable store implements the same
/// steps over SQLite. Not thread-safe: one owner at a time.
public struct InMemoryLedger: Sendable {
    public let origin: String
    private let operatorKey: Ed25519.PrivateKey
    public private(set) var state = InMemoryLedgerState()
    public private(set) var entries: [LedgerEntry] = []
    /// JCS of each entry.
    public private(set) var canonicalEntries: [[UInt8]] = []
    public private(set) var tree = InMemoryMerkleNodes()

    /// A ledger for `origin` whose checkpoints `operatorKey` signs. Append the genesis first.
    public init(origin: String, operatorKey: Ed25519.PrivateKey) {
        self.origin = origin
        self.operatorKey = operatorKey
    }

    /// The operator's public key string.
    public var operatorKeyString: String { PublicKey.ed25519(operatorKey.publicKey).string }

    /// The note verifier for this ledger's checkpoints.
    public var verifier: NoteVerifier {
        get throws { try NoteVerifier(name: origin, publicKey: operatorKey.publicKey) }
    }

    /// The number of entries.
    public var size: Int { entries.count }

    /// What `submit` did.
    public enum Outcome: Sendable {
        case appended(seq: Int)
        case repeated(seq: Int)
    }

    /// Verifies the envelope's signature, sequences it at `now` and appends it if accepted.
    @discardableResult
    public mutating func submit(_ envelope: SignedEnvelope, at now: Timestamp) throws -> Outcome {
        guard envelope.isSignatureValid else {
            throw LedgerError(.forbidden, "bad-signature", field: "/signature", "the signature does not verify for the signer")
        }
        let sequenced = try Sequencing.sequence(
            envelope, seq: entries.count, now: now, lastTime: entries.last?.time,
            prev: entries.isEmpty ? LedgerEntry.zeroHash : tree.node(level: 0, index: entries.count - 1),
            expectedOrigin: origin, view: state)
        switch sequenced.decision {
        case .repeatOf(let seq):
            return .repeated(seq: seq)
        case .append(let effects):
            state.apply(
                effects, commandID: sequenced.commandID, fingerprint: sequenced.fingerprint,
                context: EntryContext(seq: sequenced.entry.seq, time: sequenced.entry.time, leaf: sequenced.leaf))
            entries.append(sequenced.entry)
            canonicalEntries.append(sequenced.canonicalBytes)
            tree.append(sequenced.leaf)
            return .appended(seq: sequenced.entry.seq)
        }
    }

    /// Appends the `meeting.close` of every meeting whose voting ended by `now`.
    @discardableResult
    public mutating func closeDueMeetings(at now: Timestamp) throws -> [String] {
        let due = state.meetingsDue(at: now)
        let key = SigningKey.ed25519(operatorKey)
        for meeting in due {
            guard let tally = state.tally(ofMeeting: meeting) else { continue }
            let envelope = try AutoClose.envelope(meeting: meeting, tally: tally, origin: origin, operatorKey: key)
            try submit(envelope, at: now)
        }
        return due
    }

    /// The signed checkpoint of the current tree.
    public func checkpoint() throws -> SignedCheckpoint {
        try Checkpoint(origin: origin, size: size, rootHash: tree.root).signed(with: operatorKey)
    }

    /// The receipt of entry `seq` against the current checkpoint.
    public func receipt(seq: Int) throws -> Receipt {
        let checkpoint = try checkpoint()
        let path = try MerkleTree.inclusionProof(index: seq, size: size, in: tree)
        let leaf = try tree.node(level: 0, index: seq)
        return Receipt(seq: seq, leaf: leaf, entry: entries[seq], proof: try TlogProof(index: seq, path: path, checkpoint: checkpoint))
    }

    /// The election record: every entry, then the current checkpoint.
    public func record() throws -> [UInt8] {
        var bytes: [UInt8] = []
        ElectionRecord.write(entries: canonicalEntries, checkpointNote: try checkpoint().text) { bytes += $0 }
        return bytes
    }
}
