import Testing
@testable import VecheCore

@Suite struct AreaAndShareTests {
    @Test(arguments: [("120", Rational(120)), ("54.3", Rational(543, 10)), ("54.30", Rational(543, 10)),
                      ("0.5", Rational(1, 2)), ("0.05", Rational(1, 20)), ("1.01", Rational(101, 100)),
                      ("999999999999.99", Rational(99_999_999_999_999, 100))])
    func areaParsesExactly(_ text: String, _ expected: Rational) throws {
        #expect(try Area.parse(text) == expected)
    }

    @Test(arguments: ["", "0", "0.0", "0.00", "00.5", "01", "007", ".5", "5.", "5.123", "-5", "+5", "5e2", " 5", "5 ",
                      "1,5", "1.2.3", "1234567890123456", "99999999999999.9", "١٢", "５", "5.5\n", "NaN", "∞"])
    func areaRefusesEverythingElse(_ text: String) {
        let error = #expect(throws: DomainError.self) { try Area.parse(text, at: [.key("premises"), .index(3), .key("area")]) }
        #expect(error?.code == .malformed)
        #expect(error?.pointer == "/premises/3/area")
        #expect(error?.message.hasPrefix("area ") == true)
    }

    @Test(arguments: [("1", Rational.one), ("1/2", Rational(1, 2)), ("2/3", Rational(2, 3)), ("17/100", Rational(17, 100)),
                      ("999999999999999998/999999999999999999", Rational(BigInt(999_999_999_999_999_998), BigInt(999_999_999_999_999_999)))])
    func shareParsesExactly(_ text: String, _ expected: Rational) throws {
        #expect(try Share.parse(text) == expected)
    }

    @Test(arguments: ["1/1", "2/4", "0/3", "3/2", "0", "01/2", "1/02", "1/", "/2", "1/2/3", " 1/2", "1/2 ", "-1/2", "+1/2",
                      "1000000000000000000/1000000000000000001", "", "1.0", "1/0", "0/0", "½", "6/9"])
    func shareRefusesEverythingElse(_ text: String) {
        let error = #expect(throws: DomainError.self) { try Share.parse(text) }
        #expect(error?.code == .malformed && error?.pointer == "/share")
    }

    @Test func quorumAlsoAcceptsZero() throws {
        #expect(try Share.parseQuorum("0") == .zero)
        #expect(try Share.parseQuorum("1/2") == Rational(1, 2))
        #expect(try Share.parseQuorum("1") == .one)
        for text in ["0/1", "00", "-0", "1/1", "2/4"] {
            #expect(throws: DomainError.self) { try Share.parseQuorum(text) }
        }
    }

    @Test func paperMarksMustBeTwoOrThreeDistinct() throws {
        #expect(try MarkChoice.paper([.for, .against]) == .multiple([.for, .against]))
        #expect(try MarkChoice.paper([.for, .against, .abstain]) == .multiple([.for, .against, .abstain]))
        for marks: [Mark] in [[], [.for], [.for, .for], [.for, .against, .for], [.for, .against, .abstain, .for]] {
            let error = #expect(throws: DomainError.self) { try MarkChoice.paper(marks, at: [.key("choices"), .key("1")]) }
            #expect(error?.code == .malformed && error?.pointer == "/choices/1")
        }
    }
}

@Suite struct TextRuleTests {
    @Test func identifiers() {
        for valid in ["a", "M1", "o-001", "12.3:4_5", String(repeating: "x", count: 64), "50:01:0000000:123"] {
            #expect(Identifier.isValid(valid), "\(valid)")
        }
        for invalid in ["", String(repeating: "x", count: 65), "a b", "o/1", "é", "ёж", "a\n", "a+b", "a@b", "Ｍ1"] {
            #expect(!Identifier.isValid(invalid), "\(invalid)")
        }
    }

    @Test func commandIDs() {
        #expect(CommandID.isValid("abcdefgh"))
        #expect(CommandID.isValid("A_b-1234"))
        #expect(CommandID.isValid(String(repeating: "z", count: 64)))
        for invalid in ["abcdefg", String(repeating: "z", count: 65), "abc.defgh", "abc:defgh", "abcdefg ", "абвгдежз"] {
            #expect(!CommandID.isValid(invalid), "\(invalid)")
        }
    }

    @Test func premisesNumbersCountScalarsAndRefuseControls() {
        for valid in ["12", "12А", "н1", "1", String(repeating: "я", count: 32), "кв. 5/1"] {
            #expect(TextRule.premisesNumber.accepts(valid), "\(valid)")
        }
        for invalid in ["", String(repeating: "я", count: 33), "1\n", "1\t", "\u{7F}", "\u{85}x", "\u{0}"] {
            #expect(!TextRule.premisesNumber.accepts(invalid), "\(invalid)")
        }
    }

    @Test func freeTextsAllowLineFeedsOnlyInProposals() {
        #expect(TextRule.freeText.accepts(String(repeating: "д", count: 2000)))
        #expect(!TextRule.freeText.accepts(String(repeating: "д", count: 2001)))
        #expect(!TextRule.freeText.accepts(""))
        #expect(!TextRule.freeText.accepts("a\nb"))
        #expect(TextRule.freeTextWithLineFeeds.accepts("a\nb"))
        #expect(!TextRule.freeTextWithLineFeeds.accepts("a\r\nb"))
        // Scalars, not grapheme clusters or UTF-16 units: "й" decomposed is 2 scalars, 1 character.
        let decomposed = String(repeating: "и\u{306}", count: 1000)
        #expect(decomposed.count == 1000)
        #expect(TextRule.freeText.accepts(decomposed))
        #expect(!TextRule.freeText.accepts(decomposed + "и\u{306}"))
        #expect(TextRule.freeText.accepts(String(repeating: "😀", count: 2000)))
    }

    @Test func basisIsShortAndHasNoLineFeedAndIsNotEmpty() {
        #expect(TextRule.basis.accepts("ЖК РФ ст. 44 ч.2 п.1"))
        #expect(TextRule.basis.accepts(String(repeating: "б", count: 200)))
        #expect(!TextRule.basis.accepts(String(repeating: "б", count: 201)))
        #expect(!TextRule.basis.accepts("a\nb"))
        #expect(!TextRule.basis.accepts(""))
    }

    @Test func cadastralINNAndHex() {
        #expect(TextRule.cadastral.accepts("77:01:0001001:1234"))
        #expect(!TextRule.cadastral.accepts("77-01"))
        #expect(!TextRule.cadastral.accepts(String(repeating: "1", count: 41)))
        #expect(TextRule.inn.accepts("7707083893") && TextRule.inn.accepts("500100732259"))
        #expect(!TextRule.inn.accepts("77070838930") && !TextRule.inn.accepts("770708389a"))
        #expect(TextRule.hexSHA256.accepts(String(repeating: "0a", count: 32)))
        #expect(!TextRule.hexSHA256.accepts(String(repeating: "0A", count: 32)))
        #expect(!TextRule.hexSHA256.accepts(String(repeating: "0", count: 63)))
    }

    @Test func controlCharactersAreExactlyCategoryCc() {
        for value in UInt32(0)...0x2FF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            #expect(TextRules.isControl(scalar) == (scalar.properties.generalCategory == .control), "U+\(value)")
        }
    }

    @Test func checkNamesTheFieldAndEscapesTheValue() {
        let error = #expect(throws: DomainError.self) {
            try TextRules.check("bad\u{1}id", .identifier, at: [.key("premises"), .index(0), .key("stakes"), .index(1), .key("holders"), .index(2)])
        }
        #expect(error?.pointer == "/premises/0/stakes/1/holders/2")
        #expect(error?.message == "holders \"bad\\u{1}id\" must be 1–64 characters of [A-Za-z0-9._:-]")
        #expect(DomainError(.rule, at: [.key("a/b~c")], "x").pointer == "/a~1b~0c")
    }
}

@Suite struct TimestampTests {
    @Test(arguments: [("1970-01-01T00:00:00Z", Int64(0)), ("1970-01-01T00:00:00.000Z", 0),
                      ("2026-11-21T10:00:00.123Z", 1_795_255_200_123), ("2024-02-29T23:59:59.999Z", 1_709_251_199_999),
                      ("1969-12-31T23:59:59.999Z", -1), ("2000-03-01T00:00:00Z", 951_868_800_000),
                      ("1900-03-01T00:00:00Z", -2_203_891_200_000),
                      ("0000-01-01T00:00:00Z", -62_167_219_200_000), ("9999-12-31T23:59:59.999Z", 253_402_300_799_999)])
    func parsesKnownInstants(_ text: String, _ milliseconds: Int64) throws {
        #expect(try Timestamp.parse(text).milliseconds == milliseconds)
    }

    @Test(arguments: ["2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
                      "2026-04-31T00:00:00Z", "2026-01-00T00:00:00Z", "2026-01-32T00:00:00Z", "2026-01-01T24:00:00Z",
                      "2026-01-01T23:60:00Z", "2026-12-31T23:59:60Z", "2026-01-01t00:00:00Z", "2026-01-01T00:00:00z",
                      "2026-01-01T00:00:00+03:00", "2026-01-01T00:00:00.1Z", "2026-01-01T00:00:00.12Z",
                      "2026-01-01T00:00:00.123456Z", "2026-01-01T00:00:00", "2026-01-01 00:00:00Z", " 2026-01-01T00:00:00Z",
                      "26-01-01T00:00:00Z", "2026-1-01T00:00:00Z", "2026-01-01T00:00:00.12aZ", "+2026-01-01T00:00:00Z",
                      "2026-01-01T00:00:00,123Z", "２０２６-01-01T00:00:00Z", ""])
    func refusesEverythingElse(_ text: String) {
        let error = #expect(throws: DomainError.self) { try Timestamp.parse(text, at: [.key("opens_at")]) }
        #expect(error?.code == .malformed && error?.pointer == "/opens_at")
    }

    @Test func leapYearsFollowTheGregorianRule() throws {
        #expect(try Timestamp.parse("2000-02-29T00:00:00Z").milliseconds == 951_782_400_000)
        #expect(try Timestamp.parse("2024-02-29T00:00:00Z").rfc3339String == "2024-02-29T00:00:00Z")
        #expect(Timestamp.isLeapYear(2000) && Timestamp.isLeapYear(2024) && !Timestamp.isLeapYear(1900) && !Timestamp.isLeapYear(2100))
    }

    @Test func ledgerTimesRequireThreeFractionDigits() throws {
        #expect(try Timestamp.parseLedger("2026-11-21T10:00:00.000Z").milliseconds == 1_795_255_200_000)
        #expect(throws: DomainError.self) { try Timestamp.parseLedger("2026-11-21T10:00:00Z") }
    }

    @Test func formatsBothForms() {
        let whole = Timestamp(milliseconds: 1_795_255_200_000)
        #expect(whole.ledgerString == "2026-11-21T10:00:00.000Z")
        #expect(whole.rfc3339String == "2026-11-21T10:00:00Z")
        let fractional = Timestamp(milliseconds: 1_795_255_200_007)
        #expect(fractional.rfc3339String == "2026-11-21T10:00:00.007Z")
        #expect(Timestamp(milliseconds: -1).ledgerString == "1969-12-31T23:59:59.999Z")
        #expect(Timestamp.earliest.ledgerString == "0000-01-01T00:00:00.000Z")
        #expect(Timestamp.latest.ledgerString == "9999-12-31T23:59:59.999Z")
        #expect(Timestamp(exactly: Timestamp.latest.milliseconds + 1) == nil)
        #expect(Timestamp(exactly: Timestamp.earliest.milliseconds - 1) == nil)
    }

    @Test func randomInstantsRoundTrip() throws {
        var rng = SplitMix64(seed: 21)
        let span = UInt64(Timestamp.latest.milliseconds - Timestamp.earliest.milliseconds + 1)
        for _ in 0..<5_000 {
            let instant = Timestamp(milliseconds: Timestamp.earliest.milliseconds + Int64(rng.next() % span))
            #expect(try Timestamp.parseLedger(instant.ledgerString) == instant)
            #expect(try Timestamp.parse(instant.rfc3339String) == instant)
        }
    }

    @Test func consecutiveCalendarDaysAreConsecutiveDayCounts() throws {
        // Walk the calendar day by day with a hand-rolled month table, independent of the algorithm.
        var (year, month, day): (Int64, Int64, Int64) = (1600, 1, 1)
        var expected = try Timestamp.parse("1600-01-01T00:00:00Z").milliseconds / Timestamp.millisecondsPerDay
        #expect(try Timestamp.parse("1600-01-01T00:00:00Z").milliseconds % Timestamp.millisecondsPerDay == 0)
        let lengths: [Int64] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        while year < 2500 {
            #expect(Timestamp.daysFromCivil(year: year, month: month, day: day) == expected)
            let civil = Timestamp.civilFromDays(expected)
            #expect(civil.year == year && civil.month == month && civil.day == day)
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            let length = month == 2 && leap ? 29 : lengths[Int(month - 1)]
            day += 1
            if day > length { day = 1; month += 1 }
            if month > 12 { month = 1; year += 1 }
            expected += 1
        }
    }
}
