import VecheCrypto

/// What a submitter gets for an accepted command (WIRE.md "Receipt").
public struct Receipt: Sendable {
    public let seq: Int
    public let leaf: [UInt8]
    public let entry: LedgerEntry
    /// The C2SP tlog-proof text leading from the leaf to a checkpoint.
    public let proof: TlogProof

    /// JCS(entry) when the maker already had it (the store does), so `canonicalBytes` need
    /// not serialise the entry and its command again.
    private let entryBytes: [UInt8]?

    public init(seq: Int, leaf: [UInt8], entry: LedgerEntry, proof: TlogProof) {
        self.seq = seq
        self.leaf = leaf
        self.entry = entry
        self.proof = proof
        self.entryBytes = nil
    }

    /// A receipt whose entry's canonical bytes are known; they must be `entry.canonicalBytes`.
    public init(seq: Int, leaf: [UInt8], entry: LedgerEntry, entryBytes: [UInt8], proof: TlogProof) {
        assert(entryBytes == entry.canonicalBytes, "entryBytes must be JCS(entry)")
        self.seq = seq
        self.leaf = leaf
        self.entry = entry
        self.proof = proof
        self.entryBytes = entryBytes
    }

    /// JCS(`json`), the body of a 201/200 answer: `{"entry":…,"leaf":"…","proof":"…","seq":n}`
    /// assembled from the entry's canonical bytes — byte for byte `CanonicalJSON.serialize(json)`.
    public var canonicalBytes: [UInt8] {
        let entry = entryBytes ?? self.entry.canonicalBytes
        var out: [UInt8] = []
        out.reserveCapacity(entry.count + proof.text.utf8.count + 120)
        out += #"{"entry":"#.utf8
        out += entry
        out += #","leaf":"#.utf8
        CanonicalJSON.writeString(Hex.encode(leaf), into: &out)
        out += #","proof":"#.utf8
        CanonicalJSON.writeString(proof.text, into: &out)
        out += #","seq":"#.utf8
        CanonicalJSON.writeInteger(Int64(seq), into: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// `{"seq", "leaf", "entry", "proof"}`.
    public var json: JSONValue {
        .object([
            "seq": .integer(Int64(seq)),
            "leaf": .string(Hex.encode(leaf)),
            "entry": entry.json,
            "proof": .string(proof.text),
        ])
    }

    /// Reads a receipt object and checks that it holds together: the entry's leaf hash is
    /// `leaf`, its seq is `seq` and the proof's index; then verifies the proof under `verifier`.
    public static func verify(json value: JSONValue, verifier: NoteVerifier) throws -> Receipt {
        guard case .object(let members) = value,
            case .integer(let seq)? = members["seq"],
            case .string(let leafText)? = members["leaf"],
            let entryValue = members["entry"],
            case .string(let proofText)? = members["proof"],
            members.count == 4
        else {
            throw LedgerError(.malformed, "receipt-schema", "a receipt is {\"seq\", \"leaf\", \"entry\", \"proof\"}")
        }
        let entry = try LedgerEntry(json: entryValue)
        let leaf = LedgerEntry.leafHash(canonicalBytes: entry.canonicalBytes)
        guard Hex.encode(leaf) == leafText, Int64(entry.seq) == seq else {
            throw LedgerError(.malformed, "receipt-mismatch", field: "/leaf", "the receipt's leaf or seq does not match its entry")
        }
        let proof = try TlogProof(parsing: proofText)
        guard proof.index == entry.seq else {
            throw LedgerError(.malformed, "receipt-mismatch", field: "/proof", "the proof is for index \(proof.index), the entry is \(entry.seq)")
        }
        try proof.verify(leafHash: leaf, verifier: verifier)
        return Receipt(seq: entry.seq, leaf: leaf, entry: entry, proof: proof)
    }
}
