import Testing
import VecheCore
import VecheReport

@Suite struct OwnerNamesTests {
    @Test func readsSemicolonCSVWithBOMCRLFAndHeader() throws {
        let text = "\u{FEFF}owner;name\r\no-001;Иванов Иван Иванович\r\n o-002 ; \"Петрова; Мария\" \r\n\r\nmunicipality;\"Администрация \"\"Центрального\"\" района\"\r\n"
        let names = try OwnerNames.parse(csv: text)
        #expect(names == [
            "o-001": "Иванов Иван Иванович",
            "o-002": "Петрова; Мария",
            "municipality": "Администрация \"Центрального\" района",
        ])
    }

    @Test func readsCommaCSVWithoutHeader() throws {
        let names = try OwnerNames.parse(csv: "o-1,Сидоров С. С.\no-2,\"Кузнецова, Анна\"")
        #expect(names == ["o-1": "Сидоров С. С.", "o-2": "Кузнецова, Анна"])
    }

    @Test func readsBytesAndRefusesNonUTF8WithTheLine() throws {
        #expect(try OwnerNames.parse(bytes: Array("o-1;Имя\n".utf8)) == ["o-1": "Имя"])
        // Windows-1251 «Имя» on line 2.
        let bytes = Array("o-1;Name\n".utf8) + Array("o-2;".utf8) + [0xC8, 0xEC, 0xFF, 0x0A]
        #expect(throws: CSVError(line: 2, column: nil, "the file is not UTF-8 text (save the spreadsheet as \"CSV UTF-8\")")) {
            try OwnerNames.parse(bytes: bytes)
        }
    }

    @Test(arguments: [
        ("o-1;A\no 2;B\n", 2, "owner"),
        ("o-1;A\no-2;\n", 2, "name"),
        ("o-1;A\no-2;B;C\n", 2, nil),
        ("o-1;A\no-2\n", 2, nil),
        ("o-1;A\no-1;B\n", 2, "owner"),
        // Quote errors name the column they are in (the shared CSV lexer knows it).
        ("o-1;\"A\n", 1, "name"),
        ("o-1;\"A\"x\n", 1, "name"),
        ("o-1;A\"B\n", 1, "name"),
        ("o-1;A\rB\n", 1, nil),
        ("o-1;A\u{7}B\n", 1, "name"),
        ("owner;name\nx;y\n\n\n;\no-1;\(String(repeating: "я", count: 301))\n", 6, "name"),
    ] as [(String, Int, String?)])
    func refusesMalformedRowsNamingTheLine(text: String, line: Int, column: String?) {
        do throws(CSVError) {
            _ = try OwnerNames.parse(csv: text)
            Issue.record("accepted \(text.debugDescription)")
        } catch {
            #expect(error.line == line, "\(text.debugDescription): \(error)")
            #expect(error.column == column, "\(text.debugDescription): \(error)")
        }
    }

    @Test func refusesOversizeInput() {
        let big = String(repeating: "o-1;A\n", count: (OwnerNames.maxBytes / 6) + 1)
        #expect(throws: CSVError.self) { try OwnerNames.parse(csv: big) }
    }

    @Test func theSeparatorIsFixedByTheFirstRow() throws {
        // Once «,» is chosen, a «;» inside a later name is just text.
        #expect(try OwnerNames.parse(csv: "o-1,A\no-2,B; C\n") == ["o-1": "A", "o-2": "B; C"])
    }
}
