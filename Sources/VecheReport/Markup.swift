/// Builds well-formed markup (HTML written as XML, and SVG): every element is closed by
/// construction and every text and attribute value goes through the one `escape` function.
struct Markup {
    private(set) var xml = ""

    init() {}

    /// The one escaping function for text and attribute values: `& < > " '` become references,
    /// and characters XML 1.0 does not allow (C0 controls other than TAB, LF, CR; U+FFFE,
    /// U+FFFF) become U+FFFD, so any input gives a document an XML parser accepts.
    static func escape(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// `<name a="v">…</name>` around whatever `body` writes.
    mutating func element(_ name: String, _ attributes: KeyValuePairs<String, String> = [:], _ body: (inout Markup) -> Void) {
        open(name, attributes)
        body(&self)
        xml += "</" + name + ">"
    }

    /// `<name a="v">text</name>`, the text escaped.
    mutating func element(_ name: String, _ attributes: KeyValuePairs<String, String> = [:], text content: String) {
        open(name, attributes)
        xml += Self.escape(content)
        xml += "</" + name + ">"
    }

    /// `<name a="v"/>`.
    mutating func empty(_ name: String, _ attributes: KeyValuePairs<String, String> = [:]) {
        xml += "<" + name
        writeAttributes(attributes)
        xml += "/>"
    }

    /// Escaped text.
    mutating func text(_ content: String) {
        xml += Self.escape(content)
    }

    /// Markup already built by another `Markup` (so it is well-formed and escaped).
    mutating func append(_ other: Markup) {
        xml += other.xml
    }

    /// A line break in the source, for people reading it.
    mutating func newline() {
        xml += "\n"
    }

    private mutating func open(_ name: String, _ attributes: KeyValuePairs<String, String>) {
        xml += "<" + name
        writeAttributes(attributes)
        xml += ">"
    }

    private mutating func writeAttributes(_ attributes: KeyValuePairs<String, String>) {
        for (key, value) in attributes {
            xml += " " + key + "=\"" + Self.escape(value) + "\""
        }
    }
}
