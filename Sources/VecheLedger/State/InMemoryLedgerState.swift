public import VecheCore
import VecheCrypto

/// The whole ledger state in memory: used by tests, the in-memory ledger and `veche verify`.
public struct InMemoryLedgerState: LedgerStateView, Sendable {
    /// How much the state keeps.
    public enum Mode: Sendable {
        /// Everything, as the live server needs it (idempotency fingerprints, signed command
        /// objects for the API, tallies of finished meetings).
        case full
        /// What replaying a record needs, in memory that does not grow with every ballot:
        /// command ids as 128-bit hashes (any reuse is a failure for the auditor), no command
        /// objects, and no tallies or proxies once a meeting is closed or cancelled.
        case auditor
    }

    private var genesisRecord: GenesisRecord?
    private var entryCount = 0
    public let mode: Mode
    private var commands: [String: CommandRecord] = [:]
    private var commandHashes: [UInt128: Int32] = [:]
    private var buildings: [String: BuildingRecord] = [:]
    private var keyOwners: [String: String] = [:]
    private var meetings: [String: MeetingRecord] = [:]
    private var tallies: [String: Tally] = [:]
    /// Meetings neither closed nor cancelled, for the automatic close.
    private var unfinished: Set<String> = []

    public init(mode: Mode = .full) {
        self.mode = mode
    }

    public func genesis() -> GenesisRecord? { genesisRecord }
    public func size() -> Int { entryCount }

    public func command(id: String) -> CommandRecord? {
        switch mode {
        case .full: commands[id]
        case .auditor: commandHashes[Self.idHash(id)].map { CommandRecord(seq: Int($0), fingerprint: []) }
        }
    }

    /// The first 128 bits of SHA-256(id): collisions among a billion ids have probability ~10⁻²⁰.
    private static func idHash(_ id: String) -> UInt128 {
        SHA256.hash(Array(id.utf8)).prefix(16).reduce(UInt128(0)) { $0 << 8 | UInt128($1) }
    }

    /// A command object kept only in full mode.
    private func kept(_ command: JSONValue) -> JSONValue { mode == .full ? command : .null }

    public func building(_ id: String) -> BuildingRecord? { buildings[id] }
    public func owner(ofKey key: String) -> String? { keyOwners[key] }
    public func meeting(_ id: String) -> MeetingRecord? { meetings[id] }
    public func tally(ofMeeting id: String) -> Tally? { tallies[id] }

    /// All meeting ids, sorted.
    public var meetingIDs: [String] { meetings.keys.sorted() }

    /// Meetings whose voting ended by `time` and that are neither closed nor cancelled.
    public func meetingsDue(at time: Timestamp) -> [String] {
        unfinished.filter { id in meetings[id].map { time >= $0.spec.closesAt } ?? false }.sorted()
    }

    /// Applies an accepted entry's effects.
    public mutating func apply(
        _ effects: [StateEffect], commandID: String, fingerprint: [UInt8], context: EntryContext
    ) {
        // The auditor skips refused entries, so seqs may jump; they never go back.
        precondition(context.seq >= entryCount, "entries must be applied in seq order")
        entryCount = context.seq + 1
        switch mode {
        case .full: commands[commandID] = CommandRecord(seq: context.seq, fingerprint: fingerprint)
        case .auditor: commandHashes[Self.idHash(commandID)] = Int32(truncatingIfNeeded: context.seq)
        }
        for effect in effects {
            switch effect {
            case .genesis(let record):
                genesisRecord = record
            case .registerBuilding(let id, let register, let command):
                if var building = buildings[id] {
                    building.register = register
                    building.registerCommand = kept(command)
                    building.registerSeq = context.seq
                    building.registerLeaf = context.leaf
                    buildings[id] = building
                } else {
                    buildings[id] = BuildingRecord(
                        id: id, register: register, registerCommand: kept(command), registerSeq: context.seq,
                        registerLeaf: context.leaf, administrator: nil, meetings: [])
                }
            case .bindKey(let key, let owner):
                keyOwners[key] = owner
            case .revokeKey(let key, _):
                keyOwners[key] = nil
            case .setAdministrator(let building, let record):
                buildings[building]?.administrator = mode == .full ? record : AdministratorRecord(keys: record.keys, command: .null, seq: record.seq)
            case .createMeeting(var record):
                if mode == .auditor { record.createCommand = .null }
                meetings[record.id] = record
                tallies[record.id] = Tally(meeting: record.spec, register: record.register)
                buildings[record.building]?.meetings.append(record.id)
                unfinished.insert(record.id)
            case .cancelMeeting(let id):
                meetings[id]?.cancelledSeq = context.seq
                unfinished.remove(id)
                forgetFinished(id)
            case .grantProxy(let meeting, let owner, let key):
                meetings[meeting]?.proxies[owner, default: []].insert(key)
            case .admitBallot(let meeting, let ballot):
                do {
                    try tallies[meeting]?.admit(ballot)
                } catch {
                    preconditionFailure("the state machine accepted a ballot the tally refuses: \(error)")
                }
            case .closeMeeting(let id, let result):
                meetings[id]?.closedSeq = context.seq
                meetings[id]?.result = mode == .full ? result : .null
                unfinished.remove(id)
                forgetFinished(id)
            }
        }
    }

    /// In auditor mode a finished meeting takes no more ballots or grants: drop what only they need.
    private mutating func forgetFinished(_ id: String) {
        guard mode == .auditor else { return }
        tallies[id] = nil
        meetings[id]?.proxies = [:]
    }
}
