public import VecheCore

/// The whole ledger state in memory: used by tests, the in-memory ledger and `veche verify`.
public struct InMemoryLedgerState: LedgerStateView, Sendable {
    private var genesisRecord: GenesisRecord?
    private var entryCount = 0
    /// When false, idempotency fingerprints are not kept (the auditor treats any reused id as a failure).
    private let keepsFingerprints: Bool
    private var commands: [String: CommandRecord] = [:]
    private var commandSeqs: [String: Int] = [:]
    private var buildings: [String: BuildingRecord] = [:]
    private var keyOwners: [String: String] = [:]
    private var meetings: [String: MeetingRecord] = [:]
    private var tallies: [String: Tally] = [:]
    /// Meetings neither closed nor cancelled, for the automatic close.
    private var unfinished: Set<String> = []

    public init(keepsFingerprints: Bool = true) {
        self.keepsFingerprints = keepsFingerprints
    }

    public func genesis() -> GenesisRecord? { genesisRecord }
    public func size() -> Int { entryCount }

    public func command(id: String) -> CommandRecord? {
        if keepsFingerprints { return commands[id] }
        return commandSeqs[id].map { CommandRecord(seq: $0, fingerprint: []) }
    }

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
        if keepsFingerprints {
            commands[commandID] = CommandRecord(seq: context.seq, fingerprint: fingerprint)
        } else {
            commandSeqs[commandID] = context.seq
        }
        for effect in effects {
            switch effect {
            case .genesis(let record):
                genesisRecord = record
            case .registerBuilding(let id, let register, let command):
                if var building = buildings[id] {
                    building.register = register
                    building.registerCommand = command
                    building.registerSeq = context.seq
                    building.registerLeaf = context.leaf
                    buildings[id] = building
                } else {
                    buildings[id] = BuildingRecord(
                        id: id, register: register, registerCommand: command, registerSeq: context.seq,
                        registerLeaf: context.leaf, administrator: nil, meetings: [])
                }
            case .bindKey(let key, let owner):
                keyOwners[key] = owner
            case .revokeKey(let key, _):
                keyOwners[key] = nil
            case .setAdministrator(let building, let record):
                buildings[building]?.administrator = record
            case .createMeeting(let record):
                meetings[record.id] = record
                tallies[record.id] = Tally(meeting: record.spec, register: record.register)
                buildings[record.building]?.meetings.append(record.id)
                unfinished.insert(record.id)
            case .cancelMeeting(let id):
                meetings[id]?.cancelledSeq = context.seq
                unfinished.remove(id)
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
                meetings[id]?.result = result
                unfinished.remove(id)
            }
        }
    }
}
