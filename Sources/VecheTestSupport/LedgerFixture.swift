public import VecheCore
public import VecheCrypto
public import VecheLedger

/// Deterministic keys for tests: the same label always gives the same key.
public enum TestKeys {
    /// An Ed25519 key derived from `label`.
    public static func ed25519(_ label: String) -> Ed25519.PrivateKey {
        // A 32-byte seed from a label; SHA-256 never fails and the seed length is right.
        try! Ed25519.PrivateKey(seed: SHA256.hash(Array("veche-test-key/\(label)".utf8)))
    }

    /// A signing key derived from `label` (Ed25519).
    public static func signing(_ label: String) -> SigningKey { .ed25519(ed25519(label)) }
}

/// Builds ledgers command by command for tests: keys, ids and times handled.
public struct LedgerFixture {
    public static let origin = "vote.example.ru/16"
    public let operatorKey = TestKeys.ed25519("operator")
    public let registrar = TestKeys.signing("registrar")
    public let administrator = TestKeys.signing("administrator")
    public var ledger: InMemoryLedger
    /// The clock used for the next submission.
    public var now: Timestamp
    private var counter = 0

    /// 2026-09-01T00:00:00Z.
    public static let start = try! Timestamp.parse("2026-09-01T00:00:00Z")

    public static let day: Int64 = 86_400_000

    /// A fresh ledger with its genesis appended (rule sets: both).
    public init(rulesets: [String] = ["ru-zhk-2024", "generic"]) throws {
        ledger = InMemoryLedger(origin: Self.origin, operatorKey: operatorKey)
        now = Self.start
        let genesis = makeCommand(
            "ledger.genesis",
            [
                "operator": .string(PublicKey.ed25519(operatorKey.publicKey).string),
                "registrars": .array([.string(registrar.publicKey.string)]),
                "rulesets": .array(rulesets.map { .string($0) }),
            ])
        try submit(genesis, by: .ed25519(operatorKey))
    }

    /// The operator as a signing key.
    public var operatorSigningKey: SigningKey { .ed25519(operatorKey) }

    /// Moves the clock.
    public mutating func advance(days: Int64 = 0, milliseconds: Int64 = 0) {
        now = Timestamp(milliseconds: now.milliseconds + days * Self.day + milliseconds)
    }

    /// A fresh command id.
    public mutating func nextID(_ prefix: String = "cmd") -> String {
        counter += 1
        return "\(prefix)-\(String(counter, radix: 10))-0000".replacingOccurrences(of: ".", with: "_")
    }

    /// A command object with `type`, a fresh `id`, this ledger's origin and `fields`.
    public mutating func makeCommand(_ type: String, _ fields: [String: JSONValue]) -> JSONValue {
        var members = fields
        members["type"] = .string(type)
        if members["id"] == nil { members["id"] = .string(nextID()) }
        if members["ledger"] == nil { members["ledger"] = .string(Self.origin) }
        return .object(members)
    }

    /// Signs and submits at the fixture's clock.
    @discardableResult
    public mutating func submit(_ command: JSONValue, by key: SigningKey) throws -> InMemoryLedger.Outcome {
        try ledger.submit(try SignedEnvelope.sign(command: command, with: key), at: now)
    }

    /// Builds, signs and submits.
    @discardableResult
    public mutating func submit(_ type: String, _ fields: [String: JSONValue], by key: SigningKey) throws -> InMemoryLedger.Outcome {
        try submit(makeCommand(type, fields), by: key)
    }

    /// The WIRE.md JSON of one premises.
    public static func premises(
        _ number: String, area: String, kind: String = "residential", stakes: [(holders: [String], share: String)]
    ) -> JSONValue {
        .object([
            "number": .string(number),
            "kind": .string(kind),
            "area": .string(area),
            "stakes": .array(
                stakes.map { stake in
                    .object(["holders": .array(stake.holders.map { .string($0) }), "share": .string(stake.share)])
                }),
        ])
    }

    /// Registers a building (registrar).
    @discardableResult
    public mutating func register(building: String = "B1", address: String = "г. Казань, ул. Пушкина, д. 1", premises: [JSONValue]) throws -> InMemoryLedger.Outcome {
        try submit(
            "building.register",
            ["building": .string(building), "address": .string(address), "premises": .array(premises)], by: registrar)
    }

    /// Binds `key` to `owner` (registrar).
    @discardableResult
    public mutating func bind(_ owner: String, _ key: SigningKey) throws -> InMemoryLedger.Outcome {
        try submit(
            "owner.key", ["owner": .string(owner), "key": .string(key.publicKey.string), "action": "bind"], by: registrar)
    }

    /// Sets the fixture's administrator for `building` (registrar).
    @discardableResult
    public mutating func setAdministrator(building: String = "B1", keys: [SigningKey]? = nil) throws -> InMemoryLedger.Outcome {
        try submit(
            "building.administrator",
            [
                "building": .string(building),
                "keys": .array((keys ?? [administrator]).map { .string($0.publicKey.string) }),
                "organization": ["name": "ООО «УК Домовой»", "inn": "1655000000"],
            ], by: registrar)
    }

    /// A `meeting.create` command body; defaults make a valid generic meeting opening now.
    public func meetingFields(
        meeting: String = "M1", building: String = "B1", rules: String = "generic", revote: String = "forbidden",
        form: String = "electronic", opensAt: Timestamp, closesAt: Timestamp,
        items: [(item: String, threshold: String)] = [("1", "participants-majority")], quorum: String? = nil
    ) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [
            "meeting": .string(meeting), "building": .string(building), "title": "Общее собрание собственников",
            "form": .string(form), "initiator": "Совет дома", "rules": .string(rules), "revote": .string(revote),
            "opens_at": .string(opensAt.rfc3339String), "closes_at": .string(closesAt.rfc3339String),
            "agenda": .array(
                items.map { item in
                    .object([
                        "item": .string(item.item), "title": .string("Вопрос \(item.item)"),
                        "proposal": .string("Предлагается решить вопрос \(item.item).\nПодробности в материалах."),
                        "threshold": .string(item.threshold),
                    ])
                }),
        ]
        if let quorum { fields["quorum"] = .string(quorum) }
        return fields
    }

    /// Creates a meeting signed by the administrator.
    @discardableResult
    public mutating func createMeeting(_ fields: [String: JSONValue], by key: SigningKey? = nil) throws -> InMemoryLedger.Outcome {
        try submit("meeting.create", fields, by: key ?? administrator)
    }

    /// Casts a ballot.
    @discardableResult
    public mutating func cast(
        meeting: String = "M1", owner: String, _ choices: [String: String], by key: SigningKey
    ) throws -> InMemoryLedger.Outcome {
        try submit(
            "ballot.cast",
            ["meeting": .string(meeting), "owner": .string(owner), "choices": .object(choices.mapValues { .string($0) })],
            by: key)
    }

    /// Grants a proxy.
    @discardableResult
    public mutating func grant(
        meeting: String = "M1", owner: String, proxy: SigningKey, document: String? = nil, by key: SigningKey
    ) throws -> InMemoryLedger.Outcome {
        var fields: [String: JSONValue] = ["meeting": .string(meeting), "owner": .string(owner), "proxy": .string(proxy.publicKey.string)]
        if let document { fields["document"] = .string(document) }
        return try submit("proxy.grant", fields, by: key)
    }

    /// Enters a paper ballot (administrator).
    @discardableResult
    public mutating func paper(
        meeting: String = "M1", owner: String, _ choices: [String: JSONValue], scan: String = String(repeating: "ab", count: 32)
    ) throws -> InMemoryLedger.Outcome {
        try submit(
            "ballot.paper",
            ["meeting": .string(meeting), "owner": .string(owner), "choices": .object(choices), "scan": .string(scan)],
            by: administrator)
    }
}
