import Testing
import VecheLedger

@Suite struct CanonicalJSONParseTests {
    private func parse(_ text: String, limits: JSONLimits = .default) throws -> JSONValue {
        try CanonicalJSON.parse(Array(text.utf8), limits: limits)
    }

    private func failure(_ text: String, limits: JSONLimits = .default) -> JSONParseError? {
        #expect(throws: JSONParseError.self) { try CanonicalJSON.parse(Array(text.utf8), limits: limits) }
    }

    @Test func parsesEveryKindOfValue() throws {
        let value = try parse(#"{"s":"x\n","i":-42,"b":true,"f":false,"a":[1,{"k":[]}],"o":{}}"#)
        #expect(value == ["s": "x\n", "i": -42, "b": true, "f": false, "a": [1, ["k": []]], "o": [:]])
    }

    @Test func errorsCarryAPointerToTheBadValue() {
        let fraction = failure(#"{"command":{"premises":[{"area":1},{"area":54.3}]}}"#)
        #expect(fraction?.kind == .fraction)
        #expect(fraction?.pointer.description == "/command/premises/1/area")
        let duplicate = failure(#"{"a":{"b~c/d":1,"b~c/d":2}}"#)
        #expect(duplicate?.pointer.description == "/a/b~0c~1d")
        #expect(duplicate?.description.hasPrefix("at byte 16 (/a/b~0c~1d): duplicate member name") == true)
    }

    @Test func canonicallyEquivalentKeysCountAsDuplicates() {
        // "é" precomposed and decomposed: different bytes, equal Swift strings.
        let error = failure("{\"\u{e9}\":1,\"e\u{301}\":2}")
        #expect(error?.kind == .duplicateKey)
    }

    @Test func depthLimitAllowsExactlyMaxDepth() throws {
        var limits = JSONLimits.default
        limits.maxDepth = 4
        #expect(throws: Never.self) { try parse("[[[{\"a\":1}]]]", limits: limits) }
        #expect(failure("[[[[{}]]]]", limits: limits)?.kind == .tooDeep)
        #expect(failure("[[[[{}]]]]", limits: limits)?.offset == 4)
        #expect(throws: Never.self) { try parse(String(repeating: "[", count: 32) + String(repeating: "]", count: 32)) }
    }

    @Test func sizeLimitsAreEnforced() throws {
        var limits = JSONLimits.default
        limits.maxDocumentBytes = 10
        #expect(throws: Never.self) { try parse("[1,2,3,4]", limits: limits) }
        #expect(failure("[1,2,3,4,5]", limits: limits)?.kind == .documentTooLarge)

        limits = .default
        limits.maxStringBytes = 4
        #expect(throws: Never.self) { try parse(#"["abcd","жж"]"#, limits: limits) }
        #expect(failure(#"["abcde"]"#, limits: limits)?.kind == .stringTooLong)
        #expect(failure(#"["жжж"]"#, limits: limits)?.kind == .stringTooLong)
        #expect(failure(#"{"abcde":1}"#, limits: limits)?.kind == .stringTooLong)
        // Escapes count as the bytes they decode to: \u0416 is Ж, 2 bytes.
        #expect(throws: Never.self) { try parse(#"["\u0416\u0416"]"#, limits: limits) }

        limits = .default
        limits.maxContainerCount = 3
        #expect(throws: Never.self) { try parse(#"[1,2,3]"#, limits: limits) }
        #expect(failure(#"[1,2,3,4]"#, limits: limits)?.kind == .tooManyMembers)
        #expect(failure(#"{"a":1,"b":2,"c":3,"d":4}"#, limits: limits)?.kind == .tooManyMembers)
    }

    @Test func defaultLimitsAreTheDocumentedOnes() {
        let limits = JSONLimits.default
        #expect(limits.maxDocumentBytes == 1_048_576)
        #expect(limits.maxDepth == 32)
        #expect(!limits.allowsNull)
    }

    @Test func oneMebibyteDocumentParsesAndOneByteMoreDoesNot() throws {
        let filler = String(repeating: "x", count: 1_048_576 - 4)
        var limits = JSONLimits.default
        limits.maxStringBytes = 1 << 20
        #expect(throws: Never.self) { try parse("[\"\(filler)\"]", limits: limits) }
        #expect(failure("[\"\(filler)x\"]", limits: limits)?.kind == .documentTooLarge)
    }

    @Test func nullOnlyWhenAllowed() throws {
        #expect(failure(#"{"administrator":null}"#)?.kind == .null)
        var limits = JSONLimits.default
        limits.allowsNull = true
        #expect(try parse(#"{"administrator":null}"#, limits: limits) == .object(["administrator": .null]))
        #expect(CanonicalJSON.serialize(.object(["a": .null])) == Array(#"{"a":null}"#.utf8))
    }

    @Test func integersAtTheEdgesRoundTrip() throws {
        for number: Int64 in [0, 1, -1, 9_007_199_254_740_991, -9_007_199_254_740_991, 1_000_000] {
            let text = String(number)
            #expect(try parse(text) == .integer(number))
            #expect(CanonicalJSON.serialize(.integer(number)) == Array(text.utf8))
        }
    }

    @Test func serializerEscapesMinimally() {
        let text = "\u{0}\u{1f}\"\\/\u{7f}\u{2028}é😀\t\r\n\u{8}\u{c}"
        let expected = #""\u0000\u001f\"\\/"# + "\u{7f}\u{2028}é😀" + #"\t\r\n\b\f""#
        #expect(CanonicalJSON.serialize(.string(text)) == Array(expected.utf8))
    }

    @Test func serializerSortsByUTF16NotByCodePointOrSwiftOrder() {
        let value: JSONValue = ["\u{FFFF}": 1, "\u{1F600}": 2, "\u{E000}": 3, "z": 4]
        let expected = "{\"z\":4,\"\u{1F600}\":2,\"\u{E000}\":3,\"\u{FFFF}\":1}"
        #expect(CanonicalJSON.serialize(value) == Array(expected.utf8))
        // Swift's own String ordering would put U+E000 before the emoji.
        #expect("\u{E000}" < "\u{1F600}")
    }

    @Test func canonicalCheckRefusesAnythingButTheExactBytes() {
        #expect(CanonicalJSON.isCanonical(Array(#"{"a":1,"b":[true,"x"]}"#.utf8)))
        for text in [#"{"b":1,"a":1}"#, #"{"a": 1}"#, #"{"a":1}\#n"#, #"{"a":"\u0041"}"#, #"{"a":"\/"}"#, "{\"a\":\"\\u00e9\"}"] {
            #expect(!CanonicalJSON.isCanonical(Array(text.utf8)), "\(text)")
        }
    }

    @Test func prettyPrintingIsReadableAndParsesBack() throws {
        let value: JSONValue = ["b": [1, ["y": "ж", "x": []]], "a": [:], "c": "\"q\""]
        let pretty = CanonicalJSON.prettyPrinted(value)
        let expected = """
            {
              "a": {},
              "b": [
                1,
                {
                  "x": [],
                  "y": "ж"
                }
              ],
              "c": "\\"q\\""
            }
            """
        #expect(pretty == expected)
        #expect(CanonicalJSON.serialize(try parse(pretty)) == CanonicalJSON.serialize(value))
    }

    @Test func pointersEscapePerRFC6901() {
        #expect(JSONPointer.root.description == "")
        #expect(JSONPointer(["a/b", "m~n", "", "0"]).description == "/a~1b/m~0n//0")
        #expect(JSONPointer.root.appending("command").appending(3).description == "/command/3")
    }
}
