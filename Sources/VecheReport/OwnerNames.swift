public import VecheCore

/// Owner names for a protocol rendered for an authorised reader (`--names names.csv`).
///
/// The ledger holds pseudonymous owner ids only; names are joined in at rendering time from a
/// two-column CSV `owner;name` (or `owner,name`) the registrar keeps outside the engine.
/// Tolerated: a UTF-8 byte-order mark, CRLF line ends, an optional header row `owner;name`,
/// fields in double quotes with `""` for a quote, spaces around fields, blank lines. Anything
/// else is refused with its 1-based line number.
public enum OwnerNames {
    /// The largest file accepted: 16 MiB.
    public static let maxBytes = 16 << 20
    /// The most rows accepted.
    public static let maxRows = 200_000
    /// The longest name, in Unicode scalars.
    public static let maxNameLength = 300

    /// Parses file bytes, which must be UTF-8.
    public static func parse(bytes: [UInt8]) throws(CSVError) -> [String: String] {
        guard bytes.count <= maxBytes else {
            throw CSVError(line: 0, column: nil, "the file is larger than \(maxBytes >> 20) MiB")
        }
        return try parse(csv: try CSVLexer.decodeUTF8(bytes))
    }

    /// Parses CSV text into owner id → name.
    public static func parse(csv text: String) throws(CSVError) -> [String: String] {
        guard text.utf8.count <= maxBytes else {
            throw CSVError(line: 0, column: nil, "the file is larger than \(maxBytes >> 20) MiB")
        }
        var names: [String: String] = [:]
        var firstLine: [String: Int] = [:]
        var separator: UInt8?
        var rows = 0
        let columns = ["owner", "name"]
        for (offset, line) in try CSVLexer.lines(text).enumerated() {
            let number = offset + 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let chosen = separator ?? (line.contains(UInt8(ascii: ";")) ? UInt8(ascii: ";") : UInt8(ascii: ","))
            let fields = try CSVLexer.fields(line, separator: chosen, line: number) { columns.indices.contains($0) ? columns[$0] : nil }
            if fields.allSatisfy(\.isEmpty) { continue }
            guard fields.count == 2 else {
                throw CSVError(line: number, column: nil, "expected 2 fields (owner\(Character(Unicode.Scalar(chosen)))name), found \(fields.count)")
            }
            if separator == nil {
                separator = chosen
                if fields[0].lowercased() == "owner" && fields[1].lowercased() == "name" { continue }
            }
            rows += 1
            guard rows <= maxRows else { throw CSVError(line: number, column: nil, "the file has more than \(maxRows) rows") }
            let owner = fields[0], name = fields[1]
            guard Identifier.isValid(owner) else {
                throw CSVError(line: number, column: "owner", "\"\(owner)\" is not an owner id ([A-Za-z0-9._:-], 1–64 characters)")
            }
            guard !name.isEmpty else { throw CSVError(line: number, column: "name", "the name is empty") }
            guard name.unicodeScalars.count <= maxNameLength else {
                throw CSVError(line: number, column: "name", "the name is longer than \(maxNameLength) characters")
            }
            guard !name.unicodeScalars.contains(where: TextRules.isControl) else {
                throw CSVError(line: number, column: "name", "the name contains a control character")
            }
            if let earlier = firstLine[owner] {
                throw CSVError(line: number, column: "owner", "owner \"\(owner)\" is already named on line \(earlier)")
            }
            firstLine[owner] = number
            names[owner] = name
        }
        return names
    }
}
