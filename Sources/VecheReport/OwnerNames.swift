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
        guard let text = String(validating: bytes, as: UTF8.self) else {
            var line = 1
            var start = 0
            for index in 0...bytes.count where index == bytes.count || bytes[index] == 0x0A {
                if String(validating: bytes[start..<index], as: UTF8.self) == nil { break }
                line += 1
                start = index + 1
            }
            throw CSVError(line: line, column: nil, "the file is not UTF-8 text (save it as \"CSV UTF-8\")")
        }
        return try parse(csv: text)
    }

    /// Parses CSV text into owner id → name.
    public static func parse(csv text: String) throws(CSVError) -> [String: String] {
        guard text.utf8.count <= maxBytes else {
            throw CSVError(line: 0, column: nil, "the file is larger than \(maxBytes >> 20) MiB")
        }
        // Scalars, not Characters: Swift joins CR LF (and a separator with a following
        // combining mark) into one Character, which would hide line ends and separators.
        var body = Array(text.unicodeScalars)[...]
        if body.first == "\u{FEFF}" { body = body.dropFirst() }
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        var names: [String: String] = [:]
        var firstLine: [String: Int] = [:]
        var separator: Unicode.Scalar?
        var rows = 0
        for (offset, rawLine) in lines.enumerated() {
            let number = offset + 1
            var line = rawLine
            if line.last == "\r" { line = line.dropLast() }
            guard !line.contains("\r") else {
                throw CSVError(line: number, column: nil, "a carriage return inside a line; lines end with LF or CRLF")
            }
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let chosen: Unicode.Scalar = separator ?? (line.contains(";") ? ";" : ",")
            let fields = try split(line, separator: chosen, line: number)
            if fields.allSatisfy(\.isEmpty) { continue }
            guard fields.count == 2 else {
                throw CSVError(line: number, column: nil, "expected 2 fields (owner\(chosen)name), found \(fields.count)")
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

    /// Splits one line at `separator`, honouring double quotes (`""` inside); trims spaces and
    /// tabs around each field.
    private static func split(_ line: ArraySlice<Unicode.Scalar>, separator: Unicode.Scalar, line number: Int) throws(CSVError) -> [String] {
        var fields: [String] = []
        var index = line.startIndex
        func isBlank(_ scalar: Unicode.Scalar) -> Bool { scalar == " " || scalar == "\t" }
        while true {
            while index < line.endIndex, isBlank(line[index]) { index += 1 }
            var current = String.UnicodeScalarView()
            if index < line.endIndex, line[index] == "\"" {
                index += 1
                var closed = false
                while index < line.endIndex {
                    let scalar = line[index]
                    index += 1
                    if scalar == "\"" {
                        if index < line.endIndex, line[index] == "\"" {
                            current.append("\"")
                            index += 1
                        } else {
                            closed = true
                            break
                        }
                    } else {
                        current.append(scalar)
                    }
                }
                guard closed else { throw CSVError(line: number, column: nil, "a quoted field is not closed on its line") }
                while index < line.endIndex, isBlank(line[index]) { index += 1 }
                guard index == line.endIndex || line[index] == separator else {
                    throw CSVError(line: number, column: nil, "text after a closing quote")
                }
            } else {
                while index < line.endIndex, line[index] != separator {
                    guard line[index] != "\"" else {
                        throw CSVError(line: number, column: nil, "a quote inside an unquoted field (quote the whole field and double the quote)")
                    }
                    current.append(line[index])
                    index += 1
                }
                while let last = current.last, isBlank(last) { current.removeLast() }
            }
            fields.append(String(current))
            guard index < line.endIndex else { break }
            index += 1  // past the separator
        }
        return fields
    }
}
