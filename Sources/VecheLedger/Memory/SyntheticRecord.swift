import Dispatch
public import VecheCore
public import VecheCrypto

/// Generates realistic, valid election records for tests, demos and benchmarks: buildings
/// with sole, shared, joint and municipal ownership, bound keys, meetings, own, proxy and
/// paper ballots (some with double marks), and the automatic closes.
public struct SyntheticRecord {
    /// What to generate.
    public struct Parameters: Sendable {
        public var buildings = 1
        public var premisesPerBuilding = 300
        /// Percent of owners who vote (own key, proxy or paper).
        public var turnoutPercent = 80
        /// Of the voters, percent voting through a proxy.
        public var proxyPercent = 5
        /// Of the voters, percent voting on paper (entered by the administrator).
        public var paperPercent = 10
        /// Of the paper ballots, percent with a double mark on item 2.
        public var doubleMarkPercent = 30
        /// Random seed.
        public var seed: UInt64 = 1
        /// `ru-zhk-2024` (10-day notice, 7-day vote) or `generic` (opens at creation, 1-day vote).
        public var rules: RuleSet = .ruZhk2024
        /// Meetings held one after another in each building.
        public var meetingsPerBuilding = 1

        public init() {}
    }

    /// Counts of what was written.
    public struct Summary: Sendable {
        public var entries = 0
        public var meetings = 0
        public var ballots = 0
        public var owners = 0
    }

    public static let origin = "vote.example.ru/16"

    /// The operator key of generated records (a fixed seed: generated records are not secrets).
    public static func operatorKey() -> Ed25519.PrivateKey {
        // 32 bytes of a fixed label's SHA-256 is a valid seed.
        try! Ed25519.PrivateKey(seed: SHA256.hash(Array("veche-synthetic-operator".utf8)))
    }

    /// The registrar key of generated records (fixed, like the operator's), so a benchmark
    /// can keep adding to a generated ledger.
    public static func registrarKey() -> SigningKey { Generator.key("registrar") }

    /// Writes a whole record (entries then checkpoint line) to `sink`.
    public static func generate(_ parameters: Parameters, sink: @escaping ([UInt8]) throws -> Void) throws -> Summary {
        var generator = Generator(parameters: parameters, sink: sink)
        try generator.run()
        return generator.summary
    }
}


private struct Generator {
    let parameters: SyntheticRecord.Parameters
    var writer: LedgerWriter
    var random: SplitMix64
    var summary = SyntheticRecord.Summary()
    var clock = try! Timestamp.parse("2026-09-01T08:00:00Z")
    var counter = 0
    let operatorKey = SyntheticRecord.operatorKey()
    let registrar: SigningKey

    init(parameters: SyntheticRecord.Parameters, sink: @escaping ([UInt8]) throws -> Void) {
        self.parameters = parameters
        self.writer = LedgerWriter(origin: SyntheticRecord.origin, operatorKey: SyntheticRecord.operatorKey(), sink: sink)
        self.random = SplitMix64(seed: parameters.seed)
        self.registrar = Self.key("registrar")
    }

    static func key(_ label: String) -> SigningKey {
        .ed25519(try! Ed25519.PrivateKey(seed: SHA256.hash(Array("veche-synthetic/\(label)".utf8))))
    }

    mutating func command(_ type: String, _ fields: [String: JSONValue]) -> JSONValue {
        counter += 1
        var members = fields
        members["type"] = .string(type)
        members["id"] = .string("gen-\(counter)-\(random.next() % 1_000_000)")
        members["ledger"] = .string(SyntheticRecord.origin)
        return .object(members)
    }

    /// Commands waiting to be signed (in parallel) and appended (in order).
    var pending: [(command: JSONValue, key: SigningKey, time: Timestamp)] = []
    var keys: [String: SigningKey] = [:]

    /// The key of a generated participant, derived once.
    mutating func key(_ label: String) -> SigningKey {
        if let key = keys[label] { return key }
        let key = Self.key(label)
        keys[label] = key
        return key
    }

    mutating func submit(_ type: String, _ fields: [String: JSONValue], by key: SigningKey) throws {
        pending.append((command(type, fields), key, clock))
        clock = Timestamp(milliseconds: clock.milliseconds + 7)
        summary.entries += 1
        if pending.count >= 1024 { try flush() }
    }

    /// Signs the pending commands on all cores, then appends them in order.
    mutating func flush() throws {
        guard !pending.isEmpty else { return }
        let batch = pending
        pending = []
        let signed = SignedBatch(count: batch.count)
        DispatchQueue.concurrentPerform(iterations: batch.count) { index in
            signed.set(index, try? SignedEnvelope.sign(command: batch[index].command, with: batch[index].key))
        }
        for (index, item) in batch.enumerated() {
            guard let envelope = signed.envelopes[index] else {
                throw LedgerError(.malformed, "signing-failed", "could not sign a generated command")
            }
            try writer.append(envelope, at: item.time)
        }
    }

    mutating func run() throws {
        try submit(
            "ledger.genesis",
            [
                "operator": .string(PublicKey.ed25519(operatorKey.publicKey).string),
                "registrars": .array([.string(registrar.publicKey.string)]),
                "rulesets": ["ru-zhk-2024", "generic"],
            ], by: .ed25519(operatorKey))
        for building in 0..<parameters.buildings {
            try runBuilding(building)
        }
        try flush()
        try writer.finish()
    }

    /// One building: register, keys, administrator, a meeting with four items, ballots, close.
    mutating func runBuilding(_ index: Int) throws {
        let building = "B\(index + 1)"
        var premises: [JSONValue] = []
        var owners: [String] = []
        for number in 1...parameters.premisesPerBuilding {
            let area = "\(30 + random.below(70)).\(random.below(10))\(random.below(10))"
            let owner = "\(building)-o\(number)"
            let stakes: [JSONValue]
            switch random.below(10) {
            case 0:  // shared ownership 1/3 + 2/3
                stakes = [
                    ["holders": [.string(owner)], "share": "1/3"],
                    ["holders": [.string(owner + "b")], "share": "2/3"],
                ]
                owners += [owner, owner + "b"]
            case 1:  // joint ownership (spouses)
                stakes = [["holders": [.string(owner), .string(owner + "s")], "share": "1"]]
                owners += [owner, owner + "s"]
            default:
                stakes = [["holders": [.string(owner)], "share": "1"]]
                owners.append(owner)
            }
            premises.append([
                "number": .string(String(number)), "kind": number % 50 == 0 ? "non-residential" : "residential",
                "area": .string(area), "stakes": .array(stakes),
            ])
        }
        try submit("building.register", ["building": .string(building), "address": .string("г. Казань, ул. Синтетическая, д. \(index + 1)"), "premises": .array(premises)], by: registrar)
        for owner in owners {
            try submit("owner.key", ["owner": .string(owner), "key": .string(key(owner).publicKey.string), "action": "bind"], by: registrar)
        }
        summary.owners += owners.count
        let administrator = key("administrator-\(building)")
        try submit(
            "building.administrator",
            ["building": .string(building), "keys": [.string(administrator.publicKey.string)], "organization": ["name": "ООО «УК Синтетика»", "inn": "1655000000"]],
            by: registrar)
        for number in 1...max(1, parameters.meetingsPerBuilding) {
            try runMeeting(number, building: building, owners: owners, administrator: administrator)
        }
        keys = [:]
    }

    /// One meeting: create, ballots (own, proxy, paper), close.
    mutating func runMeeting(_ number: Int, building: String, owners: [String], administrator: SigningKey) throws {
        let opens: Timestamp
        let closes: Timestamp
        switch parameters.rules {
        case .ruZhk2024:
            opens = Timestamp(milliseconds: clock.milliseconds + 10 * Timestamp.millisecondsPerDay + 1000)
            closes = Timestamp(milliseconds: opens.milliseconds + 7 * Timestamp.millisecondsPerDay)
        case .generic:
            opens = clock
            closes = Timestamp(milliseconds: opens.milliseconds + Timestamp.millisecondsPerDay)
        }
        let meeting = "\(building)-M\(number)"
        let thresholds = ["participants-majority", "all-majority", "all-two-thirds", "participants-majority"]
        try submit(
            "meeting.create",
            [
                "meeting": .string(meeting), "building": .string(building), "title": "Годовое общее собрание собственников",
                "form": "electronic", "initiator": "Совет дома", "rules": .string(parameters.rules.rawValue), "revote": "forbidden",
                "opens_at": .string(opens.rfc3339String), "closes_at": .string(closes.rfc3339String),
                "agenda": .array(
                    thresholds.enumerated().map { offset, threshold in
                        [
                            "item": .string(String(offset + 1)), "title": .string("Вопрос \(offset + 1)"),
                            "proposal": .string("Утвердить предложение \(offset + 1).\nСмета прилагается."),
                            "threshold": .string(threshold),
                        ]
                    }),
            ], by: administrator)
        summary.meetings += 1
        clock = opens
        let marks: [JSONValue] = ["for", "for", "for", "against", "abstain"]
        var votedJointly: Set<String> = []
        for owner in owners where random.percent(parameters.turnoutPercent) {
            // One spouse of a joint pair votes for both.
            let root = owner.hasSuffix("s") ? String(owner.dropLast()) : owner
            if votedJointly.contains(root) { continue }
            votedJointly.insert(root)
            var choices: [String: JSONValue] = [:]
            for item in 1...4 where !random.percent(5) { choices[String(item)] = marks[random.below(marks.count)] }
            let roll = random.below(100)
            if roll < parameters.paperPercent {
                if random.percent(parameters.doubleMarkPercent) { choices["2"] = ["for", "against"] }
                let scan = Hex.encode(SHA256.hash(Array("scan-\(owner)".utf8)))
                try submit("ballot.paper", ["meeting": .string(meeting), "owner": .string(owner), "choices": .object(choices), "scan": .string(scan)], by: administrator)
            } else if roll < parameters.paperPercent + parameters.proxyPercent {
                let proxy = key("proxy-\(owner)-\(number)")
                try submit("proxy.grant", ["meeting": .string(meeting), "owner": .string(owner), "proxy": .string(proxy.publicKey.string)], by: key(owner))
                try submit("ballot.cast", ["meeting": .string(meeting), "owner": .string(owner), "choices": .object(choices)], by: proxy)
            } else {
                try submit("ballot.cast", ["meeting": .string(meeting), "owner": .string(owner), "choices": .object(choices)], by: key(owner))
            }
            summary.ballots += 1
        }
        clock = closes
        try flush()
        try writer.closeDueMeetings(at: clock)
        summary.entries += 1
        clock = Timestamp(milliseconds: clock.milliseconds + 1000)
    }
}

/// Envelopes signed by `concurrentPerform`; each index is written by one iteration only and
/// read after it returns, so the storage needs no lock.
private final class SignedBatch: @unchecked Sendable {
    private let storage: UnsafeMutableBufferPointer<SignedEnvelope?>
    init(count: Int) {
        storage = .allocate(capacity: count)
        storage.initialize(repeating: nil)
    }
    deinit {
        storage.deinitialize()
        storage.deallocate()
    }
    func set(_ index: Int, _ envelope: SignedEnvelope?) { storage[index] = envelope }
    var envelopes: UnsafeMutableBufferPointer<SignedEnvelope?> { storage }
}
