public import VecheCore
public import VecheCrypto

/// The automatic `meeting.close` of WIRE.md: once closes_at passes, the operator appends
/// the exact result.
public enum AutoClose {
    /// The deterministic command id for closing `meeting`, so that two attempts are one command.
    public static func commandID(meeting: String) -> String {
        "close-" + String(Hex.encode(SHA256.hash(Array(meeting.utf8))).prefix(40))
    }

    /// The id to close `meeting` with: the deterministic one unless an accepted command
    /// already holds it, else a fresh random one that is free.
    ///
    /// Command ids are chosen by clients and the deterministic id can be computed from the
    /// meeting id, so anyone may take it first (a ballot with that id is a valid command);
    /// the close would then be refused as a reused id forever. A random fallback chosen at
    /// close time cannot be taken ahead.
    public static func commandID(meeting: String, isTaken: (String) throws -> Bool) rethrows -> String {
        let preferred = commandID(meeting: meeting)
        if try !isTaken(preferred) { return preferred }
        var generator = SystemRandomNumberGenerator()
        while true {
            let random = (0..<20).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            let candidate = "close-" + Hex.encode(random)
            if try !isTaken(candidate) { return candidate }
        }
    }

    /// The signed `meeting.close` envelope for a meeting whose tally is final, with command
    /// id `id` (by default the deterministic one).
    public static func envelope(
        meeting: String, tally: Tally, origin: String, operatorKey: SigningKey, id: String? = nil
    ) throws -> SignedEnvelope {
        let command: JSONValue = .object([
            "type": .string(CommandType.meetingClose.rawValue),
            "id": .string(id ?? commandID(meeting: meeting)),
            "ledger": .string(origin),
            "meeting": .string(meeting),
            "result": ResultJSON.encode(tally.result()),
        ])
        return try SignedEnvelope.sign(command: command, with: operatorKey)
    }
}
