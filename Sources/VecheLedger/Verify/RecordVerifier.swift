import Dispatch
import VecheCore
import VecheCrypto

/// One thing wrong with a record, tied to an entry where possible.
public struct VerificationFailure: Sendable, CustomStringConvertible, Equatable {
    /// Where the failure is.
    public enum Location: Sendable, Equatable {
        /// The entry with this seq (its own seq where the line parses, else line number − 1).
        case seq(Int)
        /// The checkpoint line.
        case checkpoint
        /// The record as a whole.
        case record
    }

    public let location: Location
    public let message: String

    public init(_ location: Location, _ message: String) {
        self.location = location
        self.message = message
    }

    /// `seq N: …`, `checkpoint: …` or `record: …` (WIRE.md "Election record").
    public var description: String {
        switch location {
        case .seq(let seq): "seq \(seq): \(message)"
        case .checkpoint: "checkpoint: \(message)"
        case .record: "record: \(message)"
        }
    }
}

/// What `veche verify` found.
public struct VerificationReport: Sendable {
    public var origin: String?
    public var entries = 0
    public var meetings = 0
    public var ballots = 0
    public var closes = 0
    public var failures: [VerificationFailure] = []
    public var checkpointSize: Int?

    /// Whether everything holds.
    public var isValid: Bool { failures.isEmpty }
}

/// The trusted operator key given to `veche verify --key`: a note vkey, or `ed25519:…`
/// (whose note name is the record's origin).
public enum TrustedKey: Sendable, Equatable {
    case vkey(NoteVerifier)
    case ed25519([UInt8])

    /// Parses the `--key` argument.
    public init(_ text: String) throws {
        if text.hasPrefix("ed25519:") {
            guard case .ed25519(let bytes) = try PublicKey(string: text) else {
                throw LedgerError(.malformed, "bad-key", "not an Ed25519 key string")
            }
            self = .ed25519(bytes)
        } else if text.hasPrefix("es256:") {
            throw LedgerError(.malformed, "bad-key", "checkpoints are signed with Ed25519; an es256 key cannot be the operator key")
        } else {
            self = .vkey(try NoteVerifier(vkey: text))
        }
    }

    /// The raw Ed25519 public key.
    public var publicKey: [UInt8] {
        switch self {
        case .vkey(let verifier): verifier.publicKey
        case .ed25519(let bytes): bytes
        }
    }
}

/// Re-verifies an election record from scratch, trusting nobody (WIRE.md "Election record").
///
/// Lines are read in batches; each batch's lines are parsed, checked for canonical form,
/// hashed and signature-checked on all cores while the previous batch is replayed through
/// the same `LedgerMachine` the server uses. Memory stays bounded by the batch size and
/// the ledger state (not the record's length).
public struct RecordVerifier: Sendable {
    public var trustedKey: TrustedKey?
    /// Parallel workers for signature checks.
    public var concurrency: Int
    /// Lines per batch.
    public var batchSize: Int

    public init(trustedKey: TrustedKey? = nil, concurrency: Int = RecordVerifier.defaultConcurrency, batchSize: Int = 1024) {
        self.trustedKey = trustedKey
        self.concurrency = max(1, concurrency)
        self.batchSize = max(1, batchSize)
    }

    /// The number of active processors.
    public static var defaultConcurrency: Int { max(1, activeProcessorCount()) }

    /// Verifies a record read line by line from `next` (nil at the end).
    /// `progress` is called after each batch with the number of lines done.
    public func verify(
        nextLine: () throws -> (bytes: [UInt8], terminated: Bool)?,
        progress: ((Int) -> Void)? = nil
    ) rethrows -> VerificationReport {
        let replay = ReplayBox(Replay(trustedKey: trustedKey))
        var pending: CheckedBatch?
        var done = false
        var lineNumber = 0
        while true {
            var lines: [(bytes: [UInt8], terminated: Bool, lineNumber: Int)] = []
            if !done {
                lines.reserveCapacity(batchSize)
                while lines.count < batchSize, let line = try nextLine() {
                    lineNumber += 1
                    lines.append((line.bytes, line.terminated, lineNumber))
                }
                done = lines.count < batchSize
            }
            if lines.isEmpty && pending == nil { break }
            let batch = CheckedBatch(lines)
            let count = lines.count
            let previous = pending
            // Iteration 0 replays the previous batch in order; the others check the new one.
            let chunk = 16
            let chunks = (count + chunk - 1) / chunk
            DispatchQueue.concurrentPerform(iterations: chunks + 1) { iteration in
                if iteration == 0 {
                    if let previous { replay.value.consume(previous) }
                } else {
                    let start = (iteration - 1) * chunk
                    for index in start..<min(start + chunk, count) { batch.check(index) }
                }
            }
            if let previous { progress?(previous.lines.count) }
            pending = lines.isEmpty ? nil : batch
        }
        return replay.value.finish()
    }
}

/// Holds the replay state for `concurrentPerform`: only iteration 0 ever touches it, and
/// only while no other code does, so it needs no lock.
private final class ReplayBox: @unchecked Sendable {
    var value: Replay
    init(_ value: Replay) { self.value = value }
}

/// A batch of lines and their checked forms. Each index is written by exactly one
/// `concurrentPerform` iteration and read only after it returns, so the unsynchronised
/// storage is race-free.
private final class CheckedBatch: @unchecked Sendable {
    let lines: [(bytes: [UInt8], terminated: Bool, lineNumber: Int)]
    private let storage: UnsafeMutableBufferPointer<CheckedLine?>

    init(_ lines: [(bytes: [UInt8], terminated: Bool, lineNumber: Int)]) {
        self.lines = lines
        storage = .allocate(capacity: lines.count)
        storage.initialize(repeating: nil)
    }

    deinit {
        storage.deinitialize()
        storage.deallocate()
    }

    /// The checked lines, in order (only after every `check` has returned).
    var results: UnsafeMutableBufferPointer<CheckedLine?> { storage }

    func check(_ index: Int) {
        let line = lines[index]
        storage[index] = CheckedLine(line.bytes, terminated: line.terminated, lineNumber: line.lineNumber)
    }
}

/// Everything about one line that can be judged without the ledger state.
private struct CheckedLine: Sendable {
    let lineNumber: Int
    let terminated: Bool
    let leaf: [UInt8]
    var checkpointNote: String?
    var entry: LedgerEntry?
    var canonicalCommand: [UInt8] = []
    var problems: [String] = []
    var signatureValid = false

    init(_ bytes: [UInt8], terminated: Bool, lineNumber: Int) {
        self.lineNumber = lineNumber
        self.terminated = terminated
        self.leaf = LedgerEntry.leafHash(canonicalBytes: bytes)
        let value: JSONValue
        do {
            value = try CanonicalJSON.parse(bytes, limits: JSONLimits(maxDocumentBytes: ElectionRecord.maxLineBytes))
        } catch {
            problems.append("not valid JSON of the canonical subset: \(error)")
            return
        }
        if case .object(let members) = value, members.count == 1, case .string(let note)? = members["checkpoint"] {
            checkpointNote = note
            if CanonicalJSON.serialize(value) != bytes { problems.append("the checkpoint line is not canonical JSON (RFC 8785)") }
            return
        }
        let canonical = CanonicalJSON.serialize(value) == bytes
        if !canonical {
            problems.append("the line is not the canonical JSON (RFC 8785) of its entry")
        }
        do {
            let entry = try LedgerEntry(json: value)
            self.entry = entry
            canonicalCommand = (canonical ? Self.commandBytes(inCanonicalEntry: bytes) : nil) ?? CanonicalJSON.serialize(entry.command)
            do {
                try SignedEnvelope.verify(canonicalCommand: canonicalCommand, signer: entry.signer, signature: entry.signature)
                signatureValid = true
            } catch {
                problems.append("signature: \(error.message)")
            }
        } catch {
            problems.append("not a ledger entry: \(error.description)")
        }
    }
}

extension CheckedLine {
    /// JCS(command) as it stands inside a canonical entry line, without serialising again.
    ///
    /// A canonical entry is `{"command":<JCS(command)>,"prev":"<hex>","seq":…}` (keys
    /// sorted); nothing after the command can contain `,"prev":"`, so its last occurrence ends
    /// the command.
    static func commandBytes(inCanonicalEntry line: [UInt8]) -> [UInt8]? {
        let head = Array(#"{"command":"#.utf8)
        let tail = Array(#","prev":""#.utf8)
        guard line.starts(with: head), line.count > head.count + tail.count else { return nil }
        var index = line.count - tail.count
        while index > head.count {
            if line[index] == tail[0], line[index..<(index + tail.count)].elementsEqual(tail) {
                return Array(line[head.count..<index])
            }
            index -= 1
        }
        return nil
    }
}

/// The in-order part of verification: chain, tree, rules, results.
private struct Replay {
    let trustedKey: TrustedKey?
    var report = VerificationReport()
    var state = InMemoryLedgerState(mode: .auditor)
    var tree = MerkleAppender()
    var previousLeaf = LedgerEntry.zeroHash
    var previousTime: Timestamp?
    var expectedSeq = 0
    var index = 0
    var checkpoint: (note: String, lineNumber: Int)?
    var sawUnterminated = false

    init(trustedKey: TrustedKey?) { self.trustedKey = trustedKey }

    mutating func fail(_ location: VerificationFailure.Location, _ message: String) {
        report.failures.append(VerificationFailure(location, message))
    }

    mutating func consume(_ batch: CheckedBatch) {
        for case let line? in batch.results { consume(line) }
    }

    mutating func consume(_ line: CheckedLine) {
        if !line.terminated {
            fail(.record, "line \(line.lineNumber) does not end with LF")
        }
        if let note = line.checkpointNote {
            if let earlier = checkpoint {
                fail(.record, "a second checkpoint line at line \(line.lineNumber) (the first is at line \(earlier.lineNumber))")
            }
            for problem in line.problems { fail(.checkpoint, problem) }
            checkpoint = (note, line.lineNumber)
            return
        }
        if let earlier = checkpoint {
            fail(.record, "line \(line.lineNumber) follows the checkpoint line \(earlier.lineNumber); the checkpoint must be last")
        }
        let seq = line.entry?.seq ?? (line.lineNumber - 1)
        for problem in line.problems { fail(.seq(seq), problem) }
        defer {
            tree.append(line.leaf)
            previousLeaf = line.leaf
            index += 1
            report.entries += 1
        }
        guard let entry = line.entry else { return }
        if entry.seq != expectedSeq {
            fail(.seq(seq), "out of sequence: expected seq \(expectedSeq) (an entry is missing, repeated or moved)")
        }
        expectedSeq = entry.seq + 1
        if entry.prev != previousLeaf {
            fail(.seq(seq), "prev does not match the leaf hash of the line before (the hash chain is broken)")
        }
        if let previousTime, entry.time < previousTime {
            fail(.seq(seq), "time \(entry.time.ledgerString) is earlier than the previous entry's \(previousTime.ledgerString)")
        }
        previousTime = entry.time
        guard line.signatureValid else { return }
        let context = EntryContext(seq: index, time: entry.time, leaf: line.leaf)
        do {
            let decision = try LedgerMachine.decide(
                command: entry.command, canonicalCommand: line.canonicalCommand, signer: entry.signer,
                context: context, expectedOrigin: nil, view: state)
            switch decision {
            case .repeatOf(let original):
                fail(.seq(seq), "repeats the command id of entry \(original); a repeat is never appended")
            case .append(let effects):
                state.apply(effects, commandID: entry.command["id"]?.stringValue ?? "", fingerprint: [], context: context)
                count(effects)
            }
        } catch let error as LedgerError {
            fail(.seq(seq), "the rules refuse this entry (\(error.status) \(error.reason)): \(error.description)")
        } catch {
            fail(.seq(seq), "the rules refuse this entry: \(error)")
        }
    }

    mutating func count(_ effects: [StateEffect]) {
        for effect in effects {
            switch effect {
            case .genesis(let genesis): report.origin = genesis.origin
            case .createMeeting: report.meetings += 1
            case .admitBallot: report.ballots += 1
            case .closeMeeting: report.closes += 1
            default: break
            }
        }
    }

    mutating func finish() -> VerificationReport {
        guard let genesis = state.genesis() else {
            fail(.record, "no valid ledger.genesis entry; nothing can be trusted")
            checkCheckpointSyntaxOnly()
            return report
        }
        if let trustedKey, trustedKey.publicKey != keyBytes(genesis.operatorKey) {
            fail(.record, "the genesis operator key \(genesis.operatorKey) is not the trusted key")
        }
        guard let (note, _) = checkpoint else {
            fail(.record, "no checkpoint line at the end")
            return report
        }
        let signed: SignedCheckpoint
        do {
            signed = try SignedCheckpoint(parsing: note)
        } catch {
            fail(.checkpoint, "not a valid checkpoint note: \(error)")
            return report
        }
        report.checkpointSize = signed.checkpoint.size
        if signed.checkpoint.origin != genesis.origin {
            fail(.checkpoint, "origin \"\(signed.checkpoint.origin)\" is not the ledger's origin \"\(genesis.origin)\"")
        }
        if signed.checkpoint.size != index {
            fail(.checkpoint, "size \(signed.checkpoint.size) but the record holds \(index) entries")
        } else if signed.checkpoint.rootHash != tree.root {
            fail(.checkpoint, "root hash does not match the Merkle tree of the record's entries")
        }
        do {
            let operatorKey = keyBytes(genesis.operatorKey)
            try signed.verify(try NoteVerifier(name: genesis.origin, publicKey: operatorKey))
        } catch {
            fail(.checkpoint, "not signed by the genesis operator key: \(error)")
        }
        if let trustedKey {
            do {
                let verifier: NoteVerifier =
                    switch trustedKey {
                    case .vkey(let verifier): verifier
                    case .ed25519(let bytes): try NoteVerifier(name: genesis.origin, publicKey: bytes)
                    }
                try signed.verify(verifier)
            } catch {
                fail(.checkpoint, "not signed by the trusted key: \(error)")
            }
        }
        return report
    }

    mutating func checkCheckpointSyntaxOnly() {
        if checkpoint == nil { fail(.record, "no checkpoint line at the end") }
    }
}

/// The raw bytes of a key string, or empty when it does not parse.
private func keyBytes(_ string: String) -> [UInt8] {
    (try? PublicKey(string: string))?.bytes ?? []
}

/// Active processors, without Foundation.
private func activeProcessorCount() -> Int {
    #if canImport(Glibc)
    return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    #else
    return 1
    #endif
}

#if canImport(Glibc)
import Glibc
#endif
