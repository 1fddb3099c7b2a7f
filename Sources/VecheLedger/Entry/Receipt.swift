import VecheCrypto

/// What a submitter gets for an accepted command (WIRE.md "Receipt").
public struct Receipt: Sendable {
    public let seq: Int
    public let leaf: [UInt8]
    public let entry: LedgerEntry
    /// The C2SP tlog-proof text leading from the leaf to a checkpoint.
    public let proof: TlogProof

    public init(seq: Int, leaf: [UInt8], entry: LedgerEntry, proof: TlogProof) {
        self.seq = seq
        self.leaf = leaf
        self.entry = entry
        self.proof = proof
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
