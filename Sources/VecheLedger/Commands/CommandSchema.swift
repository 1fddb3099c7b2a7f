import VecheCore

/// Upper bounds on collection sizes inside one command (the 1 MiB body bounds the rest).
public enum CommandLimits {
    public static let premises = 10_000
    public static let stakesPerPremises = 1_000
    public static let holdersPerStake = 100
    public static let agendaItems = 200
    public static let keys = 100
    public static let registrars = 100
}

extension Command {
    /// Checks a command object against the WIRE.md schema (HTTP step 4, status 400) and
    /// returns it typed. Rule-level checks (sums, emptiness, durations — 422) are left to
    /// the state machine, which runs them after references, authority and conflicts.
    public init(parsing json: JSONValue) throws(LedgerError) {
        var reader = try FieldReader(json, at: [])
        let type = try reader.enumeration("type", CommandType.self)
        self.id = try reader.string("id", .commandID)
        let ledger = try reader.string("ledger")
        guard Self.isOrigin(ledger) else {
            throw reader.malformed("ledger", "must be a ledger origin (1–200 characters, no spaces or controls)")
        }
        self.ledger = ledger
        self.json = json
        switch type {
        case .genesis: self.body = .genesis(try Self.genesis(&reader))
        case .buildingRegister: self.body = .buildingRegister(try Self.buildingRegister(&reader))
        case .ownerKey: self.body = .ownerKey(try Self.ownerKey(&reader))
        case .buildingAdministrator: self.body = .buildingAdministrator(try Self.administrator(&reader))
        case .meetingCreate: self.body = .meetingCreate(try Self.meetingCreate(&reader))
        case .meetingCancel: self.body = .meetingCancel(try Self.meetingCancel(&reader))
        case .proxyGrant: self.body = .proxyGrant(try Self.proxyGrant(&reader))
        case .ballotCast: self.body = .ballotCast(try Self.ballotCast(&reader))
        case .ballotPaper: self.body = .ballotPaper(try Self.ballotPaper(&reader))
        case .meetingClose: self.body = .meetingClose(try Self.meetingClose(&reader))
        }
        try reader.finish()
    }

    /// 1–200 scalars, none of them a space or a control character (general category Cc).
    private static func isOrigin(_ text: String) -> Bool {
        // ASCII (every origin in practice): Cc is 0x00–0x1F and 0x7F; judge the bytes.
        let utf8 = text.utf8
        if utf8.allSatisfy({ $0 < 0x80 }) {
            return (1...200).contains(utf8.count) && utf8.allSatisfy { $0 > 0x20 && $0 != 0x7F }
        }
        return !text.isEmpty && text.unicodeScalars.count <= 200
            && !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == " " })
    }

    private static func genesis(_ reader: inout FieldReader) throws(LedgerError) -> Genesis {
        let operatorKey = try reader.key("operator")
        let registrars = try keyList(&reader, "registrars", max: CommandLimits.registrars)
        var rulesets: Set<RuleSet> = []
        for (index, element) in try reader.array("rulesets", maxCount: 16).enumerated() {
            let path: [PathComponent] = [.key("rulesets"), .index(index)]
            guard case .string(let name) = element, let rules = RuleSet(rawValue: name) else {
                throw FieldReader.malformed(path, "must be \"ru-zhk-2024\" or \"generic\"")
            }
            guard rulesets.insert(rules).inserted else {
                throw FieldReader.malformed(path, "repeats \"\(name)\": rulesets is a set")
            }
        }
        return Genesis(operatorKey: operatorKey, registrars: registrars, rulesets: rulesets)
    }

    /// A list of distinct public key strings (duplicates are a schema error: it is a set).
    private static func keyList(_ reader: inout FieldReader, _ key: String, max: Int) throws(LedgerError) -> [String] {
        var keys: [String] = []
        var seen: Set<String> = []
        for (index, element) in try reader.array(key, maxCount: max).enumerated() {
            let path: [PathComponent] = [.key(key), .index(index)]
            guard case .string(let text) = element else { throw FieldReader.malformed(path, "must be a string") }
            try Grammar.publicKey.check(text, at: path)
            guard seen.insert(text).inserted else { throw FieldReader.malformed(path, "repeats a key") }
            keys.append(text)
        }
        return keys
    }

    private static func buildingRegister(_ reader: inout FieldReader) throws(LedgerError) -> BuildingRegister {
        let building = try reader.string("building", .identifier)
        let address = try reader.string("address", .freeText)
        var premises: [Premises] = []
        let elements = try reader.array("premises", maxCount: CommandLimits.premises)
        premises.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            premises.append(try Self.premises(element, at: [.key("premises"), .index(index)]))
        }
        return BuildingRegister(register: Register(building: building, address: address, premises: premises))
    }

    private static func premises(_ value: JSONValue, at path: [PathComponent]) throws(LedgerError) -> Premises {
        var reader = try FieldReader(value, at: path)
        let number = try reader.string("number", .premisesNumber)
        let kind = try reader.enumeration("kind", PremisesKind.self)
        let areaText = try reader.string("area")
        let area = try parseValue(path + [.key("area")]) { () throws(DomainError) in try Area.parse(areaText) }
        let cadastral = try reader.optionalString("cadastral", .cadastral)
        var stakes: [Stake] = []
        for (index, element) in try reader.array("stakes", maxCount: CommandLimits.stakesPerPremises).enumerated() {
            let stakePath = path + [.key("stakes"), .index(index)]
            var stakeReader = try FieldReader(element, at: stakePath)
            var holders: [String] = []
            for (holderIndex, holder) in try stakeReader.array("holders", maxCount: CommandLimits.holdersPerStake).enumerated() {
                let holderPath = stakePath + [.key("holders"), .index(holderIndex)]
                guard case .string(let owner) = holder else { throw FieldReader.malformed(holderPath, "must be a string") }
                try Grammar.identifier.check(owner, at: holderPath)
                holders.append(owner)
            }
            let shareText = try stakeReader.string("share")
            let share = try parseValue(stakePath + [.key("share")]) { () throws(DomainError) in try Share.parse(shareText) }
            try stakeReader.finish()
            stakes.append(Stake(holders: holders, share: share, shareText: shareText))
        }
        try reader.finish()
        return Premises(number: number, kind: kind, area: area, areaText: areaText, cadastral: cadastral, stakes: stakes)
    }

    /// Runs a core parser and re-homes its error at `path`.
    private static func parseValue<T>(_ path: [PathComponent], _ parse: () throws(DomainError) -> T) throws(LedgerError) -> T {
        do {
            return try parse()
        } catch {
            throw FieldReader.malformed(path, error.message)
        }
    }

    private static func ownerKey(_ reader: inout FieldReader) throws(LedgerError) -> OwnerKey {
        OwnerKey(
            owner: try reader.string("owner", .identifier),
            key: try reader.key("key"),
            action: try reader.enumeration("action", OwnerKey.Action.self),
            identity: try reader.optionalString("identity", .sha256Hex))
    }

    private static func administrator(_ reader: inout FieldReader) throws(LedgerError) -> BuildingAdministrator {
        let building = try reader.string("building", .identifier)
        let keys = try keyList(&reader, "keys", max: CommandLimits.keys)
        var organization = try FieldReader(try reader.value("organization"), at: [.key("organization")])
        let name = try organization.string("name", .freeText)
        let inn = try organization.optionalString("inn", .inn)
        try organization.finish()
        return BuildingAdministrator(building: building, keys: keys, organizationName: name, inn: inn)
    }

    private static func meetingCreate(_ reader: inout FieldReader) throws(LedgerError) -> MeetingCreate {
        let meeting = try reader.string("meeting", .identifier)
        let building = try reader.string("building", .identifier)
        let title = try reader.string("title", .freeText)
        let form = try reader.enumeration("form", MeetingForm.self)
        let initiator = try reader.string("initiator", .freeText)
        let rules = try reader.enumeration("rules", RuleSet.self)
        var quorum: Rational?
        if let quorumText = try reader.optionalString("quorum") {
            quorum = try parseValue([.key("quorum")]) { () throws(DomainError) in try Share.parseQuorum(quorumText) }
        }
        let revote = try reader.enumeration("revote", RevotePolicy.self)
        let opensAt = try timestamp(&reader, "opens_at")
        let closesAt = try timestamp(&reader, "closes_at")
        var agenda: [MeetingCreate.Item] = []
        for (index, element) in try reader.array("agenda", maxCount: CommandLimits.agendaItems).enumerated() {
            var item = try FieldReader(element, at: [.key("agenda"), .index(index)])
            agenda.append(
                MeetingCreate.Item(
                    item: try item.string("item", .identifier),
                    title: try item.string("title", .freeText),
                    proposal: try item.string("proposal", .proposal),
                    threshold: try item.enumeration("threshold", Threshold.self),
                    basis: try item.optionalString("basis", .basis)))
            try item.finish()
        }
        return MeetingCreate(
            meeting: meeting, building: building, title: title, form: form, initiator: initiator, rules: rules,
            quorum: quorum, revote: revote, opensAt: opensAt, closesAt: closesAt, agenda: agenda)
    }

    private static func timestamp(_ reader: inout FieldReader, _ key: String) throws(LedgerError) -> Timestamp {
        let text = try reader.string(key)
        return try parseValue([.key(key)]) { () throws(DomainError) in try Timestamp.parse(text) }
    }

    private static func meetingCancel(_ reader: inout FieldReader) throws(LedgerError) -> MeetingCancel {
        MeetingCancel(meeting: try reader.string("meeting", .identifier), reason: try reader.string("reason", .freeText))
    }

    private static func proxyGrant(_ reader: inout FieldReader) throws(LedgerError) -> ProxyGrant {
        ProxyGrant(
            meeting: try reader.string("meeting", .identifier),
            owner: try reader.string("owner", .identifier),
            proxy: try reader.key("proxy"),
            document: try reader.optionalString("document", .sha256Hex))
    }

    private static func ballotCast(_ reader: inout FieldReader) throws(LedgerError) -> BallotCast {
        let meeting = try reader.string("meeting", .identifier)
        let owner = try reader.string("owner", .identifier)
        var choices: [String: Mark] = [:]
        for (item, value) in try choiceMembers(&reader) {
            let path: [PathComponent] = [.key("choices"), .key(item)]
            guard case .string(let text) = value, let mark = Mark(rawValue: text) else {
                throw FieldReader.malformed(path, "must be \"for\", \"against\" or \"abstain\" (one mark)")
            }
            choices[item] = mark
        }
        return BallotCast(meeting: meeting, owner: owner, choices: choices)
    }

    private static func ballotPaper(_ reader: inout FieldReader) throws(LedgerError) -> BallotPaper {
        let meeting = try reader.string("meeting", .identifier)
        let owner = try reader.string("owner", .identifier)
        var choices: [String: MarkChoice] = [:]
        for (item, value) in try choiceMembers(&reader) {
            let path: [PathComponent] = [.key("choices"), .key(item)]
            switch value {
            case .string(let text):
                guard let mark = Mark(rawValue: text) else {
                    throw FieldReader.malformed(path, "must be \"for\", \"against\", \"abstain\" or a list of 2–3 distinct marks")
                }
                choices[item] = .single(mark)
            case .array(let elements):
                var marks: [Mark] = []
                for (index, element) in elements.enumerated() {
                    guard case .string(let text) = element, let mark = Mark(rawValue: text) else {
                        throw FieldReader.malformed(path + [.index(index)], "must be \"for\", \"against\" or \"abstain\"")
                    }
                    guard !marks.contains(mark) else {
                        throw FieldReader.malformed(path + [.index(index)], "repeats a mark")
                    }
                    marks.append(mark)
                }
                guard (2...3).contains(marks.count) else {
                    throw FieldReader.malformed(path, "a list of marks must hold 2–3 distinct marks")
                }
                choices[item] = .multiple(marks)
            default:
                throw FieldReader.malformed(path, "must be a mark or a list of 2–3 distinct marks")
            }
        }
        let scan = try reader.string("scan", .sha256Hex)
        return BallotPaper(meeting: meeting, owner: owner, choices: choices, scan: scan)
    }

    /// The `choices` object's members, item ids checked.
    private static func choiceMembers(_ reader: inout FieldReader) throws(LedgerError) -> [(String, JSONValue)] {
        let members = try reader.object("choices")
        guard members.count <= CommandLimits.agendaItems else {
            throw reader.malformed("choices", "has more than \(CommandLimits.agendaItems) items")
        }
        var out: [(String, JSONValue)] = []
        for (item, value) in members.sorted(by: { $0.key < $1.key }) {
            try Grammar.identifier.check(item, at: [.key("choices"), .key(item)])
            out.append((item, value))
        }
        return out
    }

    private static func meetingClose(_ reader: inout FieldReader) throws(LedgerError) -> MeetingClose {
        let meeting = try reader.string("meeting", .identifier)
        let result = try reader.value("result")
        guard case .object = result else { throw reader.malformed("result", "must be an object") }
        return MeetingClose(meeting: meeting, result: result)
    }
}
