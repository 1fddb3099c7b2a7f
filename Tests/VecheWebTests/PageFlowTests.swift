import Foundation
import Testing
import VecheCLI
import VecheCore
import VecheCrypto
import VecheHTTP
import VecheLedger
import VecheTestSupport

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
    /// The page is idle (no task running) and `condition` holds.
    static func idleAnd(_ condition: String) -> String { "!window.veche.status().busy && (\(condition))" }
}

/// Waits in the page are generous: CI has two loaded cores and Chromium runs niced.
private let patience: Duration = .seconds(60)

/// The test building: five flats, 270 m² in all. owner-0001 votes from the browser.
private let premises: [JSONValue] = [
    LedgerFixture.premises("1", area: "54.3", stakes: [(["owner-0001"], "1")]),
    LedgerFixture.premises("2", area: "70", stakes: [(["owner-0002"], "1")]),
    LedgerFixture.premises("3", area: "45.5", stakes: [(["owner-0003"], "1")]),
    LedgerFixture.premises("4", area: "62", stakes: [(["owner-0004"], "1")]),
    LedgerFixture.premises("5", area: "38.2", stakes: [(["owner-0005"], "1")]),
]

private let agenda = [
    (item: "1", title: "Выбор председателя и секретаря общего собрания", threshold: "participants-majority"),
    (item: "2", title: "Утверждение плана текущего ремонта на 2027 год", threshold: "participants-majority"),
    (item: "3", title: "Капитальный ремонт крыши за счёт фонда капитального ремонта", threshold: "all-two-thirds"),
]

/// Keys of the owners who vote through the API (the browser makes its own).
private let ownerKeys: [String: SigningKey] = [
    "owner-0002": TestKeys.signing("owner-0002"),
    "owner-0003": TestKeys.signing("owner-0003"),
]

/// Building B1 with its administrator, owners 2 and 3 bound, meeting M1 created and the
/// clock moved to its opening. Returns the meeting's period.
private func openMeeting(on server: LiveServer) async throws -> (opens: Timestamp, closes: Timestamp) {
    try await server.setUpBuilding(premises: premises, keys: ownerKeys)
    let period = try await server.createMeeting(agenda: agenda.map { ($0.item, $0.title, $0.threshold) })
    server.clock.advance(to: period.opens)
    return period
}

extension BrowserTests {
    @Suite("Voting page against a real server")
    struct PageFlowTests {
        /// Issue #7's browser test: a key made in the page, bound by the registrar through the
        /// API, a ballot signed with WebCrypto and counted by the real server, the receipt
        /// verified in the page, the automatic close and the result, and the ballot verifying
        /// in the exported election record as `veche verify` checks it.
        @Test func ownerVotesFromThePageAndTheBallotIsCountedClosedAndVerifiable() async throws {
            try await LiveServer.with { server in
                let period = try await openMeeting(on: server)
                // Two owners vote from their own apps before the browser does.
                try await server.cast(owner: "owner-0002", ["1": "for", "2": "for", "3": "for"], by: ownerKeys["owner-0002"]!)
                try await server.cast(owner: "owner-0003", ["1": "for", "2": "for", "3": "for"], by: ownerKeys["owner-0003"]!)
                let before = try await server.getJSON("/v1/meetings/M1")
                #expect(before["status"] == "open")
                #expect(before["participating"] == "231/2")
                #expect(before["ballots"] == .integer(2))

                let (publicKey, receipt) = try await withPage(on: server, "/") { browser in
                    try await browser.setViewport(HeadlessChromium.phone)
                    _ = try await browser.send("Emulation.setTimezoneOverride", #"{"timezoneId": "Europe/Moscow"}"#)
                    // Reload so the page starts under the phone's metrics and time zone.
                    try await browser.navigate(to: server.baseURL + "/")
                    _ = try await browser.evaluate("window.veche.ready", timeout: patience)

                    // 1. The key, made in the browser and never extractable.
                    _ = try await browser.evaluate(UI.click("create-key"))
                    try await browser.waitUntil(UI.idleAnd("window.veche.status().key"), timeout: patience, what: "the key to be created")
                    let publicKey = try #require(try await browser.evaluate("window.veche.getPublicKey()").string)
                    #expect(publicKey.hasPrefix("es256:"))
                    #expect(try PublicKey(string: publicKey).string == publicKey)
                    let stored = try await browser.evaluate(#"""
                        new Promise((ok, fail) => {
                          const open = indexedDB.open("veche");
                          open.onerror = () => fail(open.error);
                          open.onsuccess = () => {
                            const get = open.result.transaction("keys").objectStore("keys").get("owner-key");
                            get.onerror = () => fail(get.error);
                            get.onsuccess = () => { open.result.close(); ok(get.result); };
                          };
                        }).then(async (k) => ({
                          extractable: k.privateKey.extractable,
                          exported: await crypto.subtle.exportKey("pkcs8", k.privateKey).then(() => true, () => false),
                        }))
                        """#, timeout: patience)
                    #expect(stored["extractable"].bool == false)
                    #expect(stored["exported"].bool == false)

                    // 2. The registrar binds it through the API; the page finds the binding in the ledger.
                    try await server.bind("owner-0001", publicKey)
                    _ = try await browser.evaluate(UI.click("check-binding"))
                    try await browser.waitUntil(UI.idleAnd("window.veche.status().binding.state === 'bound'"), timeout: patience, what: "the binding to be found")
                    #expect(try await browser.evaluate("window.veche.status().binding.owner").string == "owner-0001")
                    #expect(try await browser.evaluate("document.getElementById('owner-id').value").string == "owner-0001")

                    // 3. The meeting, opened by its number.
                    _ = try await browser.evaluate(UI.fill("meeting-id", "M1"))
                    _ = try await browser.evaluate(UI.click("open-meeting"))
                    try await browser.waitUntil(UI.idleAnd("window.veche.status().meetingStatus === 'open'"), timeout: patience, what: "the meeting to open")
                    #expect(try await browser.evaluate(UI.text("meeting-title")).string == "Годовое общее собрание собственников помещений")
                    #expect(try await browser.evaluate(UI.visible("ballot")).bool == true)
                    #expect(try await browser.evaluate("document.querySelectorAll('#agenda fieldset').length").int == 3)
                    #expect(try await browser.evaluate("document.querySelectorAll('#turnout svg').length").int == 1)

                    // 4. Marks: for on 1, against on 3, item 2 left blank.
                    _ = try await browser.evaluate(UI.click("vote-1-for"))
                    _ = try await browser.evaluate(UI.click("vote-3-against"))
                    #expect(try await browser.evaluate("window.veche.status().choices") == .object(["1": .string("for"), "3": .string("against")]))
                    try await snap(browser, "meeting", "meeting", into: checkedInScreens)
                    try await snap(browser, "turnout", "voting-page", into: checkedInScreens)
                    _ = try await browser.evaluate(UI.click("review"))
                    let summary = try await browser.evaluate(UI.text("summary")).string ?? ""
                    #expect(summary.contains("Вопрос 1. Выбор председателя и секретаря общего собрания — За"))
                    #expect(summary.contains("Вопрос 2. Утверждение плана текущего ремонта на 2027 год — без отметки"))
                    #expect(summary.contains("Вопрос 3. Капитальный ремонт крыши за счёт фонда капитального ремонта — Против"))

                    // 5. Signed with WebCrypto, submitted, the receipt verified in the page.
                    _ = try await browser.evaluate(UI.click("sign-and-send"))
                    try await browser.waitUntil(UI.idleAnd("window.veche.status().receipt"), timeout: patience, what: "the receipt")
                    let receipt = try await browser.evaluate("window.veche.status().receipt")
                    #expect(receipt["verified"].bool == true, "\(receipt["checks"])")
                    #expect(receipt["checks"].array?.count == 6)
                    #expect(receipt["checks"].array?.allSatisfy { $0["ok"].bool == true } == true)
                    #expect(try await browser.evaluate(UI.text("receipt-status")).string == "Квитанция проверена")
                    #expect(try await browser.evaluate(UI.visible("ballot")).bool == false)
                    #expect(try await browser.evaluate("document.querySelectorAll('#receipts li').length").int == 1)
                    try await snap(browser, "receipt-section", "receipt", into: checkedInScreens)
                    return (publicKey, receipt)
                }
                let seq = try #require(receipt["seq"].int)
                let leaf = try #require(receipt["leaf"].string)

                // The server counted it: live turnout moved by the flat's 54.3 m², one more ballot.
                let after = try await server.getJSON("/v1/meetings/M1")
                #expect(after["participating"] == "849/5")
                #expect(after["ballots"] == .integer(3))
                #expect(after["total"] == "270")
                // The entry at the receipt's seq is the browser's ballot, signed by the browser's key.
                let line = try await server.get("/v1/entries?from=\(seq)&limit=1")
                #expect(line.status.code == 200)
                let entry = try LedgerEntry(json: try CanonicalJSON.parse(Array(line.body.dropLast())))
                #expect(entry.seq == seq)
                #expect(entry.signer == publicKey)
                #expect(entry.command["type"] == "ballot.cast")
                #expect(entry.command["owner"] == "owner-0001")
                #expect(entry.command["choices"] == .object(["1": "for", "3": "against"]))
                #expect(Hex.encode(LedgerEntry.leafHash(canonicalBytes: Array(line.body.dropLast()))) == leaf)
                let envelope = SignedEnvelope(command: entry.command, signer: try PublicKey(string: entry.signer), signature: try Base64URL.decode(entry.signature))
                #expect(envelope.isSignatureValid, "the browser's ES256 signature must verify in Swift")

                // Voting ends; the server closes the meeting by itself.
                server.clock.advance(to: Timestamp(milliseconds: period.closes.milliseconds + 1))
                let resultResponse = try await server.waitFor("/v1/meetings/M1/result")
                let result = try CanonicalJSON.parse(resultResponse.body)
                #expect(result["participating"] == "849/5")
                #expect(result["quorum"]?["reached"] == .bool(true))
                let items = result["items"]?.arrayValue ?? []
                #expect(items.count == 3)
                // Item 1: everyone for; item 2: owner-0001's 54.3 m² blank; item 3: for 115.5 of 270 is under 2/3.
                #expect(items.first?["for"] == "849/5")
                #expect(items.first?["adopted"] == .bool(true))
                #expect(items.dropFirst().first?["blank"] == "543/10")
                #expect(items.dropFirst().first?["adopted"] == .bool(true))
                #expect(items.last?["against"] == "543/10")
                #expect(items.last?["adopted"] == .bool(false))
                let protocolHTML = try await server.get("/v1/meetings/M1/protocol?format=html")
                #expect(protocolHTML.status.code == 200)
                #expect(protocolHTML.headers["Content-Type"]?.hasPrefix("text/html") == true)
                // The protocol's list of ballots names the browser's entry by its leaf hash.
                #expect(String(decoding: protocolHTML.body, as: UTF8.self).contains(leaf))

                // The owner opens the meeting's link again: the result, with charts and the protocol link.
                try await withPage(on: server, "/?meeting=M1") { browser in
                    try await browser.setViewport(HeadlessChromium.phone)
                    _ = try await browser.send("Emulation.setTimezoneOverride", #"{"timezoneId": "Europe/Moscow"}"#)
                    try await browser.navigate(to: server.baseURL + "/?meeting=M1")
                    _ = try await browser.evaluate("window.veche.ready", timeout: patience)
                    try await browser.waitUntil(UI.idleAnd("window.veche.status().result"), timeout: patience, what: "the result")
                    #expect(try await browser.evaluate("window.veche.status().meetingStatus").string == "closed")
                    #expect(try await browser.evaluate(UI.visible("results-section")).bool == true)
                    #expect(try await browser.evaluate(UI.visible("ballot")).bool == false)
                    #expect(try await browser.evaluate("document.querySelectorAll('#results figure.chart svg').length").int == 4)
                    #expect(try await browser.evaluate("document.getElementById('result-turnout-chart') !== null").bool == true)
                    for item in agenda {
                        #expect(try await browser.evaluate("document.getElementById('item-\(item.item)-chart') !== null").bool == true)
                    }
                    #expect(try await browser.evaluate("window.veche.status().result.items.map((i) => i.for)") == .array([.string("849/5"), .string("231/2"), .string("231/2")]))
                    let results = try await browser.evaluate(UI.text("results")).string ?? ""
                    // 169.8 of 270 m² is 62.89 %.
                    #expect(results.contains("Кворум есть"), "\(results)")
                    #expect(results.contains("62,89\u{A0}%"), "\(results)")
                    #expect(try await browser.evaluate("document.getElementById('protocol-link').getAttribute('href')").string == "/v1/meetings/M1/protocol?format=html")
                    // The link works from the page.
                    let fetched = try await browser.evaluate(
                        "fetch(document.getElementById('protocol-link').href).then(async (r) => ({ status: r.status, type: r.headers.get('content-type'), text: await r.text() }))",
                        timeout: patience)
                    #expect(fetched["status"].int == 200)
                    #expect(fetched["type"].string?.hasPrefix("text/html") == true)
                    #expect(fetched["text"].string?.contains("№ M1") == true)
                    // The key and the receipt survived the reload (IndexedDB).
                    #expect(try await browser.evaluate("window.veche.status().key").string == publicKey)
                    #expect(try await browser.evaluate("document.querySelectorAll('#receipts li').length").int == 1)
                    try await snap(browser, "results-section", "result-page", into: checkedInScreens)
                }

                // The election record: what GET …/record serves is the store's export, and it
                // verifies as `veche verify` checks it, the browser's ballot included.
                let recordResponse = try await server.get("/v1/meetings/M1/record")
                #expect(recordResponse.status.code == 200)
                let record = recordResponse.body
                var exported: [UInt8] = []
                _ = try server.store.exportRecord { exported += $0 }
                #expect(exported == record)
                let lines = record.split(separator: 0x0A).map(Array.init)
                try #require(lines.count > seq + 1)
                #expect(Hex.encode(LedgerEntry.leafHash(canonicalBytes: lines[seq])) == leaf)
                #expect(try LedgerEntry(json: try CanonicalJSON.parse(lines[seq])).signer == publicKey)

                let recordFile = server.directory.url.appendingPathComponent("record.jsonl")
                try Data(record).write(to: recordFile)
                let report = try verify(recordFile, key: server.operatorVKey)
                #expect(report.isValid, "\(report.failures)")
                #expect(report.ballots == 3)
                #expect(report.closes == 1)
                let verified = CapturedConsole()
                #expect(CLI.run(["verify", recordFile.path, "--key", server.operatorVKey], console: verified.console) == 0, "\(verified.stdout)")
                #expect(verified.stdout.hasPrefix("OK: "))

                // The same record with the browser's signature altered fails at that entry's seq.
                var tampered = lines
                tampered[seq] = flipFirstSignatureCharacter(lines[seq])
                let tamperedFile = server.directory.url.appendingPathComponent("tampered.jsonl")
                try Data(tampered.map { $0 + [0x0A] }.joined()).write(to: tamperedFile)
                let tamperedReport = try verify(tamperedFile, key: server.operatorVKey)
                #expect(tamperedReport.failures.contains { $0.location == .seq(seq) && $0.message.contains("signature") }, "\(tamperedReport.failures)")
            }
        }

        @Test func unboundKeyIsExplainedAndNothingIsAppended() async throws {
            try await LiveServer.with { server in
                _ = try await openMeeting(on: server)
                let sizeBefore = server.store.size
                try await withPage(on: server, "/?meeting=M1") { browser in
                    try await browser.setViewport(HeadlessChromium.phone)
                    _ = try await browser.evaluate("window.veche.ready", timeout: patience)
                    _ = try await browser.evaluate(UI.click("create-key"))
                    try await browser.waitUntil(UI.idleAnd("window.veche.status().key"), timeout: patience, what: "the key")
                    let publicKey = try #require(try await browser.evaluate("window.veche.getPublicKey()").string)
                    _ = try await browser.evaluate(UI.fill("owner-id", "owner-0004"))
                    _ = try await browser.evaluate(UI.click("save-owner"))
                    #expect(try await browser.evaluate("window.veche.status().owner").string == "owner-0004")
                    // Opened from the link's ?meeting=M1.
                    #expect(try await browser.evaluate("window.veche.status().meeting").string == "M1")
                    try await browser.waitUntil("document.getElementById('ballot').getClientRects().length > 0", timeout: patience, what: "the ballot")
                    _ = try await browser.evaluate(UI.click("vote-2-against"))
                    _ = try await browser.evaluate(UI.click("review"))
                    _ = try await browser.evaluate(UI.click("sign-and-send"))
                    try await browser.waitUntil(UI.idleAnd("window.veche.status().error"), timeout: patience, what: "the refusal")
                    #expect(try await browser.evaluate("window.veche.status().error.status").int == 403)
                    #expect(try await browser.evaluate("window.veche.status().error.reason").string == "not-authorised")
                    #expect(try await browser.evaluate(UI.text("alert-message")).string?.contains("не привязан") == true)
                    #expect(try await browser.evaluate("window.veche.status().receipt") == .null)
                    try await snap(browser, "alert", "refused-unbound")
                    #expect(server.store.size == sizeBefore)

                    // The registrar binds the key, but the owner has meanwhile voted from another
                    // device: the retry is refused with 409 and the page says the vote is already in.
                    let laptop = TestKeys.signing("owner-0004-laptop")
                    try await server.bind("owner-0004", publicKey)
                    try await server.bind("owner-0004", laptop.publicKey.string)
                    try await server.cast(owner: "owner-0004", ["1": "for"], by: laptop)
                    _ = try await browser.evaluate(UI.click("sign-and-send"))
                    try await browser.waitUntil(UI.idleAnd("window.veche.status().error && window.veche.status().error.status === 409"), timeout: patience, what: "the 409")
                    #expect(try await browser.evaluate("window.veche.status().error.reason").string == "second-own-ballot")
                    #expect(try await browser.evaluate(UI.text("alert-message")).string?.contains("уже принят") == true)
                    #expect(try await browser.evaluate(UI.text("alert-detail")).string?.contains("код 409") == true)
                    // A malformed owner id is refused on the page, before any request.
                    _ = try await browser.evaluate(UI.fill("owner-id", "владелец 4"))
                    _ = try await browser.evaluate(UI.click("save-owner"))
                    #expect(try await browser.evaluate(UI.text("owner-error")).string?.isEmpty == false)
                    #expect(try await browser.evaluate("window.veche.status().owner").string == "owner-0004")
                }
                // Only the registrar's two bindings and the other device's ballot were appended.
                #expect(server.store.size == sizeBefore + 3)
                let meeting = try await server.getJSON("/v1/meetings/M1")
                #expect(meeting["ballots"] == .integer(1))
                #expect(meeting["participating"] == "62")
                // The server's own counters saw both refusals.
                let metrics = String(decoding: try await server.get("/metrics").body, as: UTF8.self)
                #expect(metrics.contains(#"veche_commands_total{type="ballot.cast",outcome="not-authorised"} 1"#), "\(metrics)")
                #expect(metrics.contains(#"veche_commands_total{type="ballot.cast",outcome="second-own-ballot"} 1"#), "\(metrics)")
            }
        }

        @Test func receiptVerificationNamesTheCheckThatFails() async throws {
            // A real receipt from the real server for a browser-signed ballot, then tampered copies.
            let report = try await LiveServer.with { server in
                _ = try await openMeeting(on: server)
                return try await withPage(on: server, "/selftest.html") { browser in
                    let publicKey = try #require(try await browser.evaluate("window.vecheModules.keys.createKey().then((k) => k.publicString)", timeout: patience).string)
                    try await server.bind("owner-0001", publicKey)
                    let command: JSONValue = [
                        "type": "ballot.cast", "id": "b-0123456789abcdef", "ledger": .string(LiveServer.origin),
                        "meeting": "M1", "owner": "owner-0001", "choices": ["1": "against", "2": "abstain"],
                    ]
                    let commandJSON = String(decoding: CanonicalJSON.serialize(command), as: UTF8.self)
                    let body = try #require(try await browser.evaluate(
                        "window.vecheModules.keys.loadKey().then((k) => window.vecheModules.keys.signEnvelope(\(commandJSON), k.privateKey, k.publicString)).then(JSON.stringify)",
                        timeout: patience).string)
                    let posted = try await server.post(body: Array(body.utf8))
                    #expect(posted.status.code == 201)
                    let receipt = String(decoding: posted.body, as: UTF8.self)
                    let operatorKey = server.store.operatorPublicKey.string
                    return try await browser.evaluate(#"""
                        (async () => {
                          const { receipt: R } = window.vecheModules;
                          const good = \#(receipt);
                          const body = \#(body);
                          const opts = { operatorKey: \#(jsString(operatorKey)), origin: \#(jsString(LiveServer.origin)),
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
                        """#, timeout: patience)
                }
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

/// `RecordVerifier` over a record file, read as `veche verify` reads it.
private func verify(_ file: URL, key: String) throws -> VerificationReport {
    let reader = try LineReader(path: file.path)
    return try RecordVerifier(trustedKey: try TrustedKey(key)).verify(nextLine: { try reader.next().map { ($0.bytes, $0.terminated) } })
}

/// An entry line with the first character of its `signature` changed (A↔B), which keeps
/// the b64u canonical but breaks the signature.
private func flipFirstSignatureCharacter(_ line: [UInt8]) -> [UInt8] {
    let marker = Array(#""signature":""#.utf8)
    var bytes = line
    guard let start = (0...(bytes.count - marker.count)).first(where: { Array(bytes[$0..<($0 + marker.count)]) == marker }) else { return line }
    let index = start + marker.count
    bytes[index] = bytes[index] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
    return bytes
}
