public import VecheCore

/// The WIRE.md "Result" object of a meeting, with exact amounts only.
public enum ResultJSON {
    /// The result object exactly as WIRE.md lays it out (no other fields).
    public static func encode(_ result: MeetingResult) -> JSONValue {
        .object([
            "meeting": .string(result.meeting),
            "rules": .string(result.rules.rawValue),
            "total": .string(result.total.exactString),
            "participating": .string(result.participating.exactString),
            "quorum": .object([
                "required": .string(result.quorumRequired.exactString),
                "reached": .bool(result.quorumReached),
            ]),
            "ballots": .integer(Int64(result.ballots)),
            "items": .array(
                result.items.map { item in
                    .object([
                        "item": .string(item.item),
                        "threshold": .string(item.threshold.rawValue),
                        "for": .string(item.for.exactString),
                        "against": .string(item.against.exactString),
                        "abstain": .string(item.abstain.exactString),
                        "invalid": .string(item.invalid.exactString),
                        "blank": .string(item.blank.exactString),
                        "adopted": .bool(item.adopted),
                    ])
                }),
        ])
    }
}
