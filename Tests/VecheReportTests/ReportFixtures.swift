import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import VecheCore
import VecheCrypto
import VecheLedger
import VecheReport
import VecheTestSupport

let keyA = TestKeys.signing("A")
let keyB = TestKeys.signing("B")
let keyC = TestKeys.signing("C")
let keyD = TestKeys.signing("D")
let keyE = TestKeys.signing("E")
let keyM = TestKeys.signing("municipality")
let keyProxy = TestKeys.signing("proxy-of-D")

/// Sole, joint, shared (1/3 + 2/3 of 45.55 m²) and municipal non-residential ownership: 255.55 m².
func standardPremises() -> [JSONValue] {
    [
        LedgerFixture.premises("1", area: "50.00", stakes: [(["A"], "1")]),
        LedgerFixture.premises("2", area: "60", stakes: [(["B", "C"], "1")]),
        LedgerFixture.premises("3", area: "45.55", stakes: [(["D"], "1/3"), (["E"], "2/3")]),
        LedgerFixture.premises("н1", area: "100", kind: "non-residential", stakes: [(["municipality"], "1")]),
    ]
}

let fourThresholds: [(item: String, threshold: String)] = [
    ("1", "participants-majority"), ("2", "all-majority"), ("3", "all-two-thirds"), ("4", "all-unanimous"),
]

/// What a scenario leaves: the ledger, and a checkpoint taken before the close.
struct Scenario {
    var fixture: LedgerFixture
    var checkpointBeforeClose: String?

    var ledger: InMemoryLedger { fixture.ledger }

    /// Every entry with its leaf hash, in ledger order.
    var entries: [(entry: LedgerEntry, leaf: [UInt8])] {
        zip(ledger.entries, ledger.canonicalEntries).map { ($0, LedgerEntry.leafHash(canonicalBytes: $1)) }
    }

    var checkpoint: String { try! ledger.checkpoint().text }

    func input(_ meeting: String = "M1", names: [String: String]? = nil) throws -> ProtocolInput {
        try ProtocolInput(meeting: meeting, entries: entries, checkpoint: checkpoint, names: names)
    }

    /// The `meeting.close` result object the ledger holds.
    func closeResult(_ meeting: String = "M1") -> JSONValue? {
        ledger.state.meeting(meeting)?.result
    }
}

/// The standard ru-zhk-2024 meeting: four items, one per threshold, with a proxy ballot that the
/// owner's own ballot supersedes, a joint flat, a paper ballot with a double mark, and E absent.
///
/// Expected: quorum reached; item 1 adopted, 2 not adopted (double mark, all-majority), 3 adopted
/// (two thirds), 4 not adopted (E did not vote).
func standardScenario(
    title: String = "Годовое общее собрание собственников", itemTitles: [String: String] = [:],
    proposal: String? = nil, initiator: String = "Совет дома", close: Bool = true, ballots: Bool = true,
    quorumOnly: Bool = false
) throws -> Scenario {
    var fixture = try LedgerFixture(rulesets: ["ru-zhk-2024", "generic"])
    try fixture.register(premises: standardPremises())
    for (owner, key) in [("A", keyA), ("B", keyB), ("C", keyC), ("D", keyD), ("E", keyE), ("municipality", keyM)] {
        try fixture.bind(owner, key)
    }
    try fixture.setAdministrator()
    let opens = Timestamp(milliseconds: fixture.now.milliseconds + 11 * LedgerFixture.day)
    let closes = Timestamp(milliseconds: opens.milliseconds + 14 * LedgerFixture.day)
    var fields = fixture.meetingFields(rules: "ru-zhk-2024", opensAt: opens, closesAt: closes, items: fourThresholds)
    fields["title"] = .string(title)
    fields["initiator"] = .string(initiator)
    if !itemTitles.isEmpty || proposal != nil, case .array(var agenda) = fields["agenda"] {
        for index in agenda.indices {
            guard case .object(var item) = agenda[index], let number = item["item"]?.stringValue else { continue }
            if let itemTitle = itemTitles[number] { item["title"] = .string(itemTitle) }
            if let proposal { item["proposal"] = .string(proposal) }
            agenda[index] = .object(item)
        }
        fields["agenda"] = .array(agenda)
    }
    try fixture.createMeeting(fields)
    fixture.now = Timestamp(milliseconds: opens.milliseconds + 3_600_000)
    if ballots {
        try fixture.grant(owner: "D", proxy: keyProxy, by: keyD)
        fixture.advance(milliseconds: 60_000)
        try fixture.cast(owner: "D", ["1": "for", "2": "for", "3": "for", "4": "for"], by: keyProxy)
        fixture.advance(milliseconds: 60_000)
        try fixture.cast(owner: "A", ["1": "for", "2": "for", "3": "for", "4": "for"], by: keyA)
        if !quorumOnly {
            fixture.advance(milliseconds: 60_000)
            try fixture.cast(owner: "B", ["1": "against", "3": "for", "4": "for"], by: keyB)
            fixture.advance(milliseconds: 60_000)
            try fixture.paper(owner: "municipality", ["1": "for", "2": ["for", "against"], "3": "for", "4": "for"])
            fixture.advance(milliseconds: 60_000)
            try fixture.cast(owner: "D", ["1": "abstain", "2": "for", "3": "for", "4": "for"], by: keyD)
        }
    }
    var scenario = Scenario(fixture: fixture, checkpointBeforeClose: try fixture.ledger.checkpoint().text)
    if close {
        scenario.fixture.now = Timestamp(milliseconds: closes.milliseconds + 500)
        try scenario.fixture.ledger.closeDueMeetings(at: scenario.fixture.now)
    }
    return scenario
}

// MARK: - Reading the outputs back

/// The Russian display form, derived independently from the exact amount: half-up to hundredths,
/// digit groups of three joined by U+00A0, decimal comma.
func russianDisplay(_ exact: String, unit: String = "м²") throws -> String {
    try russianNumber(Rational(exact: exact).decimalString(places: 2)) + "\u{00A0}" + unit
}

func russianPercent(_ exact: String, of base: String) throws -> String {
    try russianNumber(Rational(exact: exact).percentString(of: Rational(exact: base))) + "\u{00A0}%"
}

func russianNumber(_ decimal: String) -> String {
    let parts = decimal.split(separator: ".")
    var whole = String(parts[0])
    var groups: [String] = []
    while whole.count > 3 {
        groups.insert(String(whole.suffix(3)), at: 0)
        whole = String(whole.dropLast(3))
    }
    groups.insert(whole, at: 0)
    return groups.joined(separator: "\u{00A0}") + (parts.count > 1 ? "," + parts[1] : "")
}

/// Parses the protocol JSON text back (through the canonical parser).
func parseJSON(_ input: ProtocolInput) throws -> JSONValue {
    let bytes = ProtocolRenderer.render(input, as: .json)
    #expect(bytes.last == 0x0A)
    return try CanonicalJSON.parse(Array(bytes.dropLast()), limits: JSONLimits(maxDocumentBytes: 64 << 20, allowsNull: true))
}

/// A minimal RFC 4180 reader for `;` with quotes, for checking the CSV output.
func parseCSV(_ text: String) -> [[String]] {
    var rows: [[String]] = []
    var row: [String] = []
    var field = ""
    var quoted = false
    var scalars = Array(text.unicodeScalars)[...]
    if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }
    var index = scalars.startIndex
    while index < scalars.endIndex {
        let scalar = scalars[index]
        if quoted {
            if scalar == "\"" {
                if index + 1 < scalars.endIndex, scalars[index + 1] == "\"" {
                    field.unicodeScalars.append("\"")
                    index += 1
                } else {
                    quoted = false
                }
            } else {
                field.unicodeScalars.append(scalar)
            }
        } else if scalar == "\"" {
            quoted = true
        } else if scalar == ";" {
            row.append(field)
            field = ""
        } else if scalar == "\r" {
            // part of CRLF
        } else if scalar == "\n" {
            row.append(field)
            rows.append(row)
            row = []
            field = ""
        } else {
            field.unicodeScalars.append(scalar)
        }
        index += 1
    }
    return rows
}

/// The CSV as records keyed by the header.
func csvRecords(_ input: ProtocolInput) -> [[String: String]] {
    let rows = parseCSV(ProtocolRenderer.csv(input))
    guard let header = rows.first else { return [] }
    return rows.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
}

/// What an XML parser saw in the HTML.
final class XMLCollector: NSObject, XMLParserDelegate {
    var elements: [String] = []
    var attributes: [(element: String, name: String, value: String)] = []
    var elementAttributes: [(element: String, attributes: [String: String])] = []
    var svgTitles: [String] = []
    var svgDescriptions: [String] = []
    var svgRoles: [String] = []
    private var stack: [String] = []
    private var text = ""

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
                attributes attributeDict: [String: String] = [:]) {
        elements.append(elementName)
        elementAttributes.append((elementName, attributeDict))
        for (name, value) in attributeDict { attributes.append((elementName, name, value)) }
        if elementName == "svg" { svgRoles.append(attributeDict["role"] ?? "") }
        stack.append(elementName)
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        stack.removeLast()
        if stack.last == "svg" {
            if elementName == "title" { svgTitles.append(text) }
            if elementName == "desc" { svgDescriptions.append(text) }
        }
        text = ""
    }
}

/// Parses the HTML as XML; nil and an issue when it is not well-formed.
func parseXML(_ html: String, sourceLocation: SourceLocation = #_sourceLocation) -> XMLCollector? {
    let parser = XMLParser(data: Data(html.utf8))
    let collector = XMLCollector()
    parser.delegate = collector
    guard parser.parse() else {
        Issue.record("the HTML is not well-formed XML: \(String(describing: parser.parserError)) at line \(parser.lineNumber), column \(parser.columnNumber)", sourceLocation: sourceLocation)
        return nil
    }
    return collector
}

/// The refusal a body throws, or nil (and an issue) when it does not throw one.
func protocolError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> ProtocolError? {
    do {
        try body()
        Issue.record("expected a ProtocolError, but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as ProtocolError {
        return error
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
    return nil
}
