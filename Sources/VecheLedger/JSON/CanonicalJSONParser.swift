/// The strict parser behind `CanonicalJSON.parse`: one pass over the bytes, no recursion
/// deeper than `JSONLimits.maxDepth`, every refusal with its byte offset.
struct CanonicalJSONParser: ~Copyable {
    private let bytes: UnsafeBufferPointer<UInt8>
    private let limits: JSONLimits
    private var index = 0
    /// The path to the value being read, for error pointers. Kept as a stack of steps and
    /// turned into a `JSONPointer` only when an error needs it: building a pointer (and a
    /// string for every array index) per value was a large part of parsing time.
    private var path: [PathStep] = []

    private enum PathStep {
        case key(String)
        case index(Int)
    }

    /// The pointer to the value being read.
    private var pointer: JSONPointer {
        JSONPointer(path.map { step in
            switch step {
            case .key(let key): key
            case .index(let index): String(index)
            }
        })
    }

    init(bytes: UnsafeBufferPointer<UInt8>, limits: JSONLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            throw fail(.byteOrderMark, at: 0, "a byte order mark is not allowed; JSON text is plain UTF-8")
        }
        skipWhitespace()
        guard index < bytes.count else {
            throw fail(.unexpectedEnd, at: index, "the document is empty")
        }
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard index == bytes.count else {
            throw fail(.trailingGarbage, at: index, "unexpected \(describe(bytes[index])) after the end of the JSON value")
        }
        return value
    }

    // MARK: Values

    private mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else {
            throw fail(.unexpectedEnd, at: index, "the document ends where a value was expected")
        }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["):
            return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .integer(try parseInteger())
        case UInt8(ascii: "t"):
            try parseLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try parseLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            let start = index
            try parseLiteral("null")
            guard limits.allowsNull else {
                throw fail(.null, at: start, "null is not allowed in signed JSON; omit the field instead")
            }
            return .null
        default:
            throw fail(.unexpectedCharacter, at: index, "unexpected \(describe(bytes[index])) where a value was expected")
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        let start = index
        guard depth <= limits.maxDepth else {
            throw fail(.tooDeep, at: start, "nesting deeper than \(limits.maxDepth) levels")
        }
        index += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count else {
                throw fail(.unexpectedEnd, at: index, "the document ends inside an object")
            }
            guard bytes[index] == UInt8(ascii: "\"") else {
                throw fail(.unexpectedCharacter, at: index, "expected a member name in double quotes, found \(describe(bytes[index]))")
            }
            let keyStart = index
            let key = try parseString()
            // Swift compares strings by canonical equivalence, so two names that differ only
            // in Unicode normalisation count as duplicates too: stricter than byte equality,
            // and a JSONValue could not hold both anyway.
            if members[key] != nil {
                throw JSONParseError(
                    .duplicateKey, at: keyStart, pointer: pointer.appending(key), "duplicate member name \(quoted(key))")
            }
            guard members.count < limits.maxContainerCount else {
                throw fail(.tooManyMembers, at: keyStart, "an object has more than \(limits.maxContainerCount) members")
            }
            skipWhitespace()
            guard index < bytes.count else {
                throw fail(.unexpectedEnd, at: index, "the document ends inside an object")
            }
            guard bytes[index] == UInt8(ascii: ":") else {
                throw fail(.unexpectedCharacter, at: index, "expected ':' after member name \(quoted(key)), found \(describe(bytes[index]))")
            }
            index += 1
            skipWhitespace()
            path.append(.key(key))
            let value = try parseValue(depth: depth)
            path.removeLast()
            members[key] = value
            skipWhitespace()
            guard index < bytes.count else {
                throw fail(.unexpectedEnd, at: index, "the document ends inside an object")
            }
            switch bytes[index] {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "}"):
                index += 1
                return .object(members)
            default:
                throw fail(.unexpectedCharacter, at: index, "expected ',' or '}' in an object, found \(describe(bytes[index]))")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        let start = index
        guard depth <= limits.maxDepth else {
            throw fail(.tooDeep, at: start, "nesting deeper than \(limits.maxDepth) levels")
        }
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            guard elements.count < limits.maxContainerCount else {
                throw fail(.tooManyMembers, at: index, "an array has more than \(limits.maxContainerCount) elements")
            }
            path.append(.index(elements.count))
            let value = try parseValue(depth: depth)
            path.removeLast()
            elements.append(value)
            skipWhitespace()
            guard index < bytes.count else {
                throw fail(.unexpectedEnd, at: index, "the document ends inside an array")
            }
            switch bytes[index] {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "]"):
                index += 1
                return .array(elements)
            default:
                throw fail(.unexpectedCharacter, at: index, "expected ',' or ']' in an array, found \(describe(bytes[index]))")
            }
        }
    }

    private mutating func parseLiteral(_ word: StaticString) throws(JSONParseError) {
        let start = index
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for byte in expected {
            guard index < bytes.count, bytes[index] == byte else {
                throw fail(.invalidLiteral, at: start, "invalid literal; expected \(word)")
            }
            index += 1
        }
    }

    // MARK: Numbers

    private mutating func parseInteger() throws(JSONParseError) -> Int64 {
        let start = index
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else {
            throw fail(.invalidNumber, at: start, "'-' must be followed by a digit")
        }
        var magnitude: Int64 = 0
        var overflow = false
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) {
                throw fail(.leadingZero, at: start, "numbers must not have leading zeros")
            }
        } else {
            while index < bytes.count, isDigit(bytes[index]) {
                if !overflow {
                    magnitude = magnitude * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
                    // Stop accumulating once past the limit; 2^53 × 10 still fits in Int64.
                    if magnitude > JSONValue.maxSafeInteger { overflow = true }
                }
                index += 1
            }
        }
        if index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "."):
                throw fail(.fraction, at: index, "numbers must be integers; write decimals as strings (\"54.30\")")
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                throw fail(.exponent, at: index, "numbers must be plain integers without an exponent")
            default:
                break
            }
        }
        if overflow {
            throw fail(.integerOutOfRange, at: start, "integer beyond ±9007199254740991 (2^53 − 1)")
        }
        if negative && magnitude == 0 {
            throw fail(.negativeZero, at: start, "-0 is not allowed; write 0")
        }
        return negative ? -magnitude : magnitude
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    // MARK: Strings

    /// Reads a string starting at its opening quote; returns it unescaped.
    ///
    /// Most strings hold no escapes: those are validated in place and made into a `String`
    /// in one copy. Anything else (an escape, a control character, invalid UTF-8, a string
    /// over the limit, no closing quote) is read again from the start by the general path,
    /// so errors are exactly the same either way.
    private mutating func parseString() throws(JSONParseError) -> String {
        let start = index
        var position = start + 1
        while position < bytes.count, position - start - 1 <= limits.maxStringBytes {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                index = position + 1
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[(start + 1)..<position]), as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            if byte < 0x80 {
                position += 1
            } else if let length = try? utf8SequenceLength(at: position) {
                position += length
            } else {
                break
            }
        }
        return try parseEscapedString()
    }

    /// The general path of `parseString`: escapes, and every refusal with its offset.
    private mutating func parseEscapedString() throws(JSONParseError) -> String {
        let start = index
        index += 1
        var decoded: [UInt8] = []
        while true {
            guard index < bytes.count else {
                throw fail(.unexpectedEnd, at: start, "unterminated string")
            }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: decoded, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &decoded)
            case 0x00..<0x20:
                throw fail(.controlCharacter, at: index, "control character \(describe(byte)) in a string must be escaped")
            case 0x20..<0x80:
                decoded.append(byte)
                index += 1
            default:
                let length = try utf8SequenceLength(at: index)
                decoded.append(contentsOf: bytes[index..<index + length])
                index += length
            }
            if decoded.count > limits.maxStringBytes {
                throw fail(.stringTooLong, at: start, "a string is longer than \(limits.maxStringBytes) bytes")
            }
        }
    }

    private mutating func parseEscape(into decoded: inout [UInt8]) throws(JSONParseError) {
        let start = index
        guard index + 1 < bytes.count else {
            throw fail(.unexpectedEnd, at: start, "the document ends inside an escape")
        }
        let code = bytes[index + 1]
        index += 2
        switch code {
        case UInt8(ascii: "\""): decoded.append(0x22)
        case UInt8(ascii: "\\"): decoded.append(0x5C)
        case UInt8(ascii: "/"): decoded.append(0x2F)
        case UInt8(ascii: "b"): decoded.append(0x08)
        case UInt8(ascii: "f"): decoded.append(0x0C)
        case UInt8(ascii: "n"): decoded.append(0x0A)
        case UInt8(ascii: "r"): decoded.append(0x0D)
        case UInt8(ascii: "t"): decoded.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try parseHex4(escapeStart: start)
            var scalarValue = UInt32(unit)
            if (0xD800...0xDBFF).contains(unit) {
                // A high surrogate must be followed at once by an escaped low surrogate.
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw fail(.loneSurrogate, at: start, "high surrogate \\u\(hex4(unit)) is not followed by a low surrogate")
                }
                let lowStart = index
                index += 2
                let low = try parseHex4(escapeStart: lowStart)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw fail(.loneSurrogate, at: start, "high surrogate \\u\(hex4(unit)) is not followed by a low surrogate")
                }
                scalarValue = 0x10000 + (UInt32(unit) - 0xD800) << 10 + (UInt32(low) - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(unit) {
                throw fail(.loneSurrogate, at: start, "low surrogate \\u\(hex4(unit)) without a high surrogate before it")
            }
            // Not a surrogate, so always a valid scalar.
            let scalar = Unicode.Scalar(scalarValue)!
            decoded.append(contentsOf: String(Character(scalar)).utf8)
        default:
            throw fail(.invalidEscape, at: start, "unknown escape \\\(describeRaw(code))")
        }
    }

    private mutating func parseHex4(escapeStart: Int) throws(JSONParseError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard index < bytes.count else {
                throw fail(.unexpectedEnd, at: escapeStart, "the document ends inside a \\u escape")
            }
            let byte = bytes[index]
            let digit: UInt16
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt16(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt16(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt16(byte - UInt8(ascii: "A") + 10)
            default:
                throw fail(.invalidEscape, at: escapeStart, "\\u must be followed by four hex digits")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    /// The length of the well-formed UTF-8 sequence at `position` (Unicode 15, table 3-7),
    /// refusing overlong forms, encoded surrogates and code points above U+10FFFF.
    private func utf8SequenceLength(at position: Int) throws(JSONParseError) -> Int {
        let lead = bytes[position]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default:
            throw fail(.invalidUTF8, at: position, "invalid UTF-8: byte 0x\(hex2(lead)) cannot start a character")
        }
        for offset in 1..<length {
            let next = position + offset
            guard next < bytes.count else {
                throw fail(.invalidUTF8, at: position, "invalid UTF-8: truncated sequence at the end of the document")
            }
            let range = offset == 1 ? secondRange : 0x80...0xBF
            guard range.contains(bytes[next]) else {
                throw fail(
                    .invalidUTF8, at: position,
                    "invalid UTF-8 sequence (overlong, surrogate, beyond U+10FFFF or truncated)")
            }
        }
        return length
    }

    // MARK: Helpers

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private func fail(_ kind: JSONParseError.Kind, at offset: Int, _ message: String) -> JSONParseError {
        JSONParseError(kind, at: offset, pointer: pointer, message)
    }

    private func describe(_ byte: UInt8) -> String {
        switch byte {
        case 0x21..<0x7F: "'\(Character(Unicode.Scalar(byte)))'"
        default: "byte 0x\(hex2(byte))"
        }
    }

    private func describeRaw(_ byte: UInt8) -> String {
        (0x21..<0x7F).contains(byte) ? String(Character(Unicode.Scalar(byte))) : "(byte 0x\(hex2(byte)))"
    }

    private func quoted(_ key: String) -> String {
        key.utf8.count <= 64 ? "\"\(key)\"" : "\"\(key.prefix(60))…\""
    }

    private func hex2(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }

    private func hex4(_ unit: UInt16) -> String {
        hex2(UInt8(unit >> 8)) + hex2(UInt8(unit & 0xFF))
    }
}
