extension CanonicalJSON {
    /// A readable rendering for people: two-space indentation, members in canonical order,
    /// the same string escapes as the canonical form, no trailing newline.
    ///
    /// Parsing the result gives back the same value; it is never what gets signed or hashed.
    public static func prettyPrinted(_ value: JSONValue) -> String {
        var out: [UInt8] = []
        writePretty(value, indent: 0, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func writePretty(_ value: JSONValue, indent: Int, into out: inout [UInt8]) {
        switch value {
        case .array(let elements) where !elements.isEmpty:
            out.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                out += (position == 0 ? "\n" : ",\n").utf8
                appendIndent(indent + 1, into: &out)
                writePretty(element, indent: indent + 1, into: &out)
            }
            out.append(0x0A)
            appendIndent(indent, into: &out)
            out.append(UInt8(ascii: "]"))
        case .object(let members) where !members.isEmpty:
            out.append(UInt8(ascii: "{"))
            for (position, member) in sortedMembers(members).enumerated() {
                out += (position == 0 ? "\n" : ",\n").utf8
                appendIndent(indent + 1, into: &out)
                writeString(member.key, into: &out)
                out += ": ".utf8
                writePretty(member.value, indent: indent + 1, into: &out)
            }
            out.append(0x0A)
            appendIndent(indent, into: &out)
            out.append(UInt8(ascii: "}"))
        default:
            write(value, into: &out)
        }
    }

    private static func appendIndent(_ level: Int, into out: inout [UInt8]) {
        out += repeatElement(UInt8(ascii: " "), count: level * 2)
    }
}
