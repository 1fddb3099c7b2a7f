import Foundation
import Testing
import VecheTestSupport
@testable import VecheCore

@Suite struct RegisterTests {
    static func stake(_ share: String, _ holders: String...) throws -> Stake { try Stake(holders: holders, shareText: share) }

    static func register(_ premises: [Premises], building: String = "b-1", address: String = "ул. Ленина, 1") -> Register {
        Register(building: building, address: address, premises: premises)
    }

    static func failure(_ register: Register) -> DomainError? {
        do throws(DomainError) {
            try register.validate()
            return nil
        } catch {
            return error
        }
    }

    @Test func totalsAndOwnerViewsFollowTheStakes() throws {
        let register = Self.register([
            try Premises(number: "1", kind: .residential, areaText: "54.3", stakes: [try Self.stake("1", "o1")]),
            try Premises(number: "2", kind: .residential, areaText: "60", stakes: [try Self.stake("1/3", "o1"), try Self.stake("2/3", "o2", "o3")]),
            try Premises(number: "н1", kind: .nonResidential, areaText: "120.25", cadastral: "16:50:010101:55", stakes: [try Self.stake("1", "municipality")]),
        ])
        try register.validate()
        #expect(register.totalArea == Rational(4691, 20))  // 54.3 + 60 + 120.25
        #expect(register.stakes(of: "o1") == [StakeRef(premises: 0, stake: 0), StakeRef(premises: 1, stake: 0)])
        #expect(register.stakes(of: "o3") == [StakeRef(premises: 1, stake: 1)])
        #expect(register.stakes(of: "nobody").isEmpty)
        #expect(register.stakesByOwner["o2"] == [StakeRef(premises: 1, stake: 1)])
        #expect(register.stakesByOwner.count == 4)
        let weights = register.weightsByOwner
        #expect(weights["o1"] == Rational(743, 10))  // 54.3 + 20
        #expect(weights["o2"] == Rational(40) && weights["o3"] == Rational(40))  // a joint stake counts in full for each holder
        #expect(register.weight(of: StakeRef(premises: 2, stake: 0)) == Rational(481, 4))
    }

    @Test func rulesAreRefusedWithThePathToTheField() throws {
        let good = try Premises(number: "1", kind: .residential, areaText: "50", stakes: [try Self.stake("1", "o1")])
        #expect(Self.failure(Self.register([]))?.pointer == "/premises")
        let duplicate = Self.failure(Self.register([good, good]))
        #expect(duplicate?.code == .rule && duplicate?.pointer == "/premises/1/number")
        var empty = good
        empty.number = "2"
        empty.stakes = []
        #expect(Self.failure(Self.register([good, empty]))?.pointer == "/premises/1/stakes")
        var noHolders = good
        noHolders.stakes = [Stake(holders: [], share: .one, shareText: "1")]
        #expect(Self.failure(Self.register([noHolders]))?.pointer == "/premises/0/stakes/0/holders")
        var repeated = good
        repeated.stakes = [try Self.stake("1", "o1", "o2", "o1")]
        let repeatedError = Self.failure(Self.register([repeated]))
        #expect(repeatedError?.code == .rule && repeatedError?.pointer == "/premises/0/stakes/0/holders/2")
        var short = good
        short.number = "2"
        short.stakes = [try Self.stake("1/2", "o1"), try Self.stake("1/3", "o2")]
        let shortError = Self.failure(Self.register([good, short]))
        #expect(shortError?.code == .rule && shortError?.pointer == "/premises/1/stakes")
        #expect(shortError?.message.contains("5/6") == true)
        var over = good
        over.stakes = [try Self.stake("1", "o1"), try Self.stake("1/2", "o2")]
        #expect(Self.failure(Self.register([over]))?.message.contains("3/2") == true)
    }

    @Test func grammarsAreRefusedAsMalformedBeforeAnyRule() throws {
        let good = try Premises(number: "1", kind: .residential, areaText: "50", stakes: [try Self.stake("1", "o1")])
        let badBuilding = Self.failure(Self.register([good], building: "b 1"))
        #expect(badBuilding?.code == .malformed && badBuilding?.pointer == "/building")
        #expect(Self.failure(Self.register([good], address: "a\u{0}b"))?.pointer == "/address")
        var badHolder = good
        badHolder.stakes = [try Self.stake("1", "о1")]  // Cyrillic о
        // The holder grammar fails before the later duplicate number (a rule) is seen.
        let holderError = Self.failure(Self.register([badHolder, good, good]))
        #expect(holderError?.code == .malformed && holderError?.pointer == "/premises/0/stakes/0/holders/0")
        var badNumber = good
        badNumber.number = "1\n"
        #expect(Self.failure(Self.register([badNumber]))?.pointer == "/premises/0/number")
        var mismatched = good
        mismatched.area = Rational(51)
        #expect(Self.failure(Self.register([mismatched]))?.pointer == "/premises/0/area")
        var badCadastral = good
        badCadastral.cadastral = "16-50"
        #expect(Self.failure(Self.register([badCadastral]))?.pointer == "/premises/0/cadastral")
        var badShare = good
        badShare.stakes = [Stake(holders: ["o1"], share: .one, shareText: "1/1")]
        #expect(Self.failure(Self.register([badShare]))?.pointer == "/premises/0/stakes/0/share")
    }

    @Test func premisesNumbersAreComparedWithoutNormalisation() throws {
        // "й" precomposed and "и" + combining breve are equal Swift Strings but different JSON strings;
        // every implementation compares scalars, so both numbers may coexist.
        let composed = try Premises(number: "\u{439}", kind: .residential, areaText: "10", stakes: [try Self.stake("1", "o1")])
        let decomposed = try Premises(number: "\u{438}\u{306}", kind: .residential, areaText: "10", stakes: [try Self.stake("1", "o2")])
        #expect(composed.number == decomposed.number)
        try Self.register([composed, decomposed]).validate()
    }
}

@Suite struct RegisterCSVTests {
    static func parse(_ text: String) throws(CSVError) -> Register {
        try RegisterCSV.parse(text: text, building: "b-1", address: "ул. Ленина, 1")
    }

    static func failure(_ text: String) -> CSVError? {
        do throws(CSVError) {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func readsCommaSeparatedRowsIntoPremises() throws {
        let register = try Self.parse("""
            number,kind,area,cadastral,holders,share
            1,residential,54.30,16:50:1:1,o-001,1
            2,residential,60,,o-002,1/3
            2,residential,60.00,,o-003+o-004,2/3
            н1,non-residential,120.5,,municipality,1

            """)
        #expect(register.premises.count == 3)
        #expect(register.premises[0].areaText == "54.30" && register.premises[0].area == Rational(543, 10))
        #expect(register.premises[0].cadastral == "16:50:1:1" && register.premises[1].cadastral == nil)
        #expect(register.premises[1].stakes.map(\.holders) == [["o-002"], ["o-003", "o-004"]])
        #expect(register.premises[1].stakes[1].share == Rational(2, 3))
        #expect(register.premises[2].kind == .nonResidential && register.premises[2].number == "н1")
        #expect(register.totalArea == Rational(2348, 10))
    }

    @Test func toleratesBOMCRLFSemicolonsDecimalCommaQuotesAndBlankRows() throws {
        let text = "\u{FEFF}Number; Kind ;AREA;holders;share\r\n"
            + "\"12А\";жилое;54,3;o-1 + o-2;1\r\n"
            + ";;;;\r\n"
            + "\"кв \"\"13\"\"\";Нежилое; 70,05 ;\"o-3\";1/2\r\n"
            + "\"кв \"\"13\"\"\";нежилое;70.05;o-4;1/2\r\n"
        let register = try Self.parse(text)
        #expect(register.premises.map(\.number) == ["12А", "кв \"13\""])
        #expect(register.premises[0].area == Rational(543, 10) && register.premises[0].areaText == "54.3")
        #expect(register.premises[0].stakes[0].holders == ["o-1", "o-2"])
        #expect(register.premises[1].kind == .nonResidential && register.premises[1].area == Rational(1401, 20))
        #expect(register.premises[1].stakes.count == 2)
    }

    @Test func rowsOfOnePremisesNeedNotBeAdjacent() throws {
        let register = try Self.parse("number,kind,area,holders,share\n1,residential,40,a,1/2\n2,residential,30,c,1\n1,residential,40,b,1/2\n")
        #expect(register.premises.map(\.number) == ["1", "2"])
        #expect(register.premises[0].stakes.map(\.holders) == [["a"], ["b"]])
    }

    @Test func readsInvalidUTF8AsAnErrorOnItsLine() {
        var bytes = Array("number;kind;area;holders;share\n1;жилое;50;o1;1\n".utf8)
        bytes += [0x32, 0x3B, 0xE6, 0xE8, 0xEB, 0xEE, 0xE5, 0x0A]  // "2;" then "жилое" in Windows-1251
        do throws(CSVError) {
            _ = try RegisterCSV.parse(bytes: bytes, building: "b-1", address: "a")
            Issue.record("expected a refusal")
        } catch {
            #expect(error.line == 3 && error.message.contains("UTF-8"))
        }
    }

    @Test(arguments: [
        // (text, line, column, words in the message)
        ("", 1, nil, "header"),
        ("number|kind|area|holders|share\n", 1, nil, "separator"),
        ("number;kind,area;holders;share\n", 1, nil, "both"),
        ("number,kind,area,holders\n", 1, "share", "lacks"),
        ("number,kind,area,holders,share,owner\n", 1, "owner", "unknown column"),
        ("number,kind,area,holders,share,area\n", 1, "area", "twice"),
        ("number,kind,area,holders,share\n1,residential,50,o1\n", 2, nil, "fields"),
        ("number,kind,area,holders,share\n1,residential,50,o1,1,\n", 2, nil, "fields"),
        ("number,kind,area,holders,share\n1,flat,50,o1,1\n", 2, "kind", "residential"),
        ("number,kind,area,holders,share\n1,residential,0,o1,1\n", 2, "area", "greater than 0"),
        ("number,kind,area,holders,share\n1,residential,\"54,3\",o1,1\n", 2, "area", "area"),
        ("number;kind;area;holders;share\n1;residential;54,305;o1;1\n", 2, "area", "decimal comma"),
        ("number,kind,area,holders,share\n1,residential,50,,1\n", 2, "holders", "at least one"),
        ("number,kind,area,holders,share\n1,residential,50,o1+,1\n", 2, "holders", "holder"),
        ("number,kind,area,holders,share\n1,residential,50,о1,1\n", 2, "holders", "holder"),
        ("number,kind,area,holders,share\n1,residential,50,o1,2/4\n", 2, "share", "lowest terms"),
        ("number,kind,area,holders,share\n1,residential,50,o1,1/2\n", 2, "share", "sum to 1/2"),
        ("number,kind,area,holders,share\n1,residential,50,o1,1/2\n1,residential,50,o2,1/3\n", 2, "share", "lines 2, 3"),
        ("number,kind,area,holders,share\n1,residential,50,o1,1/2\n1,residential,51,o2,1/2\n", 3, "area", "line 2"),
        ("number,kind,area,holders,share\n1,residential,50,o1,1/2\n1,non-residential,50,o2,1/2\n", 3, "kind", "line 2"),
        ("number,kind,area,cadastral,holders,share\n1,residential,50,1:2,o1,1/2\n1,residential,50,,o2,1/2\n", 3, "cadastral", "line 2"),
        ("number,kind,area,cadastral,holders,share\n1,residential,50,1-2,o1,1\n", 2, "cadastral", "cadastral"),
        ("number,kind,area,holders,share\n1,residential,50,o1+o1,1\n", 2, "holders", "repeated"),
        ("number,kind,area,holders,share\n,residential,50,o1,1\n", 2, "number", "number"),
        ("number,kind,area,holders,share\n1,residential,\"50,o1,1\n", 2, "area", "not closed"),
        ("number,kind,area,holders,share\n1,residential,\"50\"x,o1,1\n", 2, "area", "after the closing quote"),
        ("number,kind,area,holders,share\n1,resi\"dential,50,o1,1\n", 2, "kind", "quote inside"),
        ("number,kind,area,holders,share\r1,residential,50,o1,1\n", 1, nil, "carriage return"),
        ("number,kind,area,holders,share\n", 0, nil, "no premises"),
    ] as [(String, Int, String?, String)])
    func refusesWithLineAndColumn(_ text: String, _ line: Int, _ column: String?, _ words: String) {
        let error = Self.failure(text)
        #expect(error?.line == line, "\(String(describing: error))")
        #expect(error?.column == column, "\(String(describing: error))")
        #expect(error?.message.contains(words) == true, "\(String(describing: error))")
    }

    @Test func boundsTheInput() {
        let huge = String(repeating: "x", count: RegisterCSV.maxBytes + 1)
        #expect(Self.failure(huge)?.message.contains("16 MiB") == true)
        var rows = "number,kind,area,holders,share\n"
        for index in 0...RegisterCSV.maxRows { rows += "\(index),residential,50,o\(index),1\n" }
        let error = Self.failure(rows)
        #expect(error?.line == RegisterCSV.maxRows + 2 && error?.message.contains("rows") == true)
    }

    @Test func refusesABadBuildingOrAddress() {
        do throws(CSVError) {
            _ = try RegisterCSV.parse(text: "number,kind,area,holders,share\n1,residential,50,o1,1\n", building: "b 1", address: "a")
            Issue.record("expected a refusal")
        } catch {
            #expect(error.line == 0 && error.column == "building")
            #expect(error.description.hasPrefix("register, column building:"))
        }
    }

    @Test func theDemoSampleBuildingIsAValidRegister() throws {
        let url = Vectors.repositoryRoot.appendingPathComponent("Sources/VecheCLI/Samples/building.csv")
        let bytes = [UInt8](try Data(contentsOf: url))
        let register = try RegisterCSV.parse(bytes: bytes, building: "b-demo-17", address: "г. Казань, ул. Профсоюзная, д. 17")
        // Independent total: the area column summed as integer hundredths, once per premises.
        var hundredths: [String: Int] = [:]
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ";", omittingEmptySubsequences: false)
            let parts = fields[2].split(separator: ",")
            hundredths[String(fields[0])] = Int(parts[0])! * 100 + (parts.count > 1 ? Int(parts[1])! : 0)
        }
        #expect(register.premises.count == hundredths.count)
        #expect(register.premises.count >= 100)
        #expect(register.totalArea == Rational(BigInt(hundredths.values.reduce(0, +)), 100))
        #expect(register.premises.contains { $0.kind == .nonResidential })
        #expect(register.premises.contains { $0.stakes.contains { $0.holders.count > 1 } })
        #expect(register.premises.contains { $0.stakes.count > 1 })
        #expect(register.stakesByOwner["municipality"].map { $0.count > 1 } == true)
    }

    @Test func describesErrorsWithLineAndColumn() {
        #expect(CSVError(line: 3, column: "area", "bad").description == "line 3, column area: bad")
        #expect(CSVError(line: 3, column: nil, "bad").description == "line 3: bad")
    }
}
