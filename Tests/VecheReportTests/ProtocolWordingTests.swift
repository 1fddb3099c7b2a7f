import Testing
import VecheCore
import VecheCrypto
import VecheLedger
import VecheReport
import VecheTestSupport

/// A generic poll with quorum 1/3 on the standard building; only A and B vote unless told.
private func pollScenario(quorum: String = "1/3", voters: [(String, SigningKey)] = [("A", keyA), ("B", keyB)]) throws -> Scenario {
    var fixture = try LedgerFixture()
    try fixture.register(premises: standardPremises())
    for (owner, key) in [("A", keyA), ("B", keyB), ("D", keyD), ("municipality", keyM)] { try fixture.bind(owner, key) }
    try fixture.setAdministrator()
    let opens = fixture.now
    let closes = Timestamp(milliseconds: opens.milliseconds + 2 * LedgerFixture.day)
    try fixture.createMeeting(fixture.meetingFields(opensAt: opens, closesAt: closes, items: [("1", "participants-majority")], quorum: quorum))
    fixture.advance(milliseconds: 1000)
    for (owner, key) in voters {
        try fixture.cast(owner: owner, ["1": "for"], by: key)
        fixture.advance(milliseconds: 1000)
    }
    fixture.now = closes
    try fixture.ledger.closeDueMeetings(at: closes)
    return Scenario(fixture: fixture)
}

@Suite struct ProtocolWordingTests {
    @Test func decisionsAreWordedPerThreshold() throws {
        let input = try standardScenario().input()
        let json = try parseJSON(input)
        let items = try #require(json["items"]?.arrayValue)
        #expect(items.map { $0["decision"]?.stringValue } == ["adopted", "not-adopted", "adopted", "not-adopted"])
        #expect(items.map { $0["decision_text"]?.stringValue } == ["Решение принято", "Решение не принято", "Решение принято", "Решение не принято"])
        #expect(items.map { $0["base"]?.stringValue } == ["participating", "total", "total", "total"])
        #expect(items.map { $0["required_for"]?["comparison"]?.stringValue } == [">", ">", ">=", "="])
        // Required «за»: participating/2, total/2, 2/3 of total, all of it.
        #expect(items.map { $0["required_for"]?["exact"]?.stringValue } == ["13511/120", "5111/40", "5111/30", "5111/20"])
        #expect(items.map { $0["threshold_text"]?.stringValue } == [
            "более половины голосов собственников, принявших участие в собрании",
            "более половины голосов от общего числа голосов собственников",
            "не менее двух третей голосов от общего числа голосов собственников",
            "все голоса собственников помещений (100 % от общего числа голосов)",
        ])
        #expect(items.map { $0["basis"]?.stringValue } == ["ч. 1 ст. 46 ЖК РФ", "ч. 1 ст. 46 ЖК РФ", "ч. 1 ст. 46 ЖК РФ", "ч. 3 ст. 36, ч. 2 ст. 40 ЖК РФ"])
        let html = ProtocolRenderer.html(input)
        let markdown = ProtocolRenderer.markdown(input)
        #expect(html.components(separatedBy: "Решение принято<").count - 1 == 2)
        #expect(html.components(separatedBy: "Решение не принято<").count - 1 == 2)
        #expect(markdown.components(separatedBy: "**Решение принято**").count - 1 == 2)
        #expect(markdown.components(separatedBy: "**Решение не принято**").count - 1 == 2)
        #expect(html.contains("кворум имеется"))
        #expect(html.contains("Протокол общего собрания собственников помещений в многоквартирном доме"))
        #expect(html.contains("№ M1"))
        #expect(html.contains("электронная форма, система Вече"))
        #expect(html.contains("ООО «УК Домовой», ИНН 1655000000"))
        #expect(html.contains("26.09.2026"), "the protocol date is the close date")
        #expect(!html.contains("Опрос, не является"))
        #expect(!html.contains("Предварительные итоги"))
    }

    @Test func withoutQuorumNoItemIsDecided() throws {
        // Only the proxy for D and A vote: 50 + 911/60 of 5111/20 is under half.
        let input = try standardScenario(quorumOnly: true).input()
        let result = try #require(input.result)
        #expect(!result.quorumReached)
        let json = try parseJSON(input)
        #expect(json["totals"]?["quorum"]?["verdict"]?.stringValue == "кворум отсутствует")
        let items = try #require(json["items"]?.arrayValue)
        #expect(items.allSatisfy { $0["decision"]?.stringValue == "no-quorum" && $0["adopted"] == .bool(false) })
        let html = ProtocolRenderer.html(input)
        #expect(html.components(separatedBy: "Решение не принимается: нет кворума<").count - 1 == 4)
        #expect(html.contains("кворум отсутствует"))
        #expect(csvRecords(input).allSatisfy { $0["decision"] == "no-quorum" && $0["quorum_reached"] == "false" })
    }

    @Test func aGenericPollIsLabelledAsNotAMeetingDecision() throws {
        let input = try pollScenario().input()
        let label = "Опрос, не является решением общего собрания собственников"
        let html = ProtocolRenderer.html(input)
        #expect(html.contains(label))
        #expect(html.contains("Итоги опроса собственников помещений в многоквартирном доме"))
        #expect(!html.contains("Протокол общего собрания"))
        #expect(ProtocolRenderer.markdown(input).contains("> **" + label + "**"))
        let json = try parseJSON(input)
        #expect(json["labels"] == .array([.string(label)]))
        #expect(json["meeting"]?["rules"]?.stringValue == "generic")
        // The generic quorum share is stated as a fraction and a percentage.
        #expect(json["totals"]?["quorum"]?["rule"]?.stringValue == "более 1/3 (33,33\u{00A0}%) голосов от общего числа голосов собственников (условия опроса)")
        #expect(json["items"]?[0]?["basis"]?.stringValue == "условия опроса (правила generic)")
    }

    @Test func aGenericPollWithQuorumZeroSaysOneParticipantSuffices() throws {
        let input = try pollScenario(quorum: "0", voters: [("D", keyD)]).input()
        #expect(input.result?.quorumReached == true)
        let json = try parseJSON(input)
        #expect(json["totals"]?["quorum"]?["rule"]?.stringValue == "участие хотя бы одного собственника (условия опроса: доля 0)")
        #expect(json["items"]?[0]?["decision"]?.stringValue == "adopted")
    }

    @Test func roundingThatWouldFlipTheResultIsShownBesideTheExactValues() throws {
        // 1999.99 of 3000 votes: displayed 66,67 %, yet short of two thirds (2000).
        var fixture = try LedgerFixture()
        try fixture.register(premises: [
            LedgerFixture.premises("1", area: "1999.99", stakes: [(["A"], "1")]),
            LedgerFixture.premises("2", area: "1000.01", stakes: [(["B"], "1")]),
        ])
        try fixture.bind("A", keyA)
        try fixture.bind("B", keyB)
        try fixture.setAdministrator()
        let opens = fixture.now
        let closes = Timestamp(milliseconds: opens.milliseconds + LedgerFixture.day)
        try fixture.createMeeting(fixture.meetingFields(opensAt: opens, closesAt: closes, items: [("1", "all-two-thirds")]))
        fixture.advance(milliseconds: 1000)
        try fixture.cast(owner: "A", ["1": "for"], by: keyA)
        try fixture.cast(owner: "B", ["1": "against"], by: keyB)
        try fixture.ledger.closeDueMeetings(at: closes)
        let input = try Scenario(fixture: fixture).input()
        let html = ProtocolRenderer.html(input)
        let markdown = ProtocolRenderer.markdown(input)
        for text in [html, markdown] {
            #expect(text.contains("66,67\u{00A0}%"))
            #expect(text.contains("Решение не принято"))
            #expect(text.contains("199999/100"), "the exact «за»")
            #expect(text.contains("не менее 2\u{00A0}000,00\u{00A0}м²"), "the requirement")
            #expect(text.contains("Вопрос 1: порог «за»"))
        }
        let json = try parseJSON(input)
        #expect(json["items"]?[0]?["votes"]?["for"]?["percent"]?.stringValue == "66.67")
        #expect(json["items"]?[0]?["required_for"]?["exact"]?.stringValue == "2000")
        #expect(json["items"]?[0]?["adopted"] == .bool(false))
    }

    @Test func aCancelledMeetingStatesItWasCancelledAndWhy() throws {
        var scenario = try standardScenario(close: false, ballots: false)
        scenario.fixture.advance(milliseconds: 5000)
        let reason = "Инициатор отозвал повестку дня"
        try scenario.fixture.submit("meeting.cancel", ["meeting": "M1", "reason": .string(reason)], by: scenario.fixture.administrator)
        let input = try scenario.input()
        #expect(input.status == .cancelled)
        #expect(input.result == nil)
        #expect(input.cancellation?.reason == reason)
        let html = ProtocolRenderer.html(input)
        #expect(html.contains("Собрание отменено"))
        #expect(html.contains("Причина: " + reason))
        #expect(!html.contains("кворум имеется") && !html.contains("кворум отсутствует"))
        #expect(!html.contains("<svg"), "a cancelled meeting has no charts")
        #expect(html.components(separatedBy: "Решение не принималось: собрание отменено<").count - 1 == 4)
        #expect(parseXML(html) != nil)
        let json = try parseJSON(input)
        #expect(json["status"]?.stringValue == "cancelled")
        #expect(json["result"] == .null && json["totals"] == .null)
        #expect(json["cancellation"]?["reason"]?.stringValue == reason)
        #expect(json["items"]?.arrayValue?.allSatisfy { $0["decision"] == .null && $0["votes"] == .null } == true)
        let records = csvRecords(input)
        #expect(records.count == 4)
        #expect(records.allSatisfy { $0["status"] == "cancelled" && $0["for_exact"] == "" && $0["adopted"] == "" })
        #expect(ProtocolRenderer.markdown(input).contains("Причина: " + reason))
    }

    @Test func aPreliminaryProtocolIsClearlyLabelled() throws {
        let input = try standardScenario(close: false).input()
        let label = "Предварительные итоги, голосование не завершено"
        let html = ProtocolRenderer.html(input)
        #expect(html.contains(label))
        #expect(html.contains("не составлен: голосование не завершено"))
        #expect(!html.contains("Решение принято<"), "a preliminary protocol decides nothing")
        #expect(html.contains("Предварительно: порог достигнут (решение ещё не принято)<"))
        #expect(ProtocolRenderer.markdown(input).contains(label))
        let json = try parseJSON(input)
        #expect(json["status"]?.stringValue == "preliminary")
        #expect(json["labels"]?.arrayValue?.contains(.string(label)) == true)
        #expect(json["date"] == .null)
        #expect(json["ledger"]?["meeting_close"] == .null)
        #expect(csvRecords(input).allSatisfy { $0["status"] == "preliminary" })
    }

    @Test func ballotsAreMarkedEffectiveOrSuperseded() throws {
        let scenario = try standardScenario()
        let input = try scenario.input()
        #expect(input.ballots.map(\.owner) == ["D", "A", "B", "municipality", "D"])
        #expect(input.ballots.map(\.kind) == [.proxy, .electronic, .electronic, .paper, .electronic])
        #expect(input.ballots.map(\.isEffective) == [false, true, true, true, true])
        #expect(input.ballots[3].scan == String(repeating: "ab", count: 32))
        #expect(input.proxies.map(\.owner) == ["D"])
        let json = try parseJSON(input)
        let ballots = try #require(json["ballots"]?.arrayValue)
        #expect(ballots.map { $0["kind"]?.stringValue } == ["proxy", "electronic", "electronic", "paper", "electronic"])
        #expect(ballots.map { $0["effective"] } == [.bool(false), .bool(true), .bool(true), .bool(true), .bool(true)])
        // The seq and leaf of each ballot are the ledger's.
        let ledgerBallots = scenario.entries.filter { ["ballot.cast", "ballot.paper"].contains($0.entry.command["type"]?.stringValue ?? "") }
        #expect(ballots.map { $0["entry"]?["leaf"]?.stringValue ?? "" } == ledgerBallots.map { Hex.encode($0.leaf) })
        #expect(ballots.map { $0["entry"]?["seq"]?.integerValue ?? -1 } == ledgerBallots.map { Int64($0.entry.seq) })
        let html = ProtocolRenderer.html(input)
        #expect(html.contains("не учтён (заменён другим решением)"))
        #expect(html.contains("по доверенности") && html.contains("бумажный") && html.contains("электронный"))
    }

    @Test func aJointCoHoldersLaterBallotMakesAnEarlierOnePartial() throws {
        // A holds flat 1 alone and flat 2 jointly with B; under last-counts B's later own ballot takes flat 2.
        var fixture = try LedgerFixture()
        try fixture.register(premises: [
            LedgerFixture.premises("1", area: "50", stakes: [(["A"], "1")]),
            LedgerFixture.premises("2", area: "60", stakes: [(["A", "B"], "1")]),
        ])
        try fixture.bind("A", keyA)
        try fixture.bind("B", keyB)
        try fixture.setAdministrator()
        let opens = fixture.now
        try fixture.createMeeting(fixture.meetingFields(revote: "last-counts", opensAt: opens, closesAt: Timestamp(milliseconds: opens.milliseconds + LedgerFixture.day)))
        fixture.advance(milliseconds: 1000)
        try fixture.cast(owner: "A", ["1": "for"], by: keyA)
        fixture.advance(milliseconds: 1000)
        try fixture.cast(owner: "B", ["1": "against"], by: keyB)
        let input = try Scenario(fixture: fixture).input()
        #expect(input.ballots.map(\.effectiveStakes) == [1, 1])
        #expect(input.ballots.map(\.stakes) == [2, 1])
        #expect(ProtocolRenderer.html(input).contains("учтён частично (1 из 2 долей)"))
    }
}
