import Foundation
import Testing
import VecheCore
import VecheCrypto
import VecheHTTP
import VecheLedger
import VecheStore
import VecheTestSupport

/// One refused submission: what is posted and what WIRE.md says it answers.
struct Refusal: Sendable, CustomStringConvertible {
    let name: String
    let body: [UInt8]
    var contentType: String? = "application/json"
    let status: Int
    var field: String?

    var description: String { name }

    init(_ name: String, _ body: [UInt8], contentType: String? = "application/json", _ status: Int, field: String? = nil) {
        self.name = name
        self.body = body
        self.contentType = contentType
        self.status = status
        self.field = field
    }

    init(_ name: String, _ command: JSONValue, by key: SigningKey, _ status: Int, field: String? = nil) throws {
        self.init(name, try SignedEnvelope.sign(command: command, with: key).canonicalBytes, status, field: field)
    }
}

/// `{"command":<command>,"signer":"<signer>","signature":"<signature>"}` from raw parts.
func rawEnvelope(_ command: String, signer: String, signature: String, extra: String = "") -> [UInt8] {
    Array("{\"command\":\(command),\"signer\":\"\(signer)\",\"signature\":\"\(signature)\"\(extra)}".utf8)
}

/// A ledger with a building (sole, shared and joint stakes), an administrator, bound keys
/// and meetings in every state, for refusals to be judged against.
struct RefusalWorld {
    var commands: Commands
    let stranger = TestKeys.signing("stranger")
    let notOnLedger = "vote.example.ru/99"

    static let premises: [JSONValue] = [
        LedgerFixture.premises("1", area: "50", stakes: [(["o1"], "1")]),
        LedgerFixture.premises("2", area: "60", stakes: [(["o2"], "1/3"), (["o3"], "2/3")]),
        LedgerFixture.premises("3", area: "45.5", stakes: [(["o4", "o5"], "1")]),
    ]

    static func build(_ client: APIClient) async throws -> RefusalWorld {
        var commands = try Commands()
        try await accept(client, commands.register(premises: premises), by: commands.registrar)
        try await accept(client, commands.administrator(), by: commands.registrar)
        for owner in ["o1", "o2", "o3", "o4"] { try await accept(client, commands.bind(owner, ownerKey(owner)), by: commands.registrar) }
        try await accept(client, commands.meeting("M1", closesIn: 3_600_000, items: [("1", "participants-majority"), ("2", "all-majority")]), by: commands.administrator)
        try await accept(client, commands.meeting("M-later", closesIn: 7_200_000, opensIn: 3_600_000), by: commands.administrator)
        try await accept(client, commands.meeting("M-cancelled", closesIn: 3_600_000), by: commands.administrator)
        try await accept(client, commands.make("meeting.cancel", ["meeting": "M-cancelled", "reason": "перенос"]), by: commands.administrator)
        try await accept(client, commands.cast(owner: "o1", ["1": "for"]), by: ownerKey("o1"))
        return RefusalWorld(commands: commands)
    }

    /// A ru-zhk-2024 meeting.create opening `opensInDays` after now and lasting `days`.
    mutating func lawfulMeeting(_ id: String, opensInDays: Int64, days: Int64, form: String = "electronic", quorum: String? = nil) -> JSONValue {
        let now = SystemClock.now().milliseconds
        let opens = now + opensInDays * LedgerFixture.day
        let fields = commands.fixture.meetingFields(
            meeting: id, rules: "ru-zhk-2024", form: form, opensAt: Timestamp(milliseconds: opens),
            closesAt: Timestamp(milliseconds: opens + days * LedgerFixture.day), quorum: quorum)
        return commands.make("meeting.create", fields)
    }

    /// `command` with `key` set to `value` (or removed when nil).
    static func with(_ command: JSONValue, _ key: String, _ value: JSONValue?) -> JSONValue {
        var members = command.objectValue ?? [:]
        members[key] = value
        return .object(members)
    }

    /// A building.register whose premises are `premises`.
    mutating func register(_ premises: [JSONValue]) -> JSONValue { commands.register(premises: premises) }
}

@Suite struct RefusalTests {
    /// Steps 1 and 2: size, media type, JSON and envelope shape.
    @Test func bodiesThatAreNotEnvelopesAreRefusedBeforeAnythingElse() async throws {
        try await withLiveServer("refuse-body") { live in
            let client = live.client()
            let world = try await RefusalWorld.build(client)
            var commands = world.commands
            let good = try SignedEnvelope.sign(command: commands.cast(owner: "o2", ["1": "for"]), with: ownerKey("o2"))
            let command = String(decoding: CanonicalJSON.serialize(good.command), as: UTF8.self)
            let signer = good.signerString
            let signature = good.signatureString
            let cases: [Refusal] = [
                // Step 1: 415 for anything but application/json; 413 comes first.
                Refusal("text/plain", good.canonicalBytes, contentType: "text/plain", 415),
                Refusal("no Content-Type", good.canonicalBytes, contentType: nil, 415),
                Refusal("application/jsonx", good.canonicalBytes, contentType: "application/jsonx", 415),
                Refusal("form", good.canonicalBytes, contentType: "application/x-www-form-urlencoded", 415),
                Refusal("415 before 400", Array("{".utf8), contentType: "text/plain", 415),
                // Parameters are fine, and media types are case-insensitive: these reach step 2.
                Refusal("charset parameter", Array("{".utf8), contentType: "application/json; charset=utf-8", 400),
                Refusal("upper case media type", Array("{".utf8), contentType: "Application/JSON", 400),
                // Step 2: 400.
                Refusal("empty body", [], 400),
                Refusal("truncated JSON", Array("{".utf8), 400),
                Refusal("not UTF-8", [0x7B, 0xFF, 0x7D], 400),
                Refusal("trailing garbage", good.canonicalBytes + Array(" x".utf8), 400),
                Refusal("array", Array("[]".utf8), 400),
                Refusal("float in command", rawEnvelope(#"{"n":1.5}"#, signer: signer, signature: signature), 400),
                Refusal("exponent in command", rawEnvelope(#"{"n":1e2}"#, signer: signer, signature: signature), 400),
                Refusal("integer beyond 2^53-1", rawEnvelope(#"{"n":9007199254740992}"#, signer: signer, signature: signature), 400),
                Refusal("null in command", rawEnvelope(#"{"n":null}"#, signer: signer, signature: signature), 400),
                Refusal("duplicate key in command", rawEnvelope(#"{"a":"1","a":"1"}"#, signer: signer, signature: signature), 400),
                Refusal("duplicate key in envelope", Array(#"{"command":{},"command":{},"signer":"\#(signer)","signature":"\#(signature)"}"#.utf8), 400),
                Refusal("lone surrogate", rawEnvelope(#"{"type":"\ud800"}"#, signer: signer, signature: signature), 400),
                Refusal("extra envelope field", rawEnvelope(command, signer: signer, signature: signature, extra: #","time":"now""#), 400, field: "/time"),
                Refusal("missing signature", Array(#"{"command":\#(command),"signer":"\#(signer)"}"#.utf8), 400, field: "/signature"),
                Refusal("missing command", Array(#"{"signer":"\#(signer)","signature":"\#(signature)"}"#.utf8), 400, field: "/command"),
                Refusal("command a number", rawEnvelope("1", signer: signer, signature: signature), 400, field: "/command"),
                Refusal("command an array", rawEnvelope("[]", signer: signer, signature: signature), 400, field: "/command"),
                Refusal("command a string", rawEnvelope(#""x""#, signer: signer, signature: signature), 400, field: "/command"),
                Refusal("signer not a string", Array(#"{"command":\#(command),"signer":5,"signature":"\#(signature)"}"#.utf8), 400, field: "/signer"),
                // Step 2 before step 3: the signature is never looked at for a body outside the subset.
                Refusal("float with a bad signature", rawEnvelope(#"{"n":1.5}"#, signer: signer, signature: "AAAA"), 400),
            ]
            let size = live.store.size
            for refusal in cases {
                let response = try await client.post(refusal.body, contentType: refusal.contentType)
                expectProblem(response, refusal.status, field: refusal.field, refusal.name)
                #expect(live.store.size == size, "\(refusal.name) appended something")
            }
            #expect(try await client.submit(good).status.code == 201, "the good envelope itself is accepted")
        }
    }

    /// 413 for a 2 MiB body; the server stays up, and a body of exactly 1 MiB is taken.
    @Test func oversizedBodiesAre413AndTheServerStaysUp() async throws {
        try await withLiveServer("refuse-413") { live in
            let client = live.client()
            var commands = try Commands()
            let size = live.store.size
            let huge = [UInt8](repeating: 0x20, count: 2 << 20)
            expectProblem(try await client.post(huge), 413, "2 MiB")
            expectProblem(try await live.client().post(huge, contentType: "text/plain"), 413, "413 before 415")
            #expect(try await live.client().get("/healthz").text == "ok")
            #expect(live.store.size == size)

            // A valid envelope padded with whitespace to exactly 1 MiB is accepted; one byte more is 413.
            let envelope = try SignedEnvelope.sign(command: commands.bind("o1", ownerKey("o1")), with: commands.registrar).canonicalBytes
            let padded = envelope + [UInt8](repeating: 0x20, count: (1 << 20) - envelope.count)
            expectProblem(try await live.client().post(padded + [0x20]), 413, "1 MiB + 1")
            #expect(live.store.size == size)
            let accepted = try await live.client().post(padded)
            #expect(accepted.status.code == 201, "\(accepted.text)")
            #expect(live.store.size == size + 1)
        }
    }

    /// Steps 3–10 with valid JSON envelopes, in WIRE.md's order, and the order between steps.
    @Test func commandsAreRefusedWithTheStatusOfTheFirstFailingStep() async throws {
        try await withLiveServer("refuse-steps") { live in
            let client = live.client()
            var world = try await RefusalWorld.build(client)
            let registrar = world.commands.registrar
            let administrator = world.commands.administrator
            let stranger = world.stranger
            let o1 = ownerKey("o1"), o2 = ownerKey("o2"), o4 = ownerKey("o4")
            let firstBallot = try live.store.entry(seq: live.store.size - 1).entry.command
            let usedID = try #require(firstBallot["id"]?.stringValue)
            let existingProxy = TestKeys.signing("proxy/o2")
            try await accept(client, world.commands.grant(owner: "o2", proxy: existingProxy), by: o2)
            let lateProxy = TestKeys.signing("proxy/o1")
            try await accept(client, world.commands.grant(owner: "o1", proxy: lateProxy), by: o1)
            let operatorKey = try live.operatorKey()

            let ballot = world.commands.cast(owner: "o2", ["1": "for"])
            let ballotEnvelope = try SignedEnvelope.sign(command: ballot, with: o2)
            let ballotText = String(decoding: CanonicalJSON.serialize(ballot), as: UTF8.self)
            let otherSignature = try SignedEnvelope.sign(command: world.commands.cast(owner: "o2", ["1": "against"]), with: o2).signatureString
            let es256 = try SigningKey.generate(algorithm: .es256)
            var unknownType = world.commands.make("ballot.delete", ["meeting": "M1"])
            unknownType = RefusalWorld.with(unknownType, "type", "ballot.delete")
            let premisesWith = { (premises: [JSONValue]) -> JSONValue in world.commands.make("building.register", ["building": "B1", "address": "ул. Тестовая, 1", "premises": .array(premises)]) }
            var cases: [Refusal] = []

            // Step 3: 403, the signature.
            cases += [
                Refusal("signature of another command", rawEnvelope(ballotText, signer: o2.publicKey.string, signature: otherSignature), 403, field: "/signature"),
                Refusal("signature by another key", rawEnvelope(ballotText, signer: o1.publicKey.string, signature: ballotEnvelope.signatureString), 403, field: "/signature"),
                Refusal("signer not a key", rawEnvelope(ballotText, signer: "ed25519:AAAA", signature: ballotEnvelope.signatureString), 403, field: "/signer"),
                Refusal("signer of an unknown algorithm", rawEnvelope(ballotText, signer: "rsa:" + String(o2.publicKey.string.dropFirst(8)), signature: ballotEnvelope.signatureString), 403, field: "/signer"),
                Refusal("signature not base64url", rawEnvelope(ballotText, signer: o2.publicKey.string, signature: "not+base64/"), 403, field: "/signature"),
                Refusal("signature of 63 bytes", rawEnvelope(ballotText, signer: o2.publicKey.string, signature: Base64URL.encode([UInt8](repeating: 7, count: 63))), 403, field: "/signature"),
                Refusal("403 signature before 400 schema", rawEnvelope(String(decoding: CanonicalJSON.serialize(unknownType), as: UTF8.self), signer: o2.publicKey.string, signature: otherSignature), 403, field: "/signature"),
            ]
            // Step 4: 400, the command schema (signatures valid).
            cases += try [
                Refusal("unknown type", unknownType, by: o2, 400, field: "/command/type"),
                Refusal("missing field", RefusalWorld.with(ballot, "choices", nil), by: o2, 400, field: "/command/choices"),
                Refusal("unknown field", RefusalWorld.with(ballot, "comment", "hello"), by: o2, 400, field: "/command/comment"),
                Refusal("ill-typed field", RefusalWorld.with(ballot, "owner", 5), by: o2, 400, field: "/command/owner"),
                Refusal("id too short", RefusalWorld.with(ballot, "id", "short"), by: o2, 400, field: "/command/id"),
                Refusal("id with a dot", RefusalWorld.with(ballot, "id", "abc.defgh"), by: o2, 400, field: "/command/id"),
                Refusal("meeting id with a space", RefusalWorld.with(ballot, "meeting", "M 1"), by: o2, 400, field: "/command/meeting"),
                Refusal("mark not a mark", RefusalWorld.with(ballot, "choices", ["1": "yes"]), by: o2, 400, field: "/command/choices/1"),
                Refusal("list of marks in ballot.cast", RefusalWorld.with(ballot, "choices", ["1": ["for", "against"]]), by: o2, 400, field: "/command/choices/1"),
                Refusal("one-element mark list on paper", world.commands.paper(owner: "o3", ["1": ["for"]]), by: administrator, 400, field: "/command/choices/1"),
                Refusal("empty mark list on paper", world.commands.paper(owner: "o3", ["1": .array([])]), by: administrator, 400, field: "/command/choices/1"),
                Refusal("repeated marks on paper", world.commands.paper(owner: "o3", ["1": ["for", "for"]]), by: administrator, 400, field: "/command/choices/1/1"),
                Refusal("scan not hex", RefusalWorld.with(world.commands.paper(owner: "o3", ["1": "for"]), "scan", "XYZ"), by: administrator, 400, field: "/command/scan"),
                Refusal("area with a leading zero", premisesWith([LedgerFixture.premises("1", area: "050", stakes: [(["o1"], "1")])]), by: registrar, 400, field: "/command/premises/0/area"),
                Refusal("area with three decimals", premisesWith([LedgerFixture.premises("1", area: "50.125", stakes: [(["o1"], "1")])]), by: registrar, 400, field: "/command/premises/0/area"),
                Refusal("share not in lowest terms", premisesWith([LedgerFixture.premises("1", area: "50", stakes: [(["o1"], "2/4"), (["o2"], "1/2")])]), by: registrar, 400, field: "/command/premises/0/stakes/0/share"),
                Refusal("share 1/1", premisesWith([LedgerFixture.premises("1", area: "50", stakes: [(["o1"], "1/1")])]), by: registrar, 400, field: "/command/premises/0/stakes/0/share"),
                Refusal("premises kind", premisesWith([LedgerFixture.premises("1", area: "50", kind: "garage", stakes: [(["o1"], "1")])]), by: registrar, 400, field: "/command/premises/0/kind"),
                Refusal("premises number too long", premisesWith([LedgerFixture.premises(String(repeating: "9", count: 33), area: "50", stakes: [(["o1"], "1")])]), by: registrar, 400, field: "/command/premises/0/number"),
                Refusal("address with a control character", RefusalWorld.with(premisesWith(RefusalWorld.premises), "address", "ул.\u{07} Тестовая"), by: registrar, 400, field: "/command/address"),
                Refusal("key string not canonical", world.commands.make("owner.key", ["owner": "o9", "key": .string(stranger.publicKey.string + "="), "action": "bind"]), by: registrar, 400, field: "/command/key"),
                Refusal("key action", world.commands.make("owner.key", ["owner": "o9", "key": .string(stranger.publicKey.string), "action": "lend"]), by: registrar, 400, field: "/command/action"),
                Refusal("identity not a SHA-256", world.commands.make("owner.key", ["owner": "o9", "key": .string(stranger.publicKey.string), "action": "bind", "identity": "abc"]), by: registrar, 400, field: "/command/identity"),
                Refusal("inn of 11 digits", world.commands.make("building.administrator", ["building": "B1", "keys": [.string(stranger.publicKey.string)], "organization": ["name": "УК", "inn": "12345678901"]]), by: registrar, 400, field: "/command/organization/inn"),
                Refusal("unknown organization field", world.commands.make("building.administrator", ["building": "B1", "keys": [.string(stranger.publicKey.string)], "organization": ["name": "УК", "ogrn": "1"]]), by: registrar, 400, field: "/command/organization/ogrn"),
                Refusal("duplicate rulesets", world.commands.make("ledger.genesis", ["operator": .string(world.commands.operatorKey.publicKey.string), "registrars": [.string(registrar.publicKey.string)], "rulesets": ["generic", "generic"]]), by: world.commands.operatorKey, 400, field: "/command/rulesets/1"),
                Refusal("basis with LF", { () -> JSONValue in
                    var meeting = world.commands.meeting("M-basis", closesIn: 3_600_000)
                    var agenda = meeting["agenda"]!.arrayValue!
                    agenda[0] = RefusalWorld.with(agenda[0], "basis", "ЖК РФ\nст. 44")
                    meeting = RefusalWorld.with(meeting, "agenda", .array(agenda))
                    return meeting
                }(), by: administrator, 400, field: "/command/agenda/0/basis"),
                Refusal("threshold missing", { () -> JSONValue in
                    let meeting = world.commands.meeting("M-threshold", closesIn: 3_600_000)
                    var agenda = meeting["agenda"]!.arrayValue!
                    agenda[0] = RefusalWorld.with(agenda[0], "threshold", nil)
                    return RefusalWorld.with(meeting, "agenda", .array(agenda))
                }(), by: administrator, 400, field: "/command/agenda/0/threshold"),
                Refusal("revote missing", RefusalWorld.with(world.commands.meeting("M-revote", closesIn: 3_600_000), "revote", nil), by: administrator, 400, field: "/command/revote"),
                Refusal("closes_at without Z", RefusalWorld.with(world.commands.meeting("M-tz", closesIn: 3_600_000), "closes_at", "2030-01-01T00:00:00+03:00"), by: administrator, 400, field: "/command/closes_at"),
                Refusal("closes_at with two fraction digits", RefusalWorld.with(world.commands.meeting("M-frac", closesIn: 3_600_000), "closes_at", "2030-01-01T00:00:00.12Z"), by: administrator, 400, field: "/command/closes_at"),
                Refusal("quorum 2/4", world.commands.meeting("M-q", closesIn: 3_600_000, quorum: "2/4"), by: administrator, 400, field: "/command/quorum"),
                Refusal("400 schema before 403 ledger", RefusalWorld.with(unknownType, "ledger", .string(world.notOnLedger)), by: o2, 400, field: "/command/type"),
            ]
            // Step 5: 403, the ledger.
            cases += try [
                Refusal("another ledger", RefusalWorld.with(ballot, "ledger", .string(world.notOnLedger)), by: o2, 403, field: "/command/ledger"),
                Refusal("403 ledger before 409 id reuse", RefusalWorld.with(RefusalWorld.with(ballot, "id", .string(usedID)), "ledger", .string(world.notOnLedger)), by: o2, 403, field: "/command/ledger"),
                Refusal("403 ledger before 422 reference", RefusalWorld.with(world.commands.cast("M-none", owner: "o2", ["1": "for"]), "ledger", .string(world.notOnLedger)), by: o2, 403, field: "/command/ledger"),
            ]
            // Step 6: 409, an id reused with other bytes or another signer.
            cases += try [
                Refusal("id reused by another command", RefusalWorld.with(ballot, "id", .string(usedID)), by: o2, 409, field: "/command/id"),
                Refusal("id reused by another signer", firstBallot, by: stranger, 409, field: "/command/id"),
                Refusal("409 id reuse before 422 reference", RefusalWorld.with(world.commands.cast("M-none", owner: "o2", ["1": "for"]), "id", .string(usedID)), by: o2, 409, field: "/command/id"),
            ]
            // Step 7: 422, unknown references (judged before authority).
            cases += try [
                Refusal("unknown building", world.commands.administrator("B9"), by: registrar, 422, field: "/command/building"),
                Refusal("422 unknown building before 403 authority", world.commands.administrator("B9"), by: stranger, 422, field: "/command/building"),
                Refusal("meeting for an unknown building", world.commands.meeting("M-b9", building: "B9", closesIn: 3_600_000), by: stranger, 422, field: "/command/building"),
                Refusal("unknown meeting", world.commands.cast("M9", owner: "o2", ["1": "for"]), by: o2, 422, field: "/command/meeting"),
                Refusal("cancel an unknown meeting", world.commands.make("meeting.cancel", ["meeting": "M9", "reason": "нет"]), by: administrator, 422, field: "/command/meeting"),
                Refusal("owner without stakes", world.commands.cast(owner: "o9", ["1": "for"]), by: stranger, 422, field: "/command/owner"),
                Refusal("grant for an owner without stakes", world.commands.grant(owner: "o9", proxy: stranger), by: stranger, 422, field: "/command/owner"),
                Refusal("unknown agenda item", world.commands.cast(owner: "o2", ["1": "for", "9": "against"]), by: o2, 422, field: "/command/choices/9"),
                Refusal("unknown item on paper", world.commands.paper(owner: "o3", ["9": "for"]), by: administrator, 422, field: "/command/choices/9"),
                Refusal("422 reference before 409 state", world.commands.cast("M-cancelled", owner: "o9", ["1": "for"]), by: o1, 422, field: "/command/owner"),
            ]
            // Step 8: 403, no authority.
            cases += try [
                Refusal("register by a stranger", premisesWith(RefusalWorld.premises), by: stranger, 403, field: "/signer"),
                Refusal("key binding by the administrator", world.commands.bind("o9", stranger), by: administrator, 403, field: "/signer"),
                Refusal("administrator set by the administrator", world.commands.administrator(), by: administrator, 403, field: "/signer"),
                Refusal("meeting by a stranger", world.commands.meeting("M-x", closesIn: 3_600_000), by: stranger, 403, field: "/signer"),
                Refusal("meeting by an owner", world.commands.meeting("M-y", closesIn: 3_600_000), by: o1, 403, field: "/signer"),
                Refusal("ballot by another owner's key", world.commands.cast(owner: "o3", ["1": "for"]), by: o2, 403, field: "/signer"),
                Refusal("ballot by an ES256 stranger", world.commands.cast(owner: "o3", ["1": "for"]), by: es256, 403, field: "/signer"),
                Refusal("paper ballot by the registrar", world.commands.paper(owner: "o3", ["1": "for"]), by: registrar, 403, field: "/signer"),
                Refusal("grant by another owner", world.commands.grant(owner: "o3", proxy: stranger), by: o2, 403, field: "/signer"),
                Refusal("cancel by an owner", world.commands.make("meeting.cancel", ["meeting": "M1", "reason": "хочу"]), by: o1, 403, field: "/signer"),
                Refusal("close by the registrar", world.commands.make("meeting.close", ["meeting": "M1", "result": ["meeting": "M1"]]), by: registrar, 403, field: "/signer"),
                Refusal("403 authority before 409 state", world.commands.cast("M-cancelled", owner: "o3", ["1": "for"]), by: o2, 403, field: "/signer"),
            ]
            // Step 9: 409, state conflicts.
            cases += try [
                Refusal("second own ballot", world.commands.cast(owner: "o1", ["1": "against"]), by: o1, 409, field: "/command/meeting"),
                Refusal("proxy ballot after an own ballot", world.commands.cast(owner: "o1", ["1": "against"]), by: lateProxy, 409, field: "/command/meeting"),
                Refusal("ballot by a key never granted", world.commands.cast(owner: "o1", ["1": "against"]), by: TestKeys.signing("never granted"), 403, field: "/signer"),
                Refusal("ballot before opens_at", world.commands.cast("M-later", owner: "o2", ["1": "for"]), by: o2, 409, field: "/command/meeting"),
                Refusal("ballot in a cancelled meeting", world.commands.cast("M-cancelled", owner: "o2", ["1": "for"]), by: o2, 409, field: "/command/meeting"),
                Refusal("meeting id already used", world.commands.meeting("M1", closesIn: 3_600_000), by: administrator, 409, field: "/command/meeting"),
                Refusal("cancel a cancelled meeting", world.commands.make("meeting.cancel", ["meeting": "M-cancelled", "reason": "ещё раз"]), by: administrator, 409, field: "/command/meeting"),
                Refusal("close an open meeting", world.commands.make("meeting.close", ["meeting": "M1", "result": ["meeting": "M1"]]), by: operatorKey, 409, field: "/command/meeting"),
                Refusal("bind a key bound to another owner", world.commands.bind("o9", o1), by: registrar, 409, field: "/command/key"),
                Refusal("bind a key bound to the same owner", world.commands.bind("o1", o1), by: registrar, 409, field: "/command/key"),
                Refusal("revoke a key not bound to that owner", world.commands.make("owner.key", ["owner": "o2", "key": .string(o1.publicKey.string), "action": "revoke"]), by: registrar, 409, field: "/command/key"),
                Refusal("second genesis by the operator", world.commands.make("ledger.genesis", ["operator": .string(world.commands.operatorKey.publicKey.string), "registrars": [.string(registrar.publicKey.string)], "rulesets": ["generic"]]), by: operatorKey, 409),
                Refusal("second genesis by a stranger", world.commands.make("ledger.genesis", ["operator": .string(stranger.publicKey.string), "registrars": [.string(stranger.publicKey.string)], "rulesets": ["generic"]]), by: stranger, 409),
                Refusal("grant for a cancelled meeting", world.commands.grant("M-cancelled", owner: "o2", proxy: stranger), by: o2, 409, field: "/command/meeting"),
                Refusal("the same proxy granted twice", world.commands.grant(owner: "o2", proxy: existingProxy), by: o2, 409, field: "/command/proxy"),
                Refusal("409 state before 422 rule", world.lawfulMeeting("M1", opensInDays: 1, days: 3), by: administrator, 409, field: "/command/meeting"),
                Refusal("409 cancelled before 422 missing document", world.commands.grant("M-cancelled", owner: "o2", proxy: stranger), by: administrator, 409, field: "/command/meeting"),
            ]
            // Step 10: 422, the other rules.
            cases += try [
                Refusal("stakes not summing to 1", premisesWith([
                    LedgerFixture.premises("1", area: "50", stakes: [(["o1"], "1")]),
                    LedgerFixture.premises("2", area: "60", stakes: [(["o2"], "1/3"), (["o3"], "1/3")]),
                ]), by: registrar, 422, field: "/command/premises/1/stakes"),
                Refusal("stakes over 1", premisesWith([LedgerFixture.premises("1", area: "50", stakes: [(["o1"], "1"), (["o2"], "1/2")])]), by: registrar, 422, field: "/command/premises/0/stakes"),
                Refusal("repeated premises number", premisesWith([
                    LedgerFixture.premises("1", area: "50", stakes: [(["o1"], "1")]), LedgerFixture.premises("1", area: "60", stakes: [(["o2"], "1")]),
                ]), by: registrar, 422, field: "/command/premises/1/number"),
                Refusal("repeated holder", premisesWith([LedgerFixture.premises("1", area: "50", stakes: [(["o1", "o1"], "1")])]), by: registrar, 422, field: "/command/premises/0/stakes/0/holders/1"),
                Refusal("empty premises", premisesWith([]), by: registrar, 422, field: "/command/premises"),
                Refusal("empty holders", premisesWith([LedgerFixture.premises("1", area: "50", stakes: [([], "1")])]), by: registrar, 422, field: "/command/premises/0/stakes/0/holders"),
                Refusal("empty stakes", premisesWith([LedgerFixture.premises("1", area: "50", stakes: [])]), by: registrar, 422, field: "/command/premises/0/stakes"),
                Refusal("empty administrator keys", world.commands.make("building.administrator", ["building": "B1", "keys": [], "organization": ["name": "УК"]]), by: registrar, 422, field: "/command/keys"),
                Refusal("empty agenda", RefusalWorld.with(world.commands.meeting("M-empty", closesIn: 3_600_000), "agenda", []), by: administrator, 422, field: "/command/agenda"),
                Refusal("repeated item numbers", world.commands.meeting("M-rep", closesIn: 3_600_000, items: [("1", "all-majority"), ("1", "all-unanimous")]), by: administrator, 422, field: "/command/agenda/1/item"),
                Refusal("closes_at before opens_at", world.commands.meeting("M-back", closesIn: -120_000), by: administrator, 422, field: "/command/closes_at"),
                Refusal("closes_at equal to opens_at", world.commands.meeting("M-same", closesIn: -60_000), by: administrator, 422, field: "/command/closes_at"),
                Refusal("notice of 5 days", world.lawfulMeeting("M-notice", opensInDays: 5, days: 14), by: administrator, 422, field: "/command/opens_at"),
                Refusal("electronic voting of 5 days", world.lawfulMeeting("M-short", opensInDays: 11, days: 5), by: administrator, 422, field: "/command/closes_at"),
                Refusal("electronic voting of 61 days", world.lawfulMeeting("M-long", opensInDays: 11, days: 61), by: administrator, 422, field: "/command/closes_at"),
                Refusal("quorum under ru-zhk-2024", world.lawfulMeeting("M-quorum", opensInDays: 11, days: 14, quorum: "1/2"), by: administrator, 422, field: "/command/quorum"),
                Refusal("administrator's grant without document", world.commands.grant(owner: "o3", proxy: stranger), by: administrator, 422, field: "/command/document"),
            ]

            let size = live.store.size
            let checkpoint = live.store.latestCheckpoint.text
            for refusal in cases {
                let response = try await client.post(refusal.body)
                expectProblem(response, refusal.status, field: refusal.field, refusal.name)
                #expect(live.store.size == size, "\(refusal.name) appended something")
            }
            #expect(try await client.get("/v1/checkpoint").text == checkpoint)
            // The same world accepts lawful versions of some of these.
            try await accept(client, world.lawfulMeeting("M-lawful", opensInDays: 11, days: 14), by: administrator)
            try await accept(client, world.commands.grant(owner: "o3", proxy: stranger, document: String(repeating: "ab", count: 32)), by: administrator)
            try await accept(client, world.commands.cast(owner: "o4", ["1": "for", "2": "abstain"]), by: o4)
        }
    }
}
