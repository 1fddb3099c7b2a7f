/// The lexical layer of the spreadsheet CSV files Veche reads (owner registers, owner names):
/// UTF-8 with an optional byte-order mark, LF or CRLF lines, `;` or `,` separators, double
/// quotes with doubled inner quotes. Errors name the 1-based line and, where known, the column.
public enum CSVLexer {
    /// Decodes UTF-8 bytes, or names the first line that is not UTF-8.
    public static func decodeUTF8(_ bytes: [UInt8]) throws(CSVError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            var line = 1
            var start = 0
            for index in 0...bytes.count where index == bytes.count || bytes[index] == 0x0A {
                if String(validating: bytes[start..<index], as: UTF8.self) == nil { break }
                line += 1
                start = index + 1
            }
            throw CSVError(line: line, column: nil, "the file is not UTF-8 text (save the spreadsheet as \"CSV UTF-8\")")
        }
        return text
    }

    /// The lines of a text (without a leading byte-order mark), split at LF with a CR before
    /// it dropped; a CR anywhere else is refused. A final LF ends the last line.
    public static func lines(_ text: String) throws(CSVError) -> [ArraySlice<UInt8>] {
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        for index in 0..<bytes.count where bytes[index] == 0x0A {
            lines.append(bytes[start..<index])
            start = index + 1
        }
        if start < bytes.count { lines.append(bytes[start...]) }
        for (offset, line) in lines.enumerated() {
            var body = line
            if body.last == 0x0D { body = body.dropLast() }
            if body.contains(0x0D) {
                throw CSVError(line: offset + 1, column: nil, "a carriage return inside a line; lines end with LF or CRLF")
            }
            lines[offset] = body
        }
        return lines
    }

    /// Splits one line into fields: unquoted fields are trimmed of spaces and tabs and may not hold
    /// `"`; a quoted field starts with `"` (after optional spaces), doubles inner quotes, and is
    /// followed only by spaces before the separator or the end.
    public static func fields(
        _ line: ArraySlice<UInt8>, separator: UInt8, line lineNumber: Int, columnName: (Int) -> String?
    ) throws(CSVError) -> [String] {
        let quote = UInt8(ascii: "\"")
        func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
        var fields: [String] = []
        var index = line.startIndex
        while true {
            let column = columnName(fields.count)
            while index < line.endIndex, isBlank(line[index]) { index += 1 }
            var field: [UInt8] = []
            if index < line.endIndex, line[index] == quote {
                index += 1
                var closed = false
                while index < line.endIndex {
                    if line[index] == quote {
                        if index + 1 < line.endIndex, line[index + 1] == quote {
                            field.append(quote)
                            index += 2
                            continue
                        }
                        index += 1
                        closed = true
                        break
                    }
                    field.append(line[index])
                    index += 1
                }
                guard closed else {
                    throw CSVError(line: lineNumber, column: column, "a quoted field is not closed (a field cannot span lines)")
                }
                while index < line.endIndex, isBlank(line[index]) { index += 1 }
                guard index == line.endIndex || line[index] == separator else {
                    throw CSVError(line: lineNumber, column: column, "text after the closing quote of a field")
                }
            } else {
                let start = index
                while index < line.endIndex, line[index] != separator {
                    guard line[index] != quote else {
                        throw CSVError(line: lineNumber, column: column, "a quote inside an unquoted field; quote the whole field and double the inner quotes")
                    }
                    index += 1
                }
                var end = index
                while end > start, isBlank(line[end - 1]) { end -= 1 }
                field.append(contentsOf: line[start..<end])
            }
            fields.append(String(decoding: field, as: UTF8.self))
            guard index < line.endIndex else { break }
            index += 1  // the separator; a trailing one leaves an empty last field
        }
        return fields
    }
}
