import Foundation
import Testing
import VecheCore
import VecheCrypto
import VecheLedger
import VecheTestSupport

/// A ledger with one building (two owners), an administrator and an open generic meeting M1.
func meetingFixture() throws -> LedgerFixture {
    var fixture = try LedgerFixture()
    try fixture.register(premises: [
        LedgerFixture.premises("1", area: "54.3", stakes: [(["owner-0001"], "1")]),
        LedgerFixture.premises("2", area: "70", stakes: [(["owner-0002"], "1")]),
    ])
    try fixture.setAdministrator()
    let opens = fixture.now
    let closes = Timestamp(milliseconds: opens.milliseconds + 7 * LedgerFixture.day)
    try fixture.createMeeting(
        fixture.meetingFields(opensAt: opens, closesAt: closes, items: [("1", "participants-majority"), ("2", "all-two-thirds")]))
    return fixture
}

/// Small DOM drivers, evaluated in the page.
enum UI {
    static func click(_ id: String) -> String { "document.getElementById(\(jsString(id))).click()" }
    static func fill(_ id: String, _ value: String) -> String {
        "(() => { const e = document.getElementById(\(jsString(id))); e.value = \(jsString(value)); e.dispatchEvent(new Event('input')); })()"
    }
    static func text(_ id: String) -> String { "document.getElementById(\(jsString(id))).textContent" }
    static func visible(_ id: String) -> String {
        "(() => { const e = document.getElementById(\(jsString(id))); return !!e && e.getClientRects().length > 0; })()"
    }
}

extension BrowserTests {
    @Suite("Voting page flow against an in-memory API")
    struct PageFlowTests {
        @Test func ownerCreatesKeyVotesAndGetsAVerifiedReceiptThenSeesResults() async throws {
            let api = FakeVecheAPI(try meetingFixture())
            try await withPage("/", routes: api.routes) { browser, server in
                try await browser.setViewport(HeadlessChromium.phone)
                try await browser.navigate(to: server.baseURL + "/")
                _ = try await browser.evaluate("window.veche.ready")

                _ = try await browser.evaluate(UI.click("create-key"))
                try await browser.waitUntil("window.veche.status().key", what: "the key to be created")
                let publicKey = try #require(try await browser.evaluate("window.veche.getPublicKey()").string)
                #expect(try await browser.evaluate("document.getElementById('public-key').value").string == publicKey)
                #expect(try PublicKey(string: publicKey).string == publicKey)

                // The registrar binds the browser's key.
                _ = try api.fixture.withLock { fixture in
                    try fixture.submit(
                        "owner.key", ["owner": "owner-0001", "key": .string(publicKey), "action": "bind"], by: fixture.registrar)
                }
                _ = try await browser.evaluate(UI.click("check-binding"))
                try await browser.waitUntil("window.veche.status().binding.state === 'bound' && !window.veche.status().busy", what: "the binding to be found")
                #expect(try await browser.evaluate("window.veche.status().binding.owner").string == "owner-0001")
                // Finding the binding fills in the owner id.
                #expect(try await browser.evaluate("document.getElementById('owner-id').value").string == "owner-0001")
                #expect(try await browser.evaluate("localStorage.getItem('veche.owner')").string == "owner-0001")

                _ = try await browser.evaluate(UI.fill("meeting-id", "M1"))
                _ = try await browser.evaluate(UI.click("open-meeting"))
                try await browser.waitUntil("window.veche.status().meetingStatus === 'open' && !window.veche.status().busy", what: "the meeting to open")
                #expect(try await browser.evaluate(UI.text("meeting-title")).string == "Общее собрание собственников")
                #expect(try await browser.evaluate(UI.visible("ballot")).bool == true)
                #expect(try await browser.evaluate("document.querySelectorAll('#agenda fieldset').length").int == 2)

                _ = try await browser.evaluate(UI.click("vote-1-for"))
                _ = try await browser.evaluate(UI.click("review"))
                let summary = try await browser.evaluate(UI.text("summary")).string ?? ""
                #expect(summary.contains("Вопрос 1. Вопрос 1 — За"))
                #expect(summary.contains("Вопрос 2. Вопрос 2 — без отметки"))
                _ = try await browser.evaluate(UI.click("sign-and-send"))
                try await browser.waitUntil("window.veche.status().receipt && !window.veche.status().busy", what: "the receipt")

                let receipt = try await browser.evaluate("window.veche.status().receipt")
                #expect(receipt["verified"].bool == true, "\(receipt["checks"])")
                #expect(try await browser.evaluate(UI.text("receipt-status")).string == "Квитанция проверена")
                let seq = try #require(receipt["seq"].int)

                // The server counted it: the entry is the browser's ballot, and the tally moved.
                let (entry, participating, leaf) = api.fixture.withLock { fixture in
                    let entry = fixture.ledger.entries[seq]
                    let leaf = Hex.encode(LedgerEntry.leafHash(canonicalBytes: fixture.ledger.canonicalEntries[seq]))
                    return (entry, fixture.ledger.state.tally(ofMeeting: "M1")!.participating.exactString, leaf)
                }
                #expect(entry.signer == publicKey)
                #expect(entry.command["type"] == "ballot.cast")
                #expect(entry.command["owner"] == "owner-0001")
                #expect(entry.command["choices"] == .object(["1": "for"]))
                #expect(participating == "543/10")
                #expect(receipt["leaf"].string == leaf)
                #expect(try await browser.evaluate("window.veche.status().meetingStatus").string == "open")
                #expect(try await browser.evaluate("document.querySelectorAll('#receipts li').length").int == 1)

                // The ballot is put away (revote: forbidden offers no second one) and the note says why.
                #expect(try await browser.evaluate(UI.visible("ballot")).bool == false)
                #expect(try await browser.evaluate(UI.visible("revote")).bool == false)
                #expect(try await browser.evaluate(UI.text("ballot-closed-note")).string == "Ваш бюллетень принят: запись № \(seq) в журнале.")
                try await snap(browser, "receipt-section", "receipt")

                // After closes_at the operator closes the meeting; the page shows the result.
                _ = try api.fixture.withLock { fixture in
                    fixture.advance(days: 8)
                    try fixture.ledger.closeDueMeetings(at: fixture.now)
                }
                _ = try await browser.evaluate("window.veche.openMeeting('M1')")
                try await browser.waitUntil("window.veche.status().result && !window.veche.status().busy", what: "the result")
                #expect(try await browser.evaluate(UI.visible("results-section")).bool == true)
                #expect(try await browser.evaluate(UI.visible("ballot")).bool == false)
                #expect(try await browser.evaluate("document.querySelectorAll('#results figure.chart svg').length").int == 3)
                #expect(try await browser.evaluate("document.getElementById('protocol-link').getAttribute('href')").string == "/v1/meetings/M1/protocol?format=html")
                let results = try await browser.evaluate(UI.text("results")).string ?? ""
                // Generic quorum 1/2: 54.3 of 124.3 m² is 43.68 %, so no quorum.
                #expect(results.contains("Кворума нет"))
                #expect(results.contains("43,68\u{A0}%"))
                try await snap(browser, "results-section", "results")
                try await snap(browser, "meeting", "meeting-closed")
            }
        }

        @Test func unboundKeyIsExplainedAndNothingIsAppended() async throws {
            let api = FakeVecheAPI(try meetingFixture())
            let sizeBefore = api.fixture.withLock { $0.ledger.size }
            try await withPage("/?meeting=M1", routes: api.routes) { browser, _ in
                try await browser.setViewport(HeadlessChromium.phone)
                _ = try await browser.evaluate("window.veche.ready")
                _ = try await browser.evaluate(UI.click("create-key"))
                try await browser.waitUntil("window.veche.status().key && !window.veche.status().busy")
                let publicKey = try #require(try await browser.evaluate("window.veche.getPublicKey()").string)
                _ = try await browser.evaluate(UI.fill("owner-id", "owner-0002"))
                _ = try await browser.evaluate(UI.click("save-owner"))
                #expect(try await browser.evaluate("window.veche.status().owner").string == "owner-0002")
                // Opened from the link's ?meeting=M1.
                #expect(try await browser.evaluate("window.veche.status().meeting").string == "M1")
                try await browser.waitUntil("document.getElementById('ballot').getClientRects().length > 0", what: "the ballot")
                _ = try await browser.evaluate(UI.click("vote-2-against"))
                _ = try await browser.evaluate(UI.click("review"))
                _ = try await browser.evaluate(UI.click("sign-and-send"))
                try await browser.waitUntil("window.veche.status().error && !window.veche.status().busy", what: "the refusal")
                #expect(try await browser.evaluate("window.veche.status().error.status").int == 403)
                #expect(try await browser.evaluate("window.veche.status().error.reason").string == "not-authorised")
                #expect(try await browser.evaluate(UI.text("alert-message")).string?.contains("не привязан") == true)
                #expect(try await browser.evaluate("window.veche.status().receipt") == .null)
                try await snap(browser, "alert", "refused-unbound")

                // The registrar binds the key, but the owner has meanwhile voted from another
                // device: the retry is refused with 409 and the page says the vote is already in.
                _ = try api.fixture.withLock { fixture in
                    let other = TestKeys.signing("owner-0002-laptop")
                    try fixture.submit("owner.key", ["owner": "owner-0002", "key": .string(publicKey), "action": "bind"], by: fixture.registrar)
                    try fixture.bind("owner-0002", other)
                    return try fixture.cast(owner: "owner-0002", ["1": "for"], by: other)
                }
                _ = try await browser.evaluate(UI.click("sign-and-send"))
                try await browser.waitUntil("window.veche.status().error && window.veche.status().error.status === 409 && !window.veche.status().busy", what: "the 409")
                #expect(try await browser.evaluate("window.veche.status().error.reason").string == "second-own-ballot")
                #expect(try await browser.evaluate(UI.text("alert-message")).string?.contains("уже принят") == true)
                #expect(try await browser.evaluate(UI.text("alert-detail")).string?.contains("код 409") == true)
                // A malformed owner id is refused on the page, before any request.
                _ = try await browser.evaluate(UI.fill("owner-id", "владелец 2"))
                _ = try await browser.evaluate(UI.click("save-owner"))
                #expect(try await browser.evaluate(UI.text("owner-error")).string?.isEmpty == false)
                #expect(try await browser.evaluate("window.veche.status().owner").string == "owner-0002")
            }
            // Only the registrar's two bindings and the other device's ballot were appended.
            #expect(api.fixture.withLock { $0.ledger.size } == sizeBefore + 3)
        }

        @Test func receiptVerificationNamesTheCheckThatFails() async throws {
            // A real receipt from the Swift ledger for a browser-signed ballot, then tampered copies.
            var fixture = try meetingFixture()
            let report = try await withPage { browser, _ in
                let publicKey = try #require(try await browser.evaluate("window.vecheModules.keys.createKey().then((k) => k.publicString)").string)
                try fixture.submit("owner.key", ["owner": "owner-0001", "key": .string(publicKey), "action": "bind"], by: fixture.registrar)
                let command: JSONValue = [
                    "type": "ballot.cast", "id": "b-0123456789abcdef", "ledger": .string(LedgerFixture.origin),
                    "meeting": "M1", "owner": "owner-0001", "choices": ["1": "against", "2": "abstain"],
                ]
                let commandJSON = String(decoding: CanonicalJSON.serialize(command), as: UTF8.self)
                let body = try #require(try await browser.evaluate(
                    "window.vecheModules.keys.loadKey().then((k) => window.vecheModules.keys.signEnvelope(\(commandJSON), k.privateKey, k.publicString)).then(JSON.stringify)").string)
                let envelope = try SignedEnvelope.parse(body: Array(body.utf8))
                guard case .appended(let seq) = try fixture.ledger.submit(envelope, at: fixture.now) else {
                    throw CDPError("the ballot was not appended")
                }
                let receipt = String(decoding: CanonicalJSON.serialize(try fixture.ledger.receipt(seq: seq).json), as: UTF8.self)
                let operatorKey = fixture.ledger.operatorKeyString
                return try await browser.evaluate(#"""
                    (async () => {
                      const { receipt: R } = window.vecheModules;
                      const good = \#(receipt);
                      const body = \#(body);
                      const opts = { operatorKey: \#(jsString(operatorKey)), origin: \#(jsString(LedgerFixture.origin)),
                                     expected: { command: body.command, signer: body.signer } };
                      const failedCheck = async (receipt, options = opts) => {
                        const r = await R.verifyReceipt(receipt, options);
                        return r.ok ? "ok" : r.checks.find((c) => !c.ok).id;
                      };
                      const clone = () => JSON.parse(JSON.stringify(good));
                      const out = { good: await failedCheck(good) };
                      let t = clone(); t.entry.time = "2030-01-01T00:00:00.000Z"; out.entryTime = await failedCheck(t);
                      t = clone(); t.leaf = t.leaf.replace(/^./, (c) => (c === "0" ? "1" : "0")); out.leaf = await failedCheck(t);
                      t = clone(); t.entry.command.choices["1"] = "for"; out.choices = await failedCheck(t);
                      t = clone(); t.seq += 1; out.seq = await failedCheck(t);
                      t = clone(); t.extra = 1; out.extraField = await failedCheck(t);
                      t = clone(); t.proof = t.proof.replace(/index \d+/, "index 0"); out.proofIndex = await failedCheck(t);
                      t = clone();
                      const lines = t.proof.split("\n"); lines[2] = lines[2].startsWith("A") ? "B" + lines[2].slice(1) : "A" + lines[2].slice(1);
                      t.proof = lines.join("\n"); out.path = await failedCheck(t);
                      t = clone(); t.proof = t.proof.replace(/(\u2014 \S+ )(.)/, (m, a, c) => a + (c === "A" ? "B" : "A")); out.signature = await failedCheck(t);
                      out.wrongOperator = await failedCheck(good, { ...opts, operatorKey: "ed25519:" + "A".repeat(43) });
                      out.wrongOrigin = await failedCheck(good, { ...opts, origin: "vote.example.ru/17" });
                      out.otherSigner = await failedCheck(good, { ...opts, expected: { command: body.command, signer: "es256:x" } });
                      out.notObject = await failedCheck("receipt");
                      return out;
                    })()
                    """#)
            }
            #expect(report["good"].string == "ok")
            #expect(report["entryTime"].string == "leaf")
            #expect(report["leaf"].string == "leaf")
            #expect(report["choices"].string == "match")
            #expect(report["seq"].string == "shape")
            #expect(report["extraField"].string == "shape")
            #expect(report["proofIndex"].string == "proof")
            #expect(report["path"].string == "inclusion")
            #expect(report["signature"].string == "signature")
            #expect(report["wrongOperator"].string == "signature")
            #expect(report["wrongOrigin"].string == "signature")
            #expect(report["otherSigner"].string == "match")
            #expect(report["notObject"].string == "shape")
        }
    }
}
