import VecheCore
import VecheLedger

/// Reads the WIRE.md "Result" object of a `meeting.close` back into a `MeetingResult`, strictly.
enum ResultReader {
    static func read(_ json: JSONValue, seq: Int) throws(ProtocolError) -> MeetingResult {
        func refuse(_ field: String, _ reason: String) -> ProtocolError {
            ProtocolError(.resultMismatch, seq: seq, "result.\(field) \(reason)")
        }
        func members(_ value: JSONValue?, _ field: String, _ keys: Set<String>) throws(ProtocolError) -> [String: JSONValue] {
            guard let object = value?.objectValue else { throw refuse(field, "must be an object") }
            guard Set(object.keys) == keys else { throw refuse(field, "must have exactly the fields \(keys.sorted().joined(separator: ", "))") }
            return object
        }
        func string(_ object: [String: JSONValue], _ key: String, _ field: String) throws(ProtocolError) -> String {
            guard let text = object[key]?.stringValue else { throw refuse(field, "must be a string") }
            return text
        }
        func amount(_ object: [String: JSONValue], _ key: String, _ field: String) throws(ProtocolError) -> Rational {
            let text = try string(object, key, field)
            do {
                return try Rational(exact: text)
            } catch {
                throw refuse(field, "is not an exact amount: \(error.message)")
            }
        }
        func flag(_ object: [String: JSONValue], _ key: String, _ field: String) throws(ProtocolError) -> Bool {
            guard let value = object[key]?.boolValue else { throw refuse(field, "must be a boolean") }
            return value
        }

        let top = try members(json, "", ["meeting", "rules", "total", "participating", "quorum", "ballots", "items"])
        guard let rules = RuleSet(rawValue: try string(top, "rules", "rules")) else { throw refuse("rules", "is not a rule set") }
        let quorum = try members(top["quorum"], "quorum", ["required", "reached"])
        guard let ballots = top["ballots"]?.integerValue, ballots >= 0 else { throw refuse("ballots", "must be a non-negative integer") }
        guard let itemValues = top["items"]?.arrayValue else { throw refuse("items", "must be an array") }
        var items: [ItemResult] = []
        for (index, value) in itemValues.enumerated() {
            let field = "items[\(index)]"
            let item = try members(value, field, ["item", "threshold", "for", "against", "abstain", "invalid", "blank", "adopted"])
            guard let threshold = Threshold(rawValue: try string(item, "threshold", field + ".threshold")) else {
                throw refuse(field + ".threshold", "is not a threshold")
            }
            items.append(ItemResult(
                item: try string(item, "item", field + ".item"), threshold: threshold,
                for: try amount(item, "for", field + ".for"), against: try amount(item, "against", field + ".against"),
                abstain: try amount(item, "abstain", field + ".abstain"), invalid: try amount(item, "invalid", field + ".invalid"),
                blank: try amount(item, "blank", field + ".blank"), adopted: try flag(item, "adopted", field + ".adopted")))
        }
        return MeetingResult(
            meeting: try string(top, "meeting", "meeting"), rules: rules, total: try amount(top, "total", "total"),
            participating: try amount(top, "participating", "participating"),
            quorumRequired: try amount(quorum, "required", "quorum.required"), quorumReached: try flag(quorum, "reached", "quorum.reached"),
            ballots: Int(ballots), items: items)
    }
}

/// The first place two JSON values differ, for an error a person can follow.
enum JSONDifference {
    static func first(_ found: JSONValue, _ expected: JSONValue, path: String) -> String? {
        switch (found, expected) {
        case (.object(let a), .object(let b)):
            for key in Set(a.keys).union(b.keys).sorted() {
                guard let x = a[key] else { return "\(path).\(key) is missing" }
                guard let y = b[key] else { return "\(path).\(key) is not a field of a result" }
                if let difference = first(x, y, path: "\(path).\(key)") { return difference }
            }
            return nil
        case (.array(let a), .array(let b)):
            guard a.count == b.count else { return "\(path) has \(a.count) elements, the count gives \(b.count)" }
            for (index, (x, y)) in zip(a, b).enumerated() {
                if let difference = first(x, y, path: "\(path)[\(index)]") { return difference }
            }
            return nil
        default:
            guard found != expected else { return nil }
            return "\(path) is \(describe(found)), the count gives \(describe(expected))"
        }
    }

    private static func describe(_ value: JSONValue) -> String {
        String(decoding: CanonicalJSON.serialize(value), as: UTF8.self)
    }
}
