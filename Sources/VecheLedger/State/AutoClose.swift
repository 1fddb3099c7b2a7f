public import VecheCore
public import VecheCrypto

/// The automatic `meeting.close` of WIRE.md: once closes_at passes, the operator appends
/// the exact result.
public enum AutoClose {
    /// The deterministic command id for closing `meeting`, so that two attempts are one command.
    public static func commandID(meeting: String) -> String {
        "close-" + String(Hex.encode(SHA256.hash(Array(meeting.utf8))).prefix(40))
    }

    /// The signed `meeting.close` envelope for a meeting whose tally is final.
    public static func envelope(
        meeting: String, tally: Tally, origin: String, operatorKey: SigningKey
    ) throws -> SignedEnvelope {
        let command: JSONValue = .object([
            "type": .string(CommandType.meetingClose.rawValue),
            "id": .string(commandID(meeting: meeting)),
            "ledger": .string(origin),
            "meeting": .string(meeting),
            "result": ResultJSON.encode(tally.result()),
        ])
        return try SignedEnvelope.sign(command: command, with: operatorKey)
    }
}
