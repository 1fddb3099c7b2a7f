public import VecheCore
import VecheCrypto

/// One ledger entry (WIRE.md "Ledger entry"): a signed command with its place and time.
public struct LedgerEntry: Sendable, Equatable {
    /// Position in the ledger, from 0.
    public let seq: Int
    /// Ledger time: the server's, never decreasing with seq.
    public let time: Timestamp
    /// Leaf hash of entry seq − 1 (32 zero bytes for seq 0).
    public let prev: [UInt8]
    /// The command object as signed.
    public let command: JSONValue
    /// The signer key string.
    public let signer: String
    /// The signature, canonical base64url of 64 bytes.
    public let signature: String

    public init(seq: Int, time: Timestamp, prev: [UInt8], command: JSONValue, signer: String, signature: String) {
        self.seq = seq
        self.time = time
        self.prev = prev
        self.command = command
        self.signer = signer
        self.signature = signature
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static let fieldNames: Set<String> = ["seq", "time", "prev", "command", "signer", "signature"]

    /// The `prev` of seq 0.
    public static let zeroHash = [UInt8](repeating: 0, count: 32)

    /// The entry as a JSON object.
    public var json: JSONValue {
        .object([
            "seq": .integer(Int64(seq)),
            "time": .string(time.ledgerString),
            "prev": .string(Hex.encode(prev)),
            "command": command,
            "signer": .string(signer),
            "signature": .string(signature),
        ])
    }

    /// JCS(entry): the bytes that are hashed, exported and served.
    public var canonicalBytes: [UInt8] {
        Self.canonicalBytes(
            seq: seq, time: time, prev: prev, canonicalCommand: CanonicalJSON.serialize(command), signer: signer, signature: signature)
    }

    /// JCS(entry) assembled from its parts, `canonicalCommand` being JCS(command) already:
    /// `{"command":…,"prev":"…","seq":…,"signature":"…","signer":"…","time":"…"}` — the six
    /// keys in JCS order, so this is byte for byte `CanonicalJSON.serialize(json)` without
    /// building and sorting the object (the sequencer does this once per command).
    static func canonicalBytes(
        seq: Int, time: Timestamp, prev: [UInt8], canonicalCommand: [UInt8], signer: String, signature: String
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(canonicalCommand.count + 260)
        out += #"{"command":"#.utf8
        out += canonicalCommand
        out += #","prev":""#.utf8
        for byte in prev {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0F)])
        }
        out.append(UInt8(ascii: "\""))
        out += #","seq":"#.utf8
        CanonicalJSON.writeInteger(Int64(seq), into: &out)
        out += #","signature":"#.utf8
        CanonicalJSON.writeString(signature, into: &out)
        out += #","signer":"#.utf8
        CanonicalJSON.writeString(signer, into: &out)
        out += #","time":"#.utf8
        CanonicalJSON.writeString(time.ledgerString, into: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Leaf hash = SHA-256(0x00 ‖ JCS(entry)).
    public static func leafHash(canonicalBytes: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update([UInt8(0)])
        hasher.update(canonicalBytes)
        return hasher.finalize()
    }

    /// Reads an entry object, strictly: exactly the six fields, each of its type and grammar.
    public init(json value: JSONValue) throws(LedgerError) {
        guard case .object(let members) = value else {
            throw LedgerError(.malformed, "entry-schema", "an entry must be a JSON object")
        }
        // Six members that are all expected ones are exactly the six fields (the checks below
        // require each); only otherwise is the unexpected one looked for.
        if members.count > 6 || !members.keys.allSatisfy(Self.fieldNames.contains) {
            if let extra = Set(members.keys).subtracting(Self.fieldNames).sorted().first {
                throw LedgerError(.malformed, "entry-schema", field: "/\(extra)", "'\(extra)' is not a field of an entry")
            }
        }
        guard case .integer(let seq)? = members["seq"], seq >= 0 else {
            throw LedgerError(.malformed, "entry-schema", field: "/seq", "'seq' must be a non-negative integer")
        }
        guard case .string(let timeText)? = members["time"], let time = try? Timestamp.parseLedger(timeText) else {
            throw LedgerError(.malformed, "entry-schema", field: "/time", "'time' must be an RFC 3339 UTC time with milliseconds")
        }
        // Hex.decode takes lowercase digits only, so a decoded text is the canonical one.
        guard case .string(let prevText)? = members["prev"], prevText.utf8.count == 64,
            let prev = try? Hex.decode(prevText)
        else {
            throw LedgerError(.malformed, "entry-schema", field: "/prev", "'prev' must be 64 lowercase hex digits")
        }
        guard let command = members["command"], case .object = command else {
            throw LedgerError(.malformed, "entry-schema", field: "/command", "'command' must be an object")
        }
        guard case .string(let signer)? = members["signer"] else {
            throw LedgerError(.malformed, "entry-schema", field: "/signer", "'signer' must be a string")
        }
        guard case .string(let signature)? = members["signature"] else {
            throw LedgerError(.malformed, "entry-schema", field: "/signature", "'signature' must be a string")
        }
        self.init(seq: Int(seq), time: time, prev: prev, command: command, signer: signer, signature: signature)
    }
}
