/// Veche's canonical JSON: RFC 8785 (JCS) over the subset WIRE.md allows.
///
/// The subset: strings, integers with |n| ≤ 2^53 − 1, booleans, arrays and objects. No
/// fractions, exponents, `-0`, `null`, duplicate keys, lone surrogates or invalid UTF-8.
/// Within it, RFC 8785's number rule reduces to plain decimal integers, so the canonical
/// form is: members sorted by the UTF-16 code units of their names, no whitespace, strings
/// with the minimal escapes, integers in decimal. `Specs/canonical-json.md` has the details.
public enum CanonicalJSON {
    /// Parses `bytes` strictly; the document may carry insignificant whitespace and any key
    /// order (posted bodies need not be canonical), but nothing outside the subset.
    public static func parse(
        _ bytes: some Collection<UInt8>, limits: JSONLimits = .default
    ) throws(JSONParseError) -> JSONValue {
        let count = bytes.count
        guard count <= limits.maxDocumentBytes else {
            throw JSONParseError(
                .documentTooLarge, at: limits.maxDocumentBytes,
                "the document is \(count) bytes, more than the limit of \(limits.maxDocumentBytes)")
        }
        let result: Result<JSONValue, JSONParseError>
        if let contiguous = bytes.withContiguousStorageIfAvailable({ buffer in
            Self.run(buffer, limits)
        }) {
            result = contiguous
        } else {
            result = Array(bytes).withUnsafeBufferPointer { Self.run($0, limits) }
        }
        return try result.get()
    }

    private static func run(_ buffer: UnsafeBufferPointer<UInt8>, _ limits: JSONLimits) -> Result<JSONValue, JSONParseError> {
        var parser = CanonicalJSONParser(bytes: buffer, limits: limits)
        do {
            return .success(try parser.parseDocument())
        } catch {
            return .failure(error)
        }
    }

    /// The canonical (RFC 8785) bytes of `value`.
    ///
    /// `.null` is written as `null` (responses only; the parser refuses it by default).
    /// Integers are written in plain decimal whatever their size; values beyond ±(2^53 − 1)
    /// would not parse back, so code that builds signed or hashed JSON keeps to the range.
    public static func serialize(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out)
        return out
    }

    /// Whether `bytes` is exactly the canonical form of the document it holds (the auditor's
    /// check on every record line).
    public static func isCanonical(_ bytes: some Collection<UInt8>, limits: JSONLimits = .default) -> Bool {
        guard let value = try? parse(bytes, limits: limits) else { return false }
        return serialize(value).elementsEqual(bytes)
    }

    /// Object members in canonical order: by the UTF-16 code units of their names.
    ///
    /// Not Swift's `String <` (which compares by Unicode canonical ordering) nor code points:
    /// characters above U+FFFF (surrogates D800–DFFF) sort before U+E000–U+FFFF in UTF-16.
    public static func sortedMembers(_ members: [String: JSONValue]) -> [(key: String, value: JSONValue)] {
        members.sorted { keyPrecedes($0.key, $1.key) }
    }

    /// Whether `a` sorts before `b` by UTF-16 code units.
    ///
    /// UTF-8 byte order is code point order, which is UTF-16 order except when a character
    /// above U+FFFF (4 UTF-8 bytes, lead byte ≥ 0xF0) meets one in U+E000–U+FFFF. So the
    /// bytes are compared directly, and only keys holding such a character take the UTF-16
    /// path. (Member names are almost always short ASCII.)
    static func keyPrecedes(_ a: String, _ b: String) -> Bool {
        var a = a
        var b = b
        let fast: Bool? = a.withUTF8 { left in
            b.withUTF8 { right in
                let common = min(left.count, right.count)
                for offset in 0..<common {
                    let x = left[offset]
                    let y = right[offset]
                    if x >= 0xF0 || y >= 0xF0 { return nil }
                    if x != y { return x < y }
                }
                // One is a prefix of the other: shorter first, as in UTF-16.
                return left.count < right.count
            }
        }
        return fast ?? a.utf16.lexicographicallyPrecedes(b.utf16)
    }

    static func write(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null:
            out += "null".utf8
        case .bool(let flag):
            out += (flag ? "true" : "false").utf8
        case .integer(let number):
            writeInteger(number, into: &out)
        case .string(let text):
            writeString(text, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                write(element, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (position, member) in sortedMembers(members).enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                writeString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(member.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Plain decimal, without making a `String` first.
    static func writeInteger(_ number: Int64, into out: inout [UInt8]) {
        if number == 0 {
            out.append(UInt8(ascii: "0"))
            return
        }
        if number < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // room for 20 digits
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            while magnitude > 0 {
                buffer[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            }
            for position in stride(from: count - 1, through: 0, by: -1) { out.append(buffer[position]) }
        }
    }

    /// A string with RFC 8785's escapes: `\"`, `\\`, `\b \f \n \r \t`, other controls as
    /// `\u00xx` (lowercase), everything else as literal UTF-8.
    static func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        // Most strings need no escape: copy them in one go.
        let copied = text.withUTF8 { bytes in
            for byte in bytes where byte < 0x20 || byte == 0x22 || byte == 0x5C { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if copied {
            out.append(UInt8(ascii: "\""))
            return
        }
        // Bytes of multi-byte UTF-8 sequences are all ≥ 0x80, so byte-wise escaping is exact.
        for byte in text.utf8 {
            switch byte {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x08: out += [0x5C, UInt8(ascii: "b")]
            case 0x0C: out += [0x5C, UInt8(ascii: "f")]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0x00..<0x20:
                out += [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                        hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
