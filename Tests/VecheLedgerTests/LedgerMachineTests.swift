import Testing
import VecheCore
import VecheCrypto
import VecheLedger
import VecheTestSupport

/// A building with sole, joint, shared and municipal non-residential ownership: 250 m².
private func standardPremises() -> [JSONValue] {
    [
        LedgerFixture.premises("1", area: "50.00", stakes: [(["A"], "1")]),
        LedgerFixture.premises("2", area: "60", stakes: [(["B", "C"], "1")]),
        LedgerFixture.premises("3", area: "40", stakes: [(["D"], "1/2"), (["E"], "1/2")]),
        LedgerFixture.premises("н1", area: "100", kind: "non-residential", stakes: [(["municipality"], "1")]),
    ]
}

private let keyA = TestKeys.signing("A")
private let keyB = TestKeys.signing("B")
private let keyC = TestKeys.signing("C")
private let keyD = TestKeys.signing("D")
private let keyE = TestKeys.signing("E")
private let keyM = TestKeys.signing("municipality")
private let keyP = TestKeys.signing("proxy")

/// Registered building, bound keys, administrator, and a generic meeting open for 10 days.
private func openMeeting(revote: String = "forbidden", items: [(item: String, threshold: String)] = [("1", "participants-majority"), ("2", "all-two-thirds")]) throws -> LedgerFixture {
    var fixture = try LedgerFixture()
    try fixture.register(premises: standardPremises())
    for (owner, key) in [("A", keyA), ("B", keyB), ("C", keyC), ("D", keyD), ("E", keyE), ("municipality", keyM)] {
        try fixture.bind(owner, key)
    }
    try fixture.setAdministrator()
    let opens = fixture.now
    try fixture.createMeeting(
        fixture.meetingFields(revote: revote, opensAt: opens, closesAt: Timestamp(milliseconds: opens.milliseconds + 10 * LedgerFixture.day), items: items))
    fixture.advance(milliseconds: 1000)
    return fixture
}

/// Runs `body` and returns the ledger refusal it throws.
private func refusal(_ body: () throws -> Void) -> LedgerError? {
    do {
        try body()
        return nil
    } catch let error as LedgerError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

private func expectRefusal(
    _ status: Int, _ reason: String? = nil, field: String? = nil, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    guard let error = refusal(body) else {
        Issue.record("expected a \(status) refusal, but the command was accepted", sourceLocation: sourceLocation)
        return
    }
    #expect(error.status == status, "\(error)", sourceLocation: sourceLocation)
    if let reason { #expect(error.reason == reason, "\(error)", sourceLocation: sourceLocation) }
    if let field { #expect(error.field == field, "\(error)", sourceLocation: sourceLocation) }
}

private func closeAfterEnd(_ fixture: inout LedgerFixture) throws -> JSONValue {
    let meeting = try #require(fixture.ledger.state.meeting("M1"))
    fixture.now = meeting.spec.closesAt
    let closed = try fixture.ledger.closeDueMeetings(at: fixture.now)
    #expect(closed.contains("M1"))
    return try #require(fixture.ledger.state.meeting("M1")?.result)
}

@Suite struct LedgerMachineHappyPathTests {
    @Test func aWholeMeetingCountsExactlyAndClosesWithTheEngineResult() throws {
        var fixture = try openMeeting()
        try fixture.cast(owner: "A", ["1": "for", "2": "for"], by: keyA)
        try fixture.cast(owner: "B", ["1": "against"], by: keyB)
        try fixture.cast(owner: "D", ["1": "for", "2": "abstain"], by: keyD)
        try fixture.paper(owner: "municipality", ["1": "for", "2": ["for", "against"]])
        let result = try closeAfterEnd(&fixture)
        // total 250; participating A 50 + B/C 60 + D 20 + municipality 100 = 230.
        #expect(result["total"] == "250")
        #expect(result["participating"] == "230")
        #expect(result["quorum"] == ["required": "1/2", "reached": true])
        #expect(result["ballots"] == 4)
        let items = try #require(result["items"]?.arrayValue)
        #expect(items[0] == [
            "item": "1", "threshold": "participants-majority", "for": "170", "against": "60", "abstain": "0",
            "invalid": "0", "blank": "0", "adopted": true,
        ])
        // Item 2: for 50, abstain 20, invalid 100 (double mark), blank 60; 3·50 < 2·250.
        #expect(items[1] == [
            "item": "2", "threshold": "all-two-thirds", "for": "50", "against": "0", "abstain": "20",
            "invalid": "100", "blank": "60", "adopted": false,
        ])
        // The close entry is signed by the operator and is the last entry.
        let last = try #require(fixture.ledger.entries.last)
        #expect(last.command["type"] == "meeting.close")
        #expect(last.signer == fixture.ledger.operatorKeyString)
        #expect(last.command["id"] == .string(AutoClose.commandID(meeting: "M1")))
    }

    @Test func everyEntryChainsToTheLeafBeforeIt() throws {
        var fixture = try openMeeting()
        try fixture.cast(owner: "A", ["1": "for"], by: keyA)
        let entries = fixture.ledger.entries
        #expect(entries[0].prev == LedgerEntry.zeroHash)
        for seq in 1..<entries.count {
            #expect(entries[seq].prev == LedgerEntry.leafHash(canonicalBytes: fixture.ledger.canonicalEntries[seq - 1]))
            #expect(entries[seq].time >= entries[seq - 1].time)
        }
    }

    @Test func receiptsVerifyAgainstTheCheckpoint() throws {
        var fixture = try openMeeting()
        guard case .appended(let seq) = try fixture.cast(owner: "A", ["1": "for"], by: keyA) else {
            Issue.record("not appended")
            return
        }
        let receipt = try fixture.ledger.receipt(seq: seq)
        let verified = try Receipt.verify(json: receipt.json, verifier: try fixture.ledger.verifier)
        #expect(verified.seq == seq)
        #expect(verified.entry.command["owner"] == "A")
        // A receipt checked against another ledger's key fails.
        let stranger = try NoteVerifier(name: LedgerFixture.origin, publicKey: TestKeys.ed25519("stranger").publicKey)
        #expect(throws: (any Error).self) { try Receipt.verify(json: receipt.json, verifier: stranger) }
    }
}

@Suite struct BallotAuthorityTests {
    @Test func ballotSignedByAnotherOwnersKeyIsForbidden() throws {
        var fixture = try openMeeting()
        expectRefusal(403, "not-authorised", field: "/signer") { try fixture.cast(owner: "A", ["1": "for"], by: keyB) }
    }

    @Test func revokedKeySignsNothingButItsEarlierBallotStays() throws {
        var fixture = try openMeeting(revote: "last-counts")
        try fixture.cast(owner: "A", ["1": "for"], by: keyA)
        try fixture.submit("owner.key", ["owner": "A", "key": .string(keyA.publicKey.string), "action": "revoke"], by: fixture.registrar)
        expectRefusal(403, "not-authorised") { try fixture.cast(owner: "A", ["1": "against"], by: keyA) }
        let result = try closeAfterEnd(&fixture)
        #expect(result["items"]?.arrayValue?[0]["for"] == "50")
    }

    @Test func proxyWithoutGrantIsForbidden() throws {
        var fixture = try openMeeting()
        expectRefusal(403, "not-authorised") { try fixture.cast(owner: "A", ["1": "for"], by: keyP) }
    }

    @Test func ownerOverridesProxyInEitherOrder() throws {
        var fixture = try openMeeting()
        try fixture.grant(owner: "A", proxy: keyP, by: keyA)
        try fixture.grant(owner: "D", proxy: keyP, by: keyD)
        // A: proxy first, then own. D: own first, then the proxy is refused.
        try fixture.cast(owner: "A", ["1": "against"], by: keyP)
        try fixture.cast(owner: "A", ["1": "for"], by: keyA)
        try fixture.cast(owner: "D", ["1": "for"], by: keyD)
        expectRefusal(409, "proxy-after-own-ballot") { try fixture.cast(owner: "D", ["1": "against"], by: keyP) }
        let result = try closeAfterEnd(&fixture)
        #expect(result["items"]?.arrayValue?[0]["for"] == "70")
        #expect(result["items"]?.arrayValue?[0]["against"] == "0")
        #expect(result["ballots"] == 2)
    }

    @Test func jointCoHolderBallotCoveringNothingNewIsAConflict() throws {
        var fixture = try openMeeting()
        try fixture.cast(owner: "B", ["1": "for"], by: keyB)
        expectRefusal(409, "own-ballot-covers-nothing-new") { try fixture.cast(owner: "C", ["1": "against"], by: keyC) }
    }

    @Test func secondOwnBallotUnderForbiddenIsAConflictButLastCountsTakesIt() throws {
        var forbidden = try openMeeting()
        try forbidden.cast(owner: "A", ["1": "for"], by: keyA)
        expectRefusal(409, "second-own-ballot") { try forbidden.cast(owner: "A", ["1": "against"], by: keyA) }

        var lastCounts = try openMeeting(revote: "last-counts")
        try lastCounts.cast(owner: "A", ["1": "for"], by: keyA)
        try lastCounts.cast(owner: "A", ["1": "against"], by: keyA)
        let result = try closeAfterEnd(&lastCounts)
        #expect(result["items"]?.arrayValue?[0]["against"] == "50")
        #expect(result["items"]?.arrayValue?[0]["for"] == "0")
    }

    @Test func ballotAtExactlyClosesAtIsRefusedAndOneMillisecondBeforeIsTaken() throws {
        var fixture = try openMeeting()
        let closes = try #require(fixture.ledger.state.meeting("M1")).spec.closesAt
        fixture.now = Timestamp(milliseconds: closes.milliseconds - 1)
        try fixture.cast(owner: "A", ["1": "for"], by: keyA)
        fixture.now = closes
        expectRefusal(409) { try fixture.cast(owner: "D", ["1": "for"], by: keyD) }
    }

    @Test func ballotBeforeOpeningIsAConflict() throws {
        var fixture = try LedgerFixture()
        try fixture.register(premises: standardPremises())
        try fixture.bind("A", keyA)
        try fixture.setAdministrator()
        let opens = Timestamp(milliseconds: fixture.now.milliseconds + LedgerFixture.day)
        try fixture.createMeeting(fixture.meetingFields(opensAt: opens, closesAt: Timestamp(milliseconds: opens.milliseconds + LedgerFixture.day)))
        expectRefusal(409, "not-open-yet") { try fixture.cast(owner: "A", ["1": "for"], by: keyA) }
    }

    @Test func administratorReplacedMidwayLosesAuthorityAndMeetingsStay() throws {
        var fixture = try openMeeting()
        try fixture.paper(owner: "A", ["1": "for"])
        let newCompany = TestKeys.signing("new-company")
        try fixture.setAdministrator(keys: [newCompany])
        // The old key can no longer enter paper ballots nor create meetings.
        expectRefusal(403, "not-authorised") { try fixture.paper(owner: "D", ["1": "for"]) }
        let opens = Timestamp(milliseconds: fixture.now.milliseconds + LedgerFixture.day)
        let fields = fixture.meetingFields(meeting: "M2", opensAt: opens, closesAt: Timestamp(milliseconds: opens.milliseconds + LedgerFixture.day))
        expectRefusal(403) { try fixture.createMeeting(fields) }
        try fixture.submit(
            "ballot.paper",
            ["meeting": "M1", "owner": "D", "choices": ["1": "against"], "scan": .string(String(repeating: "cd", count: 32))],
            by: newCompany)
        try fixture.createMeeting(fields, by: newCompany)
        #expect(fixture.ledger.state.building("B1")?.meetings == ["M1", "M2"])
        let result = try closeAfterEnd(&fixture)
        #expect(result["items"]?.arrayValue?[0]["for"] == "50")
        #expect(result["items"]?.arrayValue?[0]["against"] == "20")
    }

    @Test func unknownOwnerAndUnknownItemAreUnknownReferences() throws {
        var fixture = try openMeeting()
        let stranger = TestKeys.signing("stranger")
        try fixture.bind("Z", stranger)
        expectRefusal(422, "unknown-owner", field: "/command/owner") { try fixture.cast(owner: "Z", ["1": "for"], by: stranger) }
        expectRefusal(422, "unknown-item", field: "/command/choices/9") { try fixture.cast(owner: "A", ["9": "for"], by: keyA) }
        // References are judged before authority: a stranger's ballot for an unknown item is 422, not 403.
        expectRefusal(422, "unknown-item") { try fixture.cast(owner: "A", ["9": "for"], by: stranger) }
    }
}

@Suite struct IdempotencyAndOriginTests {
    @Test func replayOfAWholeEnvelopeReturnsTheOriginalSeq() throws {
        var fixture = try openMeeting()
        let command = fixture.makeCommand("ballot.cast", ["meeting": "M1", "owner": "A", "choices": ["1": "for"]])
        let envelope = try SignedEnvelope.sign(command: command, with: keyA)
        guard case .appended(let seq) = try fixture.ledger.submit(envelope, at: fixture.now) else {
            Issue.record("first submission not appended")
            return
        }
        let size = fixture.ledger.size
        fixture.advance(days: 1)
        guard case .repeated(let again) = try fixture.ledger.submit(envelope, at: fixture.now) else {
            Issue.record("replay was not an idempotent repeat")
            return
        }
        #expect(again == seq)
        #expect(fixture.ledger.size == size)
    }

    @Test func sameIdWithOtherContentOrSignerIsAConflict() throws {
        var fixture = try openMeeting()
        let command = fixture.makeCommand("ballot.cast", ["meeting": "M1", "owner": "A", "choices": ["1": "for"]])
        try fixture.submit(command, by: keyA)
        var other = command.objectValue!
        other["choices"] = ["1": "against"]
        expectRefusal(409, "id-reused", field: "/command/id") { try fixture.submit(.object(other), by: keyA) }
        // Same bytes, another signer (a granted proxy): also a conflict.
        try fixture.grant(owner: "A", proxy: keyP, by: keyA)
        expectRefusal(409, "id-reused") { try fixture.submit(command, by: keyP) }
    }

    @Test func wrongLedgerOriginIsForbiddenBeforeIdempotency() throws {
        var fixture = try openMeeting()
        var command = fixture.makeCommand("ballot.cast", ["meeting": "M1", "owner": "A", "choices": ["1": "for"]]).objectValue!
        command["ledger"] = "vote.example.ru/77"
        expectRefusal(403, "wrong-ledger", field: "/command/ledger") { try fixture.submit(.object(command), by: keyA) }
    }

    @Test func invalidSignatureIsForbidden() throws {
        var fixture = try openMeeting()
        let command = fixture.makeCommand("ballot.cast", ["meeting": "M1", "owner": "A", "choices": ["1": "for"]])
        let envelope = try SignedEnvelope.sign(command: command, with: keyA)
        var signature = envelope.signature
        signature[10] ^= 0x20
        let forged = SignedEnvelope(command: command, signer: envelope.signer, signature: signature)
        expectRefusal(403) { try fixture.ledger.submit(forged, at: fixture.now) }
    }
}

@Suite struct CommandRefusalTests {
    @Test func secondGenesisIsAConflictWhoeverSigns() throws {
        var fixture = try LedgerFixture()
        let fields: [String: JSONValue] = [
            "operator": .string(fixture.registrar.publicKey.string), "registrars": .array([.string(fixture.registrar.publicKey.string)]),
            "rulesets": ["generic"],
        ]
        expectRefusal(409, "second-genesis") { try fixture.submit("ledger.genesis", fields, by: fixture.registrar) }
        expectRefusal(409, "second-genesis") { try fixture.submit("ledger.genesis", fields, by: fixture.operatorSigningKey) }
    }

    @Test func genesisMustBeSignedByItsOperatorAndNameRegistrars() throws {
        var ledger = InMemoryLedger(origin: LedgerFixture.origin, operatorKey: TestKeys.ed25519("operator"))
        let operatorKey = TestKeys.signing("operator")
        func genesis(registrars: [JSONValue], signer: SigningKey) throws {
            let command: JSONValue = [
                "type": "ledger.genesis", "id": "genesis-0001", "ledger": .string(LedgerFixture.origin),
                "operator": .string(operatorKey.publicKey.string), "registrars": .array(registrars), "rulesets": ["generic"],
            ]
            try ledger.submit(try SignedEnvelope.sign(command: command, with: signer), at: LedgerFixture.start)
        }
        expectRefusal(403) { try genesis(registrars: [.string(keyA.publicKey.string)], signer: keyA) }
        expectRefusal(422, "no-registrars") { try genesis(registrars: [], signer: operatorKey) }
        expectRefusal(400, field: "/command/registrars/1") {
            try genesis(registrars: [.string(keyA.publicKey.string), .string(keyA.publicKey.string)], signer: operatorKey)
        }
        #expect(ledger.size == 0)
        // Nothing but a genesis can start a ledger.
        expectRefusal(409, "no-genesis") {
            let command: JSONValue = ["type": "owner.key", "id": "first-0001", "ledger": .string(LedgerFixture.origin), "owner": "A", "key": .string(keyA.publicKey.string), "action": "bind"]
            try ledger.submit(try SignedEnvelope.sign(command: command, with: keyA), at: LedgerFixture.start)
        }
    }

    @Test func duplicateRulesetsAreASchemaError() throws {
        var ledger = InMemoryLedger(origin: LedgerFixture.origin, operatorKey: TestKeys.ed25519("operator"))
        let operatorKey = TestKeys.signing("operator")
        let command: JSONValue = [
            "type": "ledger.genesis", "id": "genesis-0001", "ledger": .string(LedgerFixture.origin),
            "operator": .string(operatorKey.publicKey.string), "registrars": [.string(keyA.publicKey.string)],
            "rulesets": ["generic", "generic"],
        ]
        expectRefusal(400, field: "/command/rulesets/1") { try ledger.submit(try SignedEnvelope.sign(command: command, with: operatorKey), at: LedgerFixture.start) }
    }

    @Test func registerRefusalsNameThePremises() throws {
        var fixture = try LedgerFixture()
        expectRefusal(403, "not-authorised") {
            try fixture.submit("building.register", ["building": "B1", "address": "x", "premises": .array(standardPremises())], by: keyA)
        }
        expectRefusal(422, field: "/command/premises/1/stakes") {
            try fixture.register(premises: [
                LedgerFixture.premises("1", area: "50", stakes: [(["A"], "1")]),
                LedgerFixture.premises("2", area: "50", stakes: [(["B"], "1/2"), (["C"], "1/3")]),
            ])
        }
        expectRefusal(422) {
            try fixture.register(premises: [
                LedgerFixture.premises("1", area: "50", stakes: [(["A"], "1")]),
                LedgerFixture.premises("1", area: "50", stakes: [(["B"], "1")]),
            ])
        }
        expectRefusal(422) { try fixture.register(premises: [LedgerFixture.premises("1", area: "50", stakes: [([], "1")])]) }
        expectRefusal(422) { try fixture.register(premises: []) }
        expectRefusal(400, field: "/command/premises/0/area") { try fixture.register(premises: [LedgerFixture.premises("1", area: "50.123", stakes: [(["A"], "1")])]) }
        expectRefusal(400, field: "/command/premises/0/stakes/0/share") { try fixture.register(premises: [LedgerFixture.premises("1", area: "50", stakes: [(["A"], "2/2")])]) }
        #expect(fixture.ledger.size == 1)
    }

    @Test func unknownAndMissingFieldsAreSchemaErrorsWithPointers() throws {
        var fixture = try openMeeting()
        expectRefusal(400, field: "/command/colour") {
            try fixture.submit("ballot.cast", ["meeting": "M1", "owner": "A", "choices": ["1": "for"], "colour": "red"], by: keyA)
        }
        expectRefusal(400, field: "/command/choices") { try fixture.submit("ballot.cast", ["meeting": "M1", "owner": "A"], by: keyA) }
        expectRefusal(400, field: "/command/choices/1") { try fixture.submit("ballot.cast", ["meeting": "M1", "owner": "A", "choices": ["1": ["for", "against"]]], by: keyA) }
        expectRefusal(400, field: "/command/type") { try fixture.submit("ballot.burn", ["meeting": "M1"], by: keyA) }
        expectRefusal(400, field: "/command/id") { try fixture.submit(fixture.makeCommand("ballot.cast", ["id": "short", "meeting": "M1", "owner": "A", "choices": [:]]), by: keyA) }
    }

    @Test func paperMarksMustBeOneMarkOrTwoToThreeDistinct() throws {
        var fixture = try openMeeting()
        expectRefusal(400) { try fixture.paper(owner: "A", ["1": []]) }
        expectRefusal(400) { try fixture.paper(owner: "A", ["1": ["for"]]) }
        expectRefusal(400) { try fixture.paper(owner: "A", ["1": ["for", "for"]]) }
        try fixture.paper(owner: "A", ["1": ["for", "against", "abstain"]])
    }

    @Test func keyBindingConflicts() throws {
        var fixture = try LedgerFixture()
        try fixture.bind("A", keyA)
        expectRefusal(409, "key-already-bound") { try fixture.bind("A", keyA) }
        expectRefusal(409, "key-already-bound") { try fixture.bind("B", keyA) }
        expectRefusal(409, "key-not-bound") {
            try fixture.submit("owner.key", ["owner": "B", "key": .string(keyA.publicKey.string), "action": "revoke"], by: fixture.registrar)
        }
        expectRefusal(403) {
            try fixture.submit("owner.key", ["owner": "A", "key": .string(keyB.publicKey.string), "action": "bind"], by: keyA)
        }
    }

    @Test func administratorNeedsAKnownBuildingAndKeys() throws {
        var fixture = try LedgerFixture()
        expectRefusal(422, "unknown-building") { try fixture.setAdministrator(building: "B9") }
        try fixture.register(premises: standardPremises())
        expectRefusal(422, "no-keys") { try fixture.setAdministrator(keys: []) }
        expectRefusal(403) {
            try fixture.submit("building.administrator", ["building": "B1", "keys": [.string(keyA.publicKey.string)], "organization": ["name": "X"]], by: keyA)
        }
    }

    @Test func meetingCreateRefusals() throws {
        var fixture = try LedgerFixture(rulesets: ["ru-zhk-2024"])
        try fixture.register(premises: standardPremises())
        try fixture.setAdministrator()
        let now = fixture.now
        func at(days: Int64) -> Timestamp { Timestamp(milliseconds: now.milliseconds + days * LedgerFixture.day) }
        expectRefusal(422, "unknown-building") { try fixture.createMeeting(fixture.meetingFields(building: "B9", rules: "ru-zhk-2024", opensAt: at(days: 11), closesAt: at(days: 20))) }
        expectRefusal(403) { try fixture.createMeeting(fixture.meetingFields(rules: "ru-zhk-2024", opensAt: at(days: 11), closesAt: at(days: 20)), by: keyA) }
        expectRefusal(422, "ruleset-not-enabled") { try fixture.createMeeting(fixture.meetingFields(rules: "generic", opensAt: at(days: 11), closesAt: at(days: 20))) }
        expectRefusal(422, field: "/command/opens_at") { try fixture.createMeeting(fixture.meetingFields(rules: "ru-zhk-2024", opensAt: at(days: 9), closesAt: at(days: 20))) }
        expectRefusal(422) { try fixture.createMeeting(fixture.meetingFields(rules: "ru-zhk-2024", opensAt: at(days: 11), closesAt: at(days: 17))) }
        expectRefusal(422) { try fixture.createMeeting(fixture.meetingFields(rules: "ru-zhk-2024", opensAt: at(days: 11), closesAt: at(days: 72))) }
        expectRefusal(422, field: "/command/quorum") { try fixture.createMeeting(fixture.meetingFields(rules: "ru-zhk-2024", opensAt: at(days: 11), closesAt: at(days: 20), quorum: "1/2")) }
        expectRefusal(422) { try fixture.createMeeting(fixture.meetingFields(rules: "ru-zhk-2024", opensAt: at(days: 11), closesAt: at(days: 20), items: [])) }
        expectRefusal(422) { try fixture.createMeeting(fixture.meetingFields(rules: "ru-zhk-2024", opensAt: at(days: 11), closesAt: at(days: 20), items: [("1", "all-majority"), ("1", "all-majority")])) }
        expectRefusal(422) { try fixture.createMeeting(fixture.meetingFields(rules: "ru-zhk-2024", opensAt: at(days: 20), closesAt: at(days: 20))) }
        // Exactly 10 days of notice and 7 days of voting is lawful; the registrar may create too.
        try fixture.createMeeting(fixture.meetingFields(rules: "ru-zhk-2024", opensAt: at(days: 10), closesAt: at(days: 17)))
        expectRefusal(409, "meeting-exists") { try fixture.createMeeting(fixture.meetingFields(rules: "ru-zhk-2024", opensAt: at(days: 10), closesAt: at(days: 17)), by: fixture.registrar) }
        try fixture.createMeeting(fixture.meetingFields(meeting: "M2", rules: "ru-zhk-2024", opensAt: at(days: 10), closesAt: at(days: 70)), by: fixture.registrar)
    }

    @Test func cancelAndGrantRefusals() throws {
        var fixture = try openMeeting()
        expectRefusal(422, "document-required", field: "/command/document") { try fixture.grant(owner: "A", proxy: keyP, by: fixture.administrator) }
        try fixture.grant(owner: "A", proxy: keyP, document: String(repeating: "0f", count: 32), by: fixture.administrator)
        expectRefusal(409, "proxy-already-granted") { try fixture.grant(owner: "A", proxy: keyP, by: keyA) }
        expectRefusal(403) { try fixture.grant(owner: "A", proxy: keyP, by: keyB) }
        expectRefusal(422, "unknown-meeting") { try fixture.submit("meeting.cancel", ["meeting": "M9", "reason": "нет"], by: fixture.administrator) }
        expectRefusal(403) { try fixture.submit("meeting.cancel", ["meeting": "M1", "reason": "нет"], by: keyA) }
        try fixture.submit("meeting.cancel", ["meeting": "M1", "reason": "Ошибка в повестке"], by: fixture.administrator)
        expectRefusal(409, "meeting-cancelled") { try fixture.submit("meeting.cancel", ["meeting": "M1", "reason": "снова"], by: fixture.registrar) }
        expectRefusal(409) { try fixture.grant(owner: "D", proxy: keyP, by: keyD) }
        expectRefusal(409) { try fixture.cast(owner: "A", ["1": "for"], by: keyA) }
        // A cancelled meeting is never closed.
        fixture.advance(days: 30)
        #expect(try fixture.ledger.closeDueMeetings(at: fixture.now).isEmpty)
    }

    @Test func cancellingAfterClosesAtIsAConflict() throws {
        var fixture = try openMeeting()
        fixture.advance(days: 11)
        expectRefusal(409, "meeting-over") { try fixture.submit("meeting.cancel", ["meeting": "M1", "reason": "поздно"], by: fixture.administrator) }
        expectRefusal(409) { try fixture.grant(owner: "A", proxy: keyP, by: keyA) }
    }

    @Test func closeRefusals() throws {
        var fixture = try openMeeting()
        try fixture.cast(owner: "A", ["1": "for"], by: keyA)
        let tally = try #require(fixture.ledger.state.tally(ofMeeting: "M1"))
        let honest = ResultJSON.encode(tally.result())
        expectRefusal(409, "meeting-open") { try fixture.submit("meeting.close", ["meeting": "M1", "result": honest], by: fixture.operatorSigningKey) }
        fixture.advance(days: 10)
        expectRefusal(403) { try fixture.submit("meeting.close", ["meeting": "M1", "result": honest], by: fixture.registrar) }
        var forged = honest.objectValue!
        forged["participating"] = "250"
        expectRefusal(422, "result-mismatch", field: "/command/result") { try fixture.submit("meeting.close", ["meeting": "M1", "result": .object(forged)], by: fixture.operatorSigningKey) }
        try fixture.submit("meeting.close", ["meeting": "M1", "result": honest], by: fixture.operatorSigningKey)
        expectRefusal(409, "meeting-closed") { try fixture.submit("meeting.close", ["meeting": "M1", "result": honest], by: fixture.operatorSigningKey) }
        expectRefusal(409) { try fixture.cast(owner: "D", ["1": "for"], by: keyD) }
    }

    @Test func registerChangesDoNotMoveAMeetingsFrozenRegister() throws {
        var fixture = try openMeeting()
        try fixture.register(premises: standardPremises() + [LedgerFixture.premises("99", area: "1000", stakes: [(["A"], "1")])])
        try fixture.cast(owner: "A", ["1": "for"], by: keyA)
        let result = try closeAfterEnd(&fixture)
        #expect(result["total"] == "250")
        #expect(result["participating"] == "50")
        #expect(fixture.ledger.state.meeting("M1")?.registerLeaf != fixture.ledger.state.building("B1")?.registerLeaf)
    }
}
