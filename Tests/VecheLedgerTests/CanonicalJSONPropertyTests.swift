import Testing
import VecheCore
import VecheLedger

/// SplitMix64 (VecheCore): small, seeded, reproducible.
typealias JSONSeededGenerator = SplitMix64

/// Random documents, and random non-canonical spellings of them.
struct JSONDocumentFactory {
    var random: JSONSeededGenerator

    mutating func scalar() -> Unicode.Scalar {
        let ranges: [ClosedRange<UInt32>] = [
            0x20...0x7E, 0x00...0x1F, 0x22...0x22, 0x5C...0x5C, 0x2F...0x2F, 0x7F...0x7F, 0xA0...0x24F,
            0x400...0x4FF, 0x2028...0x2029, 0x4E00...0x4FFF, 0xE000...0xFFFF, 0x10000...0x10FFFF, 0xFB33...0xFB33,
        ]
        let range = ranges[Int.random(in: 0..<ranges.count, using: &random)]
        while true {
            if let scalar = Unicode.Scalar(UInt32.random(in: range, using: &random)) { return scalar }
        }
    }

    mutating func string() -> String {
        var text = ""
        for _ in 0..<Int.random(in: 0...8, using: &random) { text.unicodeScalars.append(scalar()) }
        return text
    }

    mutating func integer() -> Int64 {
        let edges: [Int64] = [0, 1, -1, JSONValue.maxSafeInteger, -JSONValue.maxSafeInteger, 10, -10]
        if Bool.random(using: &random) { return edges[Int.random(in: 0..<edges.count, using: &random)] }
        return Int64.random(in: -JSONValue.maxSafeInteger...JSONValue.maxSafeInteger, using: &random)
    }

    mutating func value(depth: Int) -> JSONValue {
        let choice = Int.random(in: 0..<(depth >= 5 ? 3 : 5), using: &random)
        switch choice {
        case 0: return .string(string())
        case 1: return .integer(integer())
        case 2: return .bool(Bool.random(using: &random))
        case 3: return .array((0..<Int.random(in: 0...4, using: &random)).map { _ in value(depth: depth + 1) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...5, using: &random) {
                members[string()] = value(depth: depth + 1)
            }
            return .object(members)
        }
    }

    mutating func whitespace() -> String {
        String((0..<Int.random(in: 0...2, using: &random)).map { _ in [" ", "\t", "\n", "\r"].randomElement(using: &random)! })
    }

    /// A valid but non-canonical spelling: shuffled members, random whitespace, optional escapes.
    mutating func spell(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .integer(let number): return String(number)
        case .string(let text): return spell(text)
        case .array(let elements):
            return "[" + whitespace() + elements.map { spell($0) + whitespace() }.joined(separator: "," + whitespace()) + "]"
        case .object(let members):
            let shuffled = members.shuffled(using: &random)
            let parts = shuffled.map { whitespace() + spell($0.key) + whitespace() + ":" + whitespace() + spell($0.value) + whitespace() }
            return "{" + parts.joined(separator: ",") + whitespace() + "}"
        }
    }

    mutating func spell(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            let escapeAnyway = Int.random(in: 0..<4, using: &random) == 0
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/" where escapeAnyway: out += "\\/"
            case "\n" where !escapeAnyway: out += "\\n"
            case "\t" where !escapeAnyway: out += "\\t"
            case _ where scalar.value < 0x20 || escapeAnyway:
                out += unicodeEscape(scalar)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    mutating func unicodeEscape(_ scalar: Unicode.Scalar) -> String {
        let upper = Bool.random(using: &random)
        func hex(_ unit: UInt16) -> String {
            let digits = String(unit, radix: 16, uppercase: upper)
            return "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
        }
        return String(scalar).utf16.map(hex).joined()
    }
}

@Suite struct CanonicalJSONPropertyTests {
    @Test(arguments: [1, 2, 3, 42, 2026] as [UInt64])
    func randomDocumentsRoundTripAndIgnoreSpelling(seed: UInt64) throws {
        var factory = JSONDocumentFactory(random: JSONSeededGenerator(seed: seed))
        for _ in 0..<150 {
            let value = factory.value(depth: 0)
            let canonical = CanonicalJSON.serialize(value)
            // parse → serialize → parse → serialize is stable.
            let reparsed = try CanonicalJSON.parse(canonical)
            #expect(reparsed == value)
            #expect(CanonicalJSON.serialize(reparsed) == canonical)
            #expect(CanonicalJSON.isCanonical(canonical))
            // Key order, whitespace and escaping in the input do not change the canonical form.
            for _ in 0..<3 {
                let spelled = factory.spell(value)
                #expect(CanonicalJSON.serialize(try CanonicalJSON.parse(Array(spelled.utf8))) == canonical, "\(spelled)")
            }
            #expect(CanonicalJSON.serialize(try CanonicalJSON.parse(Array(CanonicalJSON.prettyPrinted(value).utf8))) == canonical)
        }
    }

    @Test func serializationIsStableUnderKeyInsertionOrder() {
        var random = JSONSeededGenerator(seed: 7)
        var factory = JSONDocumentFactory(random: JSONSeededGenerator(seed: 8))
        for _ in 0..<100 {
            let pairs = (0..<8).map { _ in (factory.string(), JSONValue.integer(factory.integer())) }
            var forward: [String: JSONValue] = [:]
            for (key, value) in pairs where forward[key] == nil { forward[key] = value }
            var shuffled: [String: JSONValue] = [:]
            shuffled.reserveCapacity(64)
            for (key, value) in forward.shuffled(using: &random) { shuffled[key] = value }
            #expect(CanonicalJSON.serialize(.object(forward)) == CanonicalJSON.serialize(.object(shuffled)))
        }
    }
}
