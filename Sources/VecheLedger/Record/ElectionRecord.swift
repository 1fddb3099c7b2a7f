/// The election record of WIRE.md: JCS(entry) per line for seq 0..n−1, then
/// JCS({"checkpoint": note}) for size n; every line ends with LF.
public enum ElectionRecord {
    /// The longest line a reader accepts (an entry holds one command of at most 1 MiB,
    /// which escaping inside a string cannot more than double... it is not a string, so
    /// the entry is only slightly larger than the command; 4 MiB leaves ample room).
    public static let maxLineBytes = 4 << 20

    /// The final line for a checkpoint note.
    public static func checkpointLine(note: String) -> [UInt8] {
        CanonicalJSON.serialize(.object(["checkpoint": .string(note)])) + [0x0A]
    }

    /// Writes a whole record: the canonical entries given in order, then the checkpoint.
    public static func write(
        entries: some Sequence<[UInt8]>, checkpointNote: String, to sink: (borrowing [UInt8]) throws -> Void
    ) rethrows {
        for entry in entries {
            try sink(entry + [0x0A])
        }
        try sink(checkpointLine(note: checkpointNote))
    }

    /// If `line` (without LF) is a checkpoint line, the note it carries.
    public static func checkpointNote(inLine line: [UInt8]) -> String? {
        guard line.starts(with: Array(#"{"checkpoint":"#.utf8)),
            let value = try? CanonicalJSON.parse(line),
            case .object(let members) = value, members.count == 1,
            case .string(let note)? = members["checkpoint"]
        else { return nil }
        return note
    }
}
