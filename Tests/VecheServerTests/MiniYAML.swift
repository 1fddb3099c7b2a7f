import VecheLedger

/// A reader for the YAML subset `Specs/openapi.yaml` is written in, into `JSONValue`.
///
/// The subset: block mappings and block sequences (indented with spaces), plain,
/// single- and double-quoted scalars, literal (`|`) and folded (`>`) block scalars with
/// clip chomping, flat flow sequences of scalars (`[a, 'b']`), `{}` and `[]`, and
/// full-line comments. Anything else (anchors, aliases, tags, documents, inline comments,
/// tabs, nested flow collections, duplicate keys) is refused with the line number, so the
/// spec cannot drift into YAML this reader would misread.
enum MiniYAML {
    struct Failure: Error, CustomStringConvertible {
        let line: Int
        let message: String
        var description: String { "line \(line): \(message)" }
    }

    static func parse(_ text: String) throws -> JSONValue {
        if let tab = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex(where: { $0.contains("\t") }) {
            throw Failure(line: tab + 1, message: "tabs are not in the subset")
        }
        var parser = Parser(lines: text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
        guard let first = parser.nextSignificant() else { return .null }
        let value = try parser.node(indent: first.indent)
        if let extra = parser.nextSignificant() {
            throw Failure(line: extra.number, message: "unexpected content at indent \(extra.indent)")
        }
        return value
    }

    private struct Parser {
        var lines: [String]
        var index = 0

        struct Line {
            let number: Int
            let indent: Int
            let content: String
        }

        /// The next line that is neither blank nor a comment (not consumed).
        mutating func nextSignificant() -> Line? {
            while index < lines.count {
                let line = lines[index]
                let content = line.drop(while: { $0 == " " })
                if content.isEmpty || content.hasPrefix("#") {
                    index += 1
                    continue
                }
                return Line(number: index + 1, indent: line.count - content.count, content: String(content))
            }
            return nil
        }

        mutating func node(indent: Int) throws -> JSONValue {
            guard let line = nextSignificant() else { return .null }
            if line.content == "-" || line.content.hasPrefix("- ") { return try sequence(indent: line.indent) }
            return try mapping(indent: line.indent)
        }

        mutating func sequence(indent: Int) throws -> JSONValue {
            var items: [JSONValue] = []
            while let line = nextSignificant(), line.indent == indent, line.content == "-" || line.content.hasPrefix("- ") {
                if line.content == "-" {
                    index += 1
                    guard let child = nextSignificant(), child.indent > indent else {
                        items.append(.null)
                        continue
                    }
                    items.append(try node(indent: child.indent))
                    continue
                }
                let rest = String(line.content.dropFirst(2))
                let restIndent = indent + 2 + rest.prefix(while: { $0 == " " }).count
                if try Self.splitKey(rest.trimmingLeadingSpaces, line: line.number) != nil {
                    // A mapping inside the item: read the dash as a space and the mapping at its column.
                    lines[index] = String(repeating: " ", count: restIndent) + rest.trimmingLeadingSpaces
                    items.append(try mapping(indent: restIndent))
                } else {
                    index += 1
                    items.append(try scalar(rest.trimmingLeadingSpaces, line: line.number, indent: indent))
                }
            }
            return .array(items)
        }

        mutating func mapping(indent: Int) throws -> JSONValue {
            var members: [String: JSONValue] = [:]
            while let line = nextSignificant(), line.indent >= indent {
                guard line.indent == indent else { throw Failure(line: line.number, message: "unexpected indent \(line.indent), expected \(indent)") }
                if line.content.hasPrefix("- ") || line.content == "-" { break }
                guard let (key, rest) = try Self.splitKey(line.content, line: line.number) else {
                    throw Failure(line: line.number, message: "expected 'key: value'")
                }
                guard members[key] == nil else { throw Failure(line: line.number, message: "duplicate key '\(key)'") }
                index += 1
                if rest.isEmpty {
                    if let child = nextSignificant(), child.indent > indent
                        || (child.indent == indent && (child.content.hasPrefix("- ") || child.content == "-"))
                    {
                        members[key] = try node(indent: child.indent)
                    } else {
                        members[key] = .null
                    }
                } else {
                    members[key] = try scalar(rest, line: line.number, indent: indent)
                }
            }
            return .object(members)
        }

        /// `key: rest` or `key:`; nil when the text is not a mapping entry.
        static func splitKey(_ text: String, line: Int) throws -> (String, String)? {
            if text.hasPrefix("'") || text.hasPrefix("\"") {
                guard let (key, end) = try quoted(text, line: line) else { return nil }
                let after = text[end...]
                guard after.hasPrefix(":") else { return nil }
                let rest = after.dropFirst()
                guard rest.isEmpty || rest.hasPrefix(" ") else { return nil }
                return (key, String(rest).trimmingLeadingSpaces)
            }
            if let range = text.range(of: ": ") {
                return (String(text[..<range.lowerBound]), String(text[range.upperBound...]).trimmingLeadingSpaces)
            }
            if text.hasSuffix(":") { return (String(text.dropLast()), "") }
            return nil
        }

        /// A quoted string at the start of `text` and the index after its closing quote.
        static func quoted(_ text: String, line: Int) throws -> (String, String.Index)? {
            guard let quote = text.first, quote == "'" || quote == "\"" else { return nil }
            var out = ""
            var position = text.index(after: text.startIndex)
            while position < text.endIndex {
                let character = text[position]
                if quote == "'" && character == "'" {
                    let next = text.index(after: position)
                    if next < text.endIndex && text[next] == "'" {
                        out.append("'")
                        position = text.index(after: next)
                        continue
                    }
                    return (out, next)
                }
                if quote == "\"" && character == "\"" { return (out, text.index(after: position)) }
                if quote == "\"" && character == "\\" {
                    let escape = text.index(after: position)
                    guard escape < text.endIndex else { break }
                    switch text[escape] {
                    case "\\": out.append("\\")
                    case "\"": out.append("\"")
                    case "/": out.append("/")
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    default: throw Failure(line: line, message: "escape \\\(text[escape]) is not in the subset")
                    }
                    position = text.index(after: escape)
                    continue
                }
                out.append(character)
                position = text.index(after: position)
            }
            throw Failure(line: line, message: "unterminated quoted string")
        }

        mutating func scalar(_ text: String, line: Int, indent: Int) throws -> JSONValue {
            if text == "|" || text == ">" { return .string(blockScalar(folded: text == ">", parentIndent: indent)) }
            if text.hasPrefix("&") || text.hasPrefix("*") || text.hasPrefix("!") || text.hasPrefix("%") || text.hasPrefix("@") || text.hasPrefix("`") {
                throw Failure(line: line, message: "'\(text.prefix(1))' (anchors, aliases, tags, reserved) is not in the subset")
            }
            if text.hasPrefix("|") || text.hasPrefix(">") { throw Failure(line: line, message: "only | and > block scalars are in the subset") }
            if text.hasPrefix("'") || text.hasPrefix("\"") {
                guard let (value, end) = try Self.quoted(text, line: line), text[end...].allSatisfy({ $0 == " " }) else {
                    throw Failure(line: line, message: "text after a quoted scalar")
                }
                return .string(value)
            }
            if text == "{}" { return .object([:]) }
            if text.hasPrefix("{") { throw Failure(line: line, message: "flow mappings are not in the subset") }
            if text.hasPrefix("[") { return try flowSequence(text, line: line) }
            return try plain(text, line: line)
        }

        func plain(_ raw: String, line: Int) throws -> JSONValue {
            var text = raw
            while text.hasSuffix(" ") { text.removeLast() }
            if text.contains(" #") { throw Failure(line: line, message: "inline comments are not in the subset") }
            if text.contains(": ") { throw Failure(line: line, message: "': ' inside a plain scalar") }
            switch text {
            case "true": return .bool(true)
            case "false": return .bool(false)
            case "null", "~": return .null
            case "yes", "no", "on", "off", "y", "n", "Yes", "No", "On", "Off", "YES", "NO", "ON", "OFF":
                throw Failure(line: line, message: "'\(text)' means a boolean in YAML 1.1 readers: quote it")
            default: break
            }
            if let number = Int64(text), String(number) == text { return .integer(number) }
            if text.first.map({ $0.isNumber || $0 == "-" || $0 == "+" || $0 == "." }) == true, Double(text) != nil {
                throw Failure(line: line, message: "'\(text)' reads as a float: quote it")
            }
            return .string(text)
        }

        func flowSequence(_ text: String, line: Int) throws -> JSONValue {
            guard text.hasSuffix("]") else { throw Failure(line: line, message: "a flow sequence must end the line") }
            let inner = text.dropFirst().dropLast()
            if inner.allSatisfy({ $0 == " " }) { return .array([]) }
            var items: [JSONValue] = []
            var rest = Substring(inner)
            while true {
                rest = rest.drop(while: { $0 == " " })
                if rest.hasPrefix("'") || rest.hasPrefix("\"") {
                    guard let (value, end) = try Self.quoted(String(rest), line: line) else { break }
                    items.append(.string(value))
                    let text = String(rest)
                    rest = Substring(text[end...]).drop(while: { $0 == " " })
                } else {
                    let token = rest.prefix(while: { $0 != "," })
                    if token.contains("[") || token.contains("{") || token.contains("]") || token.contains("}") {
                        throw Failure(line: line, message: "nested flow collections are not in the subset")
                    }
                    items.append(try plain(String(token).trimmingLeadingSpaces, line: line))
                    rest = rest.dropFirst(token.count)
                }
                if rest.isEmpty { break }
                guard rest.hasPrefix(",") else { throw Failure(line: line, message: "expected ',' in a flow sequence") }
                rest = rest.dropFirst()
            }
            return .array(items)
        }

        /// The lines indented deeper than the parent, literal or folded, ending in one LF.
        mutating func blockScalar(folded: Bool, parentIndent: Int) -> String {
            var collected: [String] = []
            var blockIndent: Int?
            while index < lines.count {
                let line = lines[index]
                let content = line.drop(while: { $0 == " " })
                let lineIndent = line.count - content.count
                if content.isEmpty {
                    collected.append("")
                    index += 1
                    continue
                }
                if lineIndent <= parentIndent { break }
                if blockIndent == nil { blockIndent = lineIndent }
                guard let blockIndent, lineIndent >= blockIndent else { break }
                collected.append(String(line.dropFirst(blockIndent)))
                index += 1
            }
            while collected.last == "" { collected.removeLast() }
            guard !collected.isEmpty else { return "" }
            if !folded { return collected.joined(separator: "\n") + "\n" }
            var out = ""
            var previousBlank = true
            for line in collected {
                if line.isEmpty {
                    out += "\n"
                    previousBlank = true
                } else {
                    if !previousBlank { out += " " }
                    out += line
                    previousBlank = false
                }
            }
            return out + "\n"
        }
    }
}

extension String {
    var trimmingLeadingSpaces: String { String(drop(while: { $0 == " " })) }
}
