public import VecheCore
public import VecheCrypto

/// Sequences commands into a stream of canonical entries without keeping them: the state,
/// the right edge of the Merkle tree and the last leaf are all it holds. For generating
/// large records (benchmarks, demos) in bounded memory.
public struct LedgerWriter {
    public let origin: String
    private let operatorKey: Ed25519.PrivateKey
    public private(set) var state = InMemoryLedgerState(mode: .auditor)
    private var tree = MerkleAppender()
    private var lastLeaf = LedgerEntry.zeroHash
    private var lastTime: Timestamp?
    private let sink: ([UInt8]) throws -> Void

    /// A writer whose entries (each JCS(entry) + LF) go to `sink`.
    public init(origin: String, operatorKey: Ed25519.PrivateKey, sink: @escaping ([UInt8]) throws -> Void) {
        self.origin = origin
        self.operatorKey = operatorKey
        self.sink = sink
    }

    /// Entries written.
    public var size: Int { tree.size }

    /// Sequences and writes one envelope; throws the refusal if the rules refuse it.
    public mutating func append(_ envelope: SignedEnvelope, at now: Timestamp) throws {
        let sequenced = try Sequencing.sequence(
            envelope, seq: tree.size, now: now, lastTime: lastTime, prev: lastLeaf, expectedOrigin: origin, view: state)
        guard case .append(let effects) = sequenced.decision else {
            throw LedgerError(.conflict, "id-reused", field: "/command/id", "command id repeated in generated ledger")
        }
        state.apply(
            effects, commandID: sequenced.commandID, fingerprint: [],
            context: EntryContext(seq: sequenced.entry.seq, time: sequenced.entry.time, leaf: sequenced.leaf))
        try sink(sequenced.canonicalBytes + [0x0A])
        tree.append(sequenced.leaf)
        lastLeaf = sequenced.leaf
        lastTime = sequenced.entry.time
    }

    /// Appends the automatic close of every meeting due at `now`.
    public mutating func closeDueMeetings(at now: Timestamp) throws {
        for meeting in state.meetingsDue(at: now) {
            guard let tally = state.tally(ofMeeting: meeting) else { continue }
            try append(try AutoClose.envelope(meeting: meeting, tally: tally, origin: origin, operatorKey: .ed25519(operatorKey)), at: now)
        }
    }

    /// Writes the final checkpoint line.
    public func finish() throws {
        let note = try Checkpoint(origin: origin, size: tree.size, rootHash: tree.root).signed(with: operatorKey).text
        try sink(ElectionRecord.checkpointLine(note: note))
    }
}
