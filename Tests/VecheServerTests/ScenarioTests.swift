import Foundation
import Testing
import VecheCore
import VecheCrypto
import VecheHTTP
import VecheLedger
import VecheStore
import VecheTestSupport

/// The WIRE.md scenario over HTTP: sole, shared and joint stakes, proxies overridden by own
/// ballots in both orders, a paper ballot with a double mark, and the automatic close.
@Suite struct ScenarioTests {
    /// The register: total 395.75 m² = 1583/4.
    static let premises: [JSONValue] = [
        LedgerFixture.premises("1", area: "50", stakes: [(["o1"], "1")]),
        LedgerFixture.premises("2", area: "60", stakes: [(["o2"], "1/3"), (["o3"], "2/3")]),  // shared: 20 + 40
        LedgerFixture.premises("3", area: "45.5", stakes: [(["o4", "o5"], "1")]),  // joint
        LedgerFixture.premises("4", area: "70", stakes: [(["o6"], "1")]),
        LedgerFixture.premises("5", area: "40", stakes: [(["o7"], "1")]),
        LedgerFixture.premises("н1", area: "100.25", kind: "non-residential", stakes: [(["o8"], "1")]),
        LedgerFixture.premises("6", area: "30", stakes: [(["o9"], "1")]),  // never votes
    ]

    /// Computed by hand from the ballots below (see the comments there):
    /// participating = 50 + 20 + 40 + 45.5 + 70 + 40 + 100.25 = 365.75 = 1463/4 > 1/2 × 395.75.
    /// Item 1: for 50 + 40 + 45.5 + 100.25 = 943/4; against 20 + 70 = 90; invalid 40 (o7's
    ///   double mark); adopted as 235.75 > 365.75 / 2.
    /// Item 2: for 50 + 20 + 40 + 40 + 100.25 = 1001/4; against 70 + 45.5 = 231/2; adopted as
    ///   250.25 > 395.75 / 2.
    /// Item 3: for 50 + 40 + 100.25 = 761/4; against 70; abstain 20 + 40 = 60; blank 45.5 = 91/2
    ///   (o5 left it blank); not adopted as 3 × 190.25 = 570.75 < 2 × 395.75 = 791.5.
    /// Ballots effective for a stake: o1, o2, o3 (own), o5 (own), o6 (own), o7 (paper), o8 = 7.
    static func expectedResult(meeting: String) -> JSONValue {
        func item(_ id: String, _ threshold: String, for votesFor: String, against: String, abstain: String, invalid: String, blank: String, adopted: Bool) -> JSONValue {
            ["item": .string(id), "threshold": .string(threshold), "for": .string(votesFor), "against": .string(against),
             "abstain": .string(abstain), "invalid": .string(invalid), "blank": .string(blank), "adopted": .bool(adopted)]
        }
        return [
            "meeting": .string(meeting), "rules": "generic", "total": "1583/4", "participating": "1463/4",
            "quorum": ["required": "1/2", "reached": true], "ballots": 7,
            "items": [
                item("1", "participants-majority", for: "943/4", against: "90", abstain: "0", invalid: "40", blank: "0", adopted: true),
                item("2", "all-majority", for: "1001/4", against: "231/2", abstain: "0", invalid: "0", blank: "0", adopted: true),
                item("3", "all-two-thirds", for: "761/4", against: "70", abstain: "60", invalid: "0", blank: "91/2", adopted: false),
            ],
        ]
    }

    @Test func ownersProxiesAndPaperBallotsGiveTheExactResultAfterTheAutomaticClose() async throws {
        try await withLiveServer("scenario") { live in
            let client = live.client()
            var commands = try Commands()
            try await accept(client, commands.register(premises: Self.premises), by: commands.registrar)
            try await accept(client, commands.administrator(), by: commands.registrar)
            for owner in (1...8).map({ "o\($0)" }) {
                try await accept(client, commands.bind(owner, ownerKey(owner)), by: commands.registrar)
            }
            let proxy3 = TestKeys.signing("proxy/3")
            let proxy4 = TestKeys.signing("proxy/4")
            let proxy6 = TestKeys.signing("proxy/6")
            let create = commands.meeting(closesIn: 6_000, items: [("1", "participants-majority"), ("2", "all-majority"), ("3", "all-two-thirds")])
            let created = try await accept(client, create, by: commands.administrator)
            let closesAt = try Timestamp.parse(try #require(create["closes_at"]?.stringValue))

            // o1 and o2 vote themselves (o2 holds 1/3 of flat 2, o3 the other 2/3: shared ownership).
            let o1Ballot = try SignedEnvelope.sign(command: commands.cast(owner: "o1", ["1": "for", "2": "for", "3": "for"]), with: ownerKey("o1"))
            let o1Receipt = try await client.submit(o1Ballot)
            #expect(o1Receipt.status.code == 201)
            try await accept(client, commands.cast(owner: "o2", ["1": "against", "2": "for", "3": "abstain"]), by: ownerKey("o2"))
            // Proxy first, own ballot second: the own ballot overrides the proxy's.
            try await accept(client, commands.grant(owner: "o3", proxy: proxy3), by: ownerKey("o3"))
            try await accept(client, commands.cast(owner: "o3", ["1": "against", "2": "against", "3": "against"]), by: proxy3)
            try await accept(client, commands.cast(owner: "o3", ["1": "for", "2": "for", "3": "for"]), by: ownerKey("o3"))
            // Own ballot first, proxy second: the proxy ballot could never count, so it is refused.
            try await accept(client, commands.cast(owner: "o6", ["1": "against", "2": "against", "3": "against"]), by: ownerKey("o6"))
            try await accept(client, commands.grant(owner: "o6", proxy: proxy6, document: String(repeating: "d0", count: 32)), by: commands.administrator)
            expectProblem(try await client.submit(commands.cast(owner: "o6", ["1": "for", "2": "for", "3": "for"]), by: proxy6), 409, field: "/command/meeting", "proxy after own")
            // Joint stake of o4 and o5: a proxy votes for o4, then o5's own ballot beats it;
            // o4's own ballot is then refused (every stake of o4 already has an own ballot).
            try await accept(client, commands.grant(owner: "o4", proxy: proxy4), by: ownerKey("o4"))
            try await accept(client, commands.cast(owner: "o4", ["1": "abstain", "2": "for", "3": "for"]), by: proxy4)
            try await accept(client, commands.cast(owner: "o5", ["1": "for", "2": "against"]), by: ownerKey("o5"))
            expectProblem(try await client.submit(commands.cast(owner: "o4", ["1": "against"]), by: ownerKey("o4")), 409, "joint co-holder's second own ballot")
            // A paper ballot entered by the administrator, with two marks on item 1.
            try await accept(client, commands.paper(owner: "o7", ["1": ["for", "against"], "2": "for", "3": "abstain"]), by: commands.administrator)
            // The municipal non-residential premises votes through its body.
            try await accept(client, commands.cast(owner: "o8", ["1": "for", "2": "for", "3": "for"]), by: ownerKey("o8"))

            let expected = Self.expectedResult(meeting: "M1")
            // Live figures while open.
            let open = try await client.get("/v1/meetings/M1")
            #expect(open.status == .ok)
            let openView = try open.json()
            if openView["status"] == "open" {
                #expect(openView["total"] == expected["total"])
                #expect(openView["participating"] == expected["participating"])
                #expect(openView["quorum"] == expected["quorum"])
                #expect(openView["ballots"] == expected["ballots"])
                #expect(openView["meeting"] == created["entry"]?["command"])
            } else {
                Issue.record("the ballots took longer than the meeting was open: \(open.text)")
            }
            expectProblem(try await client.get("/v1/meetings/M1/result"), 404, "result before close")

            // The automatic close, within 2 s after closes_at.
            var result: HTTPResponse?
            let closed = try await eventually(timeout: .seconds(15)) {
                let response = try await client.get("/v1/meetings/M1/result")
                if response.status == .ok { result = response }
                return response.status == .ok
            }
            #expect(closed)
            let response = try #require(result)
            #expect(response.mediaType == "application/json")
            #expect(try response.json() == expected, "\(response.text)")
            #expect(response.body == CanonicalJSON.serialize(expected))

            let meeting = try await client.get("/v1/meetings/M1").json()
            #expect(meeting["status"] == "closed")
            #expect(meeting["participating"] == "1463/4")
            #expect(meeting["ballots"] == 7)
            let record = try #require(try live.store.meeting("M1"))
            let closeEntry = try live.store.entry(seq: try #require(record.closedSeq)).entry
            #expect(closeEntry.signer == live.store.operatorPublicKey.string)
            #expect(closeEntry.time >= closesAt)
            #expect(closeEntry.time.milliseconds - closesAt.milliseconds <= 2_000, "closed \(closeEntry.time.milliseconds - closesAt.milliseconds) ms after closes_at")
            #expect(closeEntry.command["result"] == expected)

            // After the close nothing more is taken.
            expectProblem(try await client.submit(commands.cast(owner: "o9", ["1": "for"]), by: ownerKey("o8")), 403, field: "/signer", "authority is judged before the meeting's state")
            expectProblem(try await client.submit(commands.cast(owner: "o8", ["1": "for"]), by: ownerKey("o8")), 409, field: "/command/meeting", "ballot after close")

            // A repeat is answered from the stored entry, without judging state again: 200 after the close.
            let repeated = try await client.submit(o1Ballot)
            #expect(repeated.status.code == 200)
            #expect(try repeated.json()["entry"] == o1Receipt.json()["entry"])
            let proof = try Receipt.verify(json: try repeated.json(), verifier: live.verifier).proof
            #expect(proof.checkpoint.checkpoint.size == live.store.size)

            // The record served for the meeting verifies and recomputes the same result.
            let served = try await client.get("/v1/meetings/M1/record")
            #expect(served.status == .ok)
            var lines = served.body.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().map { Array($0) }[...]
            #expect(served.body.last == 0x0A)
            let report = RecordVerifier(trustedKey: try TrustedKey(live.initialized.vkey)).verify(nextLine: { lines.popFirst().map { ($0, true) } })
            #expect(report.failures.isEmpty, "\(report.failures)")
            #expect(report.closes == 1)
        }
    }
}
