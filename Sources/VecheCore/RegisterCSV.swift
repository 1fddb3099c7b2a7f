/// A refusal of an owner-register CSV file: where (1-based line, column name) and why.
public struct CSVError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The 1-based line of the file at fault; 0 when the fault is not on one line (size, building id).
    public var line: Int
    /// The column at fault (a header name, or `building`/`address` for the arguments), if one is.
    public var column: String?
    /// What is wrong.
    public var message: String

    /// An error.
    public init(line: Int, column: String?, _ message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// `line 14, column area: message`.
    public var description: String {
        var place = line > 0 ? "line \(line)" : "register"
        if let column { place += ", column \(column)" }
        return "\(place): \(message)"
    }
}

/// Reads an owner register from CSV, as registers arrive from spreadsheets. See `Specs/register-csv.md`.
///
/// One row per stake, with a header naming the columns `number`, `kind`, `area`, `holders`,
/// `share` and optionally `cadastral`, in any order. Rows with the same `number` (anywhere in
/// the file) form one premises, in order of first appearance; its `kind`, `area` and
/// `cadastral` must agree on every row. Tolerated: a UTF-8 byte-order mark, CRLF line ends,
/// `;` or `,` as separator (whichever the header line uses), a decimal comma in `area` when the
/// separator is `;`, quoted fields with `""` escapes, spaces around unquoted fields, and rows whose
/// fields are all empty. Anything else is refused with the line and column.
public enum RegisterCSV {
    /// The largest file accepted: 16 MiB.
    public static let maxBytes = 16 << 20
    /// The most stake rows accepted.
    public static let maxRows = 100_000
    /// The columns a header may name.
    public static let knownColumns = ["number", "kind", "area", "cadastral", "holders", "share"]
    /// The columns a header must name.
    public static let requiredColumns = ["number", "kind", "area", "holders", "share"]

    /// Parses CSV bytes, which must be UTF-8 (a spreadsheet's "CSV UTF-8"), into a validated register.
    public static func parse(bytes: [UInt8], building: String, address: String) throws(CSVError) -> Register {
        guard bytes.count <= maxBytes else {
            throw CSVError(line: 0, column: nil, "the file is larger than \(maxBytes >> 20) MiB")
        }
        let text = try CSVLexer.decodeUTF8(bytes)
        return try parse(text: text, building: building, address: address)
    }

    /// Parses CSV text into a validated register (`Register.validate()` has passed).
    public static func parse(text: String, building: String, address: String) throws(CSVError) -> Register {
        guard text.utf8.count <= maxBytes else {
            throw CSVError(line: 0, column: nil, "the file is larger than \(maxBytes >> 20) MiB")
        }
        do throws(DomainError) {
            try TextRules.check(building, .identifier, at: [.key("building")])
            try TextRules.check(address, .freeText, at: [.key("address")])
        } catch {
            throw CSVError(line: 0, column: DomainError.fieldName(error.path, default: "building"), error.message)
        }
        let lines = try CSVLexer.lines(text)
        guard let headerLine = lines.first, !headerLine.isEmpty else {
            throw CSVError(line: 1, column: nil, "the header line is missing; it names the columns \(knownColumns.joined(separator: ", "))")
        }
        let separator = try detectSeparator(headerLine)
        let columns = try header(headerLine, separator: separator)

        var builder = Builder(columns: columns, decimalComma: separator == UInt8(ascii: ";"))
        var rows = 0
        for (offset, line) in lines.enumerated().dropFirst() {
            let lineNumber = offset + 1
            let fields = try CSVLexer.fields(line, separator: separator, line: lineNumber) { columns.indices.contains($0) ? columns[$0] : nil }
            if fields.allSatisfy(\.isEmpty) { continue }
            guard fields.count == columns.count else {
                throw CSVError(line: lineNumber, column: nil, "the row has \(fields.count) fields but the header names \(columns.count) columns")
            }
            rows += 1
            guard rows <= maxRows else {
                throw CSVError(line: lineNumber, column: nil, "the file has more than \(maxRows) rows")
            }
            try builder.add(fields, line: lineNumber)
        }
        return try builder.register(building: building, address: address)
    }

    // MARK: - Lines and fields

    static func detectSeparator(_ header: ArraySlice<UInt8>) throws(CSVError) -> UInt8 {
        let semicolon = header.contains(UInt8(ascii: ";"))
        let comma = header.contains(UInt8(ascii: ","))
        switch (semicolon, comma) {
        case (true, false): return UInt8(ascii: ";")
        case (false, true): return UInt8(ascii: ",")
        case (true, true):
            throw CSVError(line: 1, column: nil, "the header line holds both ';' and ','; use one of them as the separator")
        case (false, false):
            throw CSVError(line: 1, column: nil, "the header line has no separator; columns are separated by ';' or ','")
        }
    }

    static func header(_ line: ArraySlice<UInt8>, separator: UInt8) throws(CSVError) -> [String] {
        let fields = try CSVLexer.fields(line, separator: separator, line: 1) { _ in nil }
        var columns: [String] = []
        for field in fields {
            let name = field.lowercased()
            guard knownColumns.contains(name) else {
                throw CSVError(line: 1, column: field, "unknown column \(DomainError.quote(field)); the columns are \(knownColumns.joined(separator: ", "))")
            }
            guard !columns.contains(name) else {
                throw CSVError(line: 1, column: name, "the column \(name) is named twice")
            }
            columns.append(name)
        }
        for required in requiredColumns where !columns.contains(required) {
            throw CSVError(line: 1, column: required, "the header lacks the column \(required)")
        }
        return columns
    }

    // MARK: - Building the register

    private struct Builder {
        let columns: [String]
        let decimalComma: Bool
        var premises: [Premises] = []
        /// Per premises: the line of each stake row.
        var lines: [[Int]] = []
        var indexByNumber: [[UInt8]: Int] = [:]

        let columnIndex: [String: Int]

        init(columns: [String], decimalComma: Bool) {
            self.columns = columns
            self.columnIndex = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })
            self.decimalComma = decimalComma
        }

        mutating func add(_ fields: [String], line: Int) throws(CSVError) {
            func row(_ column: String) -> String {
                guard let index = columnIndex[column] else { return "" }
                return fields[index]
            }
            func fail(_ column: String, _ message: String) -> CSVError { CSVError(line: line, column: column, message) }
            func domain(_ column: String, _ body: () throws(DomainError) -> Void) throws(CSVError) {
                do throws(DomainError) { try body() } catch { throw fail(column, error.message) }
            }

            let number = row("number")
            try domain("number") { () throws(DomainError) in try TextRules.check(number, .premisesNumber, at: [.key("number")]) }

            let kindText = row("kind")
            let kind: PremisesKind
            switch kindText.lowercased() {
            case "residential", "жилое": kind = .residential
            case "non-residential", "нежилое": kind = .nonResidential
            default:
                throw fail("kind", "kind \(DomainError.quote(kindText)) must be residential or non-residential (жилое or нежилое)")
            }

            var areaText = row("area")
            var note = ""
            if decimalComma, areaText.utf8.contains(UInt8(ascii: ",")), !areaText.utf8.contains(UInt8(ascii: ".")) {
                areaText = String(areaText.map { $0 == "," ? "." : $0 })
                note = " (the decimal comma is read as a point)"
            }
            var area = Rational.zero
            do throws(DomainError) { area = try Area.parse(areaText, at: [.key("area")]) } catch {
                throw fail("area", error.message + note)
            }

            let cadastralText = row("cadastral")
            let cadastral: String? = cadastralText.isEmpty ? nil : cadastralText
            if let cadastral {
                try domain("cadastral") { () throws(DomainError) in try TextRules.check(cadastral, .cadastral, at: [.key("cadastral")]) }
            }

            let holdersText = row("holders")
            guard !holdersText.isEmpty else { throw fail("holders", "holders must name at least one owner id") }
            var holders: [String] = []
            for part in holdersText.split(separator: "+", omittingEmptySubsequences: false) {
                let holder = String(part).trimmingBlanks()
                try domain("holders") { () throws(DomainError) in try TextRules.check(holder, .identifier, at: [.key("holder")]) }
                holders.append(holder)
            }

            let shareText = row("share")
            var share = Rational.zero
            do throws(DomainError) { share = try Share.parse(shareText, at: [.key("share")]) } catch {
                throw fail("share", error.message)
            }
            let stake = Stake(holders: holders, share: share, shareText: shareText)

            let key = Array(number.utf8)
            if let index = indexByNumber[key] {
                let first = premises[index]
                let firstLine = lines[index][0]
                guard first.kind == kind else {
                    throw fail("kind", "premises \(DomainError.quote(number)) is \(first.kind.rawValue) on line \(firstLine) but \(kind.rawValue) here")
                }
                guard first.area == area else {
                    throw fail("area", "premises \(DomainError.quote(number)) has area \(first.areaText) on line \(firstLine) but \(areaText) here")
                }
                guard first.cadastral == cadastral else {
                    throw fail("cadastral", "premises \(DomainError.quote(number)) has cadastral number \(first.cadastral ?? "(none)") on line \(firstLine) but \(cadastral ?? "(none)") here")
                }
                premises[index].stakes.append(stake)
                lines[index].append(line)
            } else {
                indexByNumber[key] = premises.count
                premises.append(Premises(number: number, kind: kind, area: area, areaText: areaText, cadastral: cadastral, stakes: [stake]))
                lines.append([line])
            }
        }

        func register(building: String, address: String) throws(CSVError) -> Register {
            let register = Register(building: building, address: address, premises: premises)
            do throws(DomainError) {
                try register.validate()
            } catch {
                throw locate(error)
            }
            return register
        }

        /// Maps a validation error's path back to the row and column it came from.
        private func locate(_ error: DomainError) -> CSVError {
            let path = error.path
            guard path.count >= 2, case .index(let premisesIndex) = path[1], lines.indices.contains(premisesIndex) else {
                if path.first == .key("premises") {
                    return CSVError(line: 0, column: nil, "the file lists no premises: \(error.message)")
                }
                return CSVError(line: 0, column: DomainError.fieldName(path, default: "register"), error.message)
            }
            let rowLines = lines[premisesIndex]
            if path.count >= 4, case .index(let stakeIndex) = path[3], rowLines.indices.contains(stakeIndex) {
                let column = path.count >= 5 ? DomainError.fieldName([path[4]], default: "holders") : "holders"
                return CSVError(line: rowLines[stakeIndex], column: column, error.message)
            }
            let column = DomainError.fieldName(Array(path.dropFirst(2)), default: "number")
            if column == "stakes" {
                let list = rowLines.map(String.init).joined(separator: ", ")
                return CSVError(line: rowLines[0], column: "share", error.message + " (rows on lines \(list))")
            }
            return CSVError(line: rowLines[0], column: column, error.message)
        }
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    func trimmingBlanks() -> String {
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, first == " " || first == "\t" { scalars = scalars.dropFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars = scalars.dropLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}
