import Foundation
import Testing
import VecheCore
import VecheCrypto
import VecheHTTP
import VecheLedger
import VecheStore
import VecheTestSupport

/// RFC 9162 MTH over leaf hashes, written here from the RFC so proofs are checked against
/// an independent root.
func merkleRoot(_ leaves: ArraySlice<[UInt8]>) -> [UInt8] {
    if leaves.isEmpty { return SHA256.hash([UInt8]()) }
    if leaves.count == 1 { return leaves[leaves.startIndex] }
    var split = 1
    while split * 2 < leaves.count { split *= 2 }
    let middle = leaves.startIndex + split
    return Merkle.nodeHash(merkleRoot(leaves[..<middle]), merkleRoot(leaves[middle...]))
}

/// The leaves of every entry, read from `/v1/entries`.
func servedLeaves(_ client: APIClient) async throws -> [[UInt8]] {
    var leaves: [[UInt8]] = []
    while true {
        let response = try await client.get("/v1/entries?from=\(leaves.count)&limit=1000")
        let lines = response.body.split(separator: 0x0A)
        if lines.isEmpty { return leaves }
        leaves += lines.map { LedgerEntry.leafHash(canonicalBytes: Array($0)) }
    }
}

/// Decodes lowercase hex or records an issue.
func hexBytes(_ value: JSONValue?) -> [UInt8] {
    guard let text = value?.stringValue, let bytes = try? Hex.decode(text), Hex.encode(bytes) == text else {
        Issue.record("not lowercase hex: \(String(describing: value))")
        return []
    }
    return bytes
}

/// n − s for the P-256 group order n: the other valid S of an ECDSA signature.
func p256Negate(_ s: [UInt8]) -> [UInt8] {
    let order: [UInt8] = [
        0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
    ]
    var out = [UInt8](repeating: 0, count: 32)
    var borrow = 0
    for index in (0..<32).reversed() {
        var difference = Int(order[index]) - Int(s[index]) - borrow
        borrow = difference < 0 ? 1 : 0
        if difference < 0 { difference += 256 }
        out[index] = UInt8(difference)
    }
    return out
}

@Suite struct ResponseShapeTests {
    static let premises: [JSONValue] = [
        LedgerFixture.premises("1", area: "50", stakes: [(["o1"], "1")]),
        LedgerFixture.premises("2", area: "54.30", stakes: [(["o2"], "1/2"), (["o3"], "1/2")]),
    ]

    @Test func receiptsVerifyAndRepeatsAnswer200WithTheOriginalEntryAndACurrentProof() async throws {
        try await withLiveServer("receipts") { live in
            let client = live.client()
            var commands = try Commands()
            let register = commands.register(premises: Self.premises)
            let envelope = try SignedEnvelope.sign(command: register, with: commands.registrar)
            let first = try await client.submit(envelope)
            #expect(first.status.code == 201)
            #expect(first.mediaType == "application/json")
            let receipt = try first.json()
            #expect(Set(receipt.objectValue?.keys.map { $0 } ?? []) == ["seq", "leaf", "entry", "proof"])
            #expect(receipt["seq"] == 1)
            let verified = try Receipt.verify(json: receipt, verifier: live.verifier)
            #expect(verified.entry.command == register)
            #expect(verified.entry.signer == commands.registrar.publicKey.string)
            #expect(verified.entry.signature == envelope.signatureString)
            #expect(verified.entry.prev == (try live.store.leaf(seq: 0)))
            #expect(hexBytes(receipt["leaf"]) == LedgerEntry.leafHash(canonicalBytes: CanonicalJSON.serialize(try #require(receipt["entry"]))))
            #expect(verified.proof.checkpoint.checkpoint.size == 2)
            #expect(verified.proof.text.hasPrefix("c2sp.org/tlog-proof@v1\nindex 1\n"))
            #expect(verified.proof.text.hasSuffix("\n"))
            // The entry time is RFC 3339 UTC with milliseconds.
            let time = try #require(receipt["entry"]?["time"]?.stringValue)
            #expect(time.utf8.count == 24 && time.hasSuffix("Z") && time.contains("."))

            // A repeat later answers 200 with the original seq, leaf and entry and a proof to the current checkpoint.
            try await accept(client, commands.bind("o1", ownerKey("o1")), by: commands.registrar)
            try await accept(client, commands.bind("o2", ownerKey("o2")), by: commands.registrar)
            let again = try await client.submit(envelope)
            #expect(again.status.code == 200)
            let repeated = try again.json()
            #expect(repeated["seq"] == receipt["seq"])
            #expect(repeated["leaf"] == receipt["leaf"])
            #expect(repeated["entry"] == receipt["entry"])
            let repeatedVerified = try Receipt.verify(json: repeated, verifier: live.verifier)
            #expect(repeatedVerified.proof.checkpoint.checkpoint.size == 4)
            #expect(repeatedVerified.proof.checkpoint.text == live.store.latestCheckpoint.text)

            // The same command in another layout (key order, whitespace) is the same JCS: 200.
            let pretty = Array(CanonicalJSON.prettyPrinted(envelope.json).utf8)
            #expect(pretty != envelope.canonicalBytes)
            #expect(try await client.post(pretty).status.code == 200)

            // ES256 signatures are randomised: a re-signed repeat has other signature bytes and still answers 200.
            let es256 = try SigningKey.generate(algorithm: .es256)
            try await accept(client, commands.bind("o3", es256), by: commands.registrar)
            // No administrator is set: the registrar may create meetings too.
            try await accept(client, commands.meeting(closesIn: 3_600_000), by: commands.registrar)
            let ballot = commands.cast(owner: "o3", ["1": "for"])
            let signedOnce = try SignedEnvelope.sign(command: ballot, with: es256)
            let signedTwice = try SignedEnvelope.sign(command: ballot, with: es256)
            #expect(signedOnce.signature != signedTwice.signature)
            let original = try await client.submit(signedOnce)
            #expect(original.status.code == 201)
            let resigned = try await client.submit(signedTwice)
            #expect(resigned.status.code == 200)
            #expect(try resigned.json()["entry"] == original.json()["entry"])
            #expect(try resigned.json()["entry"]?["signature"] == .string(signedOnce.signatureString))
            _ = try Receipt.verify(json: try resigned.json(), verifier: live.verifier)

            // ES256 is accepted with high or low S (WebCrypto does not normalise); both are the same command.
            let highLow = commands.cast(owner: "o2", ["1": "against"])
            let p256 = try SigningKey.generate(algorithm: .es256)
            try await accept(client, commands.bind("o2", p256), by: commands.registrar)
            let lowS = try SignedEnvelope.sign(command: highLow, with: p256)
            let flipped = SignedEnvelope(command: highLow, signer: lowS.signer, signature: Array(lowS.signature[..<32]) + p256Negate(Array(lowS.signature[32...])))
            #expect(flipped.isSignatureValid)
            #expect(flipped.signature != lowS.signature)
            let highFirst = try await client.submit(flipped)
            #expect(highFirst.status.code == 201, "\(highFirst.text)")
            let lowSecond = try await client.submit(lowS)
            #expect(lowSecond.status.code == 200, "\(lowSecond.text)")
            #expect(try lowSecond.json()["entry"]?["signature"] == .string(flipped.signatureString))

            // Any other reuse of an id is 409: other content, or the same command by another signer.
            let size = live.store.size
            var changed = register.objectValue!
            changed["address"] = "г. Казань, ул. Другая, д. 2"
            expectProblem(try await client.submit(.object(changed), by: commands.registrar), 409, field: "/command/id", "other content")
            let otherRegistrar = TestKeys.signing("second registrar")
            expectProblem(try await client.submit(register, by: otherRegistrar), 409, field: "/command/id", "other signer")
            #expect(live.store.size == size)
        }
    }

    @Test func checkpointIsTheSignedNoteOfTheLatestTreeEndingInLF() async throws {
        try await withLiveServer("checkpoint") { live in
            let client = live.client()
            var commands = try Commands()
            try await accept(client, commands.register(premises: Self.premises), by: commands.registrar)
            let response = try await client.get("/v1/checkpoint")
            #expect(response.status == .ok)
            #expect(response.mediaType == "text/plain")
            #expect(response.text.hasSuffix("\n"))
            let signed = try SignedCheckpoint(parsing: response.text)
            try signed.verify(try NoteVerifier(vkey: live.initialized.vkey))
            #expect(signed.checkpoint.origin == LedgerFixture.origin)
            #expect(signed.checkpoint.size == 2)
            #expect(signed.checkpoint.rootHash == merkleRoot(try await servedLeaves(client)[...]))
            #expect(response.text.split(separator: "\n", omittingEmptySubsequences: false).count == 6)  // 3 body lines, blank, signature, final LF
            let head = try await client.send(HTTPClientRequest(method: "HEAD", target: "/v1/checkpoint"))
            #expect(head.status == .ok)
            #expect(head.body.isEmpty)
            #expect(head.headers["Content-Length"] == String(response.body.count))
            expectProblem(try await client.get("/v1/checkpoint?x=1"), 400, "unknown query parameter")
        }
    }

    @Test func entriesAreCanonicalLinesWithDefaultsAndBounds() async throws {
        try await withLiveServer("entries") { live in
            let client = live.client()
            var commands = try Commands()
            // 120 entries in all, bound concurrently (group commit).
            let binds = (0..<119).map { commands.bind("x\($0)", TestKeys.signing("x\($0)")) }
            let registrar = commands.registrar
            try await withThrowingTaskGroup(of: Int.self) { group in
                for chunk in stride(from: 0, to: binds.count, by: 20) {
                    let slice = Array(binds[chunk..<min(chunk + 20, binds.count)])
                    let port = live.port
                    group.addTask {
                        let own = APIClient(port: port, timeout: .seconds(10))
                        for command in slice { _ = try await own.submit(command, by: registrar) }
                        return slice.count
                    }
                }
                try await group.waitForAll()
            }
            #expect(live.store.size == 120)

            let all = try await client.get("/v1/entries")
            #expect(all.status == .ok)
            #expect(all.mediaType == "application/x-ndjson")
            #expect(all.body.last == 0x0A)
            let lines = all.body.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast()
            #expect(lines.count == 100, "the default limit is 100")
            var previous = LedgerEntry.zeroHash
            for (index, line) in lines.enumerated() {
                let bytes = Array(line)
                let value = try CanonicalJSON.parse(bytes)
                #expect(CanonicalJSON.serialize(value) == bytes, "line \(index) is JCS(entry)")
                let entry = try LedgerEntry(json: value)
                #expect(entry.seq == index)
                #expect(entry.prev == previous)
                previous = LedgerEntry.leafHash(canonicalBytes: bytes)
            }

            let window = try await client.get("/v1/entries?from=5&limit=3")
            let seqs = try window.body.split(separator: 0x0A).map { try LedgerEntry(json: try CanonicalJSON.parse(Array($0))).seq }
            #expect(seqs == [5, 6, 7])
            #expect(try await client.get("/v1/entries?limit=1000").body.split(separator: 0x0A).count == 120)
            #expect(try await client.get("/v1/entries?from=119&limit=1000").body.split(separator: 0x0A).count == 1)
            for target in ["/v1/entries?from=120", "/v1/entries?from=5000&limit=1", "/v1/entries?from=9007199254740991"] {
                let empty = try await client.get(target)
                #expect(empty.status == .ok, "\(target)")
                #expect(empty.body.isEmpty, "\(target)")
                #expect(empty.mediaType == "application/x-ndjson", "\(target)")
            }
            for target in [
                "/v1/entries?limit=0", "/v1/entries?limit=1001", "/v1/entries?from=-1", "/v1/entries?from=abc",
                "/v1/entries?from=01", "/v1/entries?limit=", "/v1/entries?from=1&from=2", "/v1/entries?start=1",
                "/v1/entries?from=1.0", "/v1/entries?from=%2B1", "/v1/entries?from=9007199254740992",
                "/v1/entries?from=99999999999999999999999",
            ] {
                expectProblem(try await client.get(target), 400, target)
            }
        }
    }

    @Test func inclusionAndConsistencyProofsVerifyWithinTheirBounds() async throws {
        try await withLiveServer("proofs") { live in
            let client = live.client()
            var commands = try Commands()
            for index in 0..<12 {
                try await accept(client, commands.bind("y\(index)", TestKeys.signing("y\(index)")), by: commands.registrar)
            }
            let leaves = try await servedLeaves(client)
            #expect(leaves.count == 13)
            for (seq, size) in [(0, 1), (0, 13), (12, 13), (5, 8), (6, 7), (7, 8), (3, 11), (10, 13)] {
                let response = try await client.get("/v1/proofs/inclusion?seq=\(seq)&size=\(size)")
                #expect(response.status == .ok)
                #expect(response.mediaType == "application/json")
                let proof = try response.json()
                #expect(Set(proof.objectValue?.keys.map { $0 } ?? []) == ["seq", "size", "leaf", "path"])
                #expect(proof["seq"]?.int == seq && proof["size"]?.int == size)
                #expect(hexBytes(proof["leaf"]) == leaves[seq])
                let path = (proof["path"]?.arrayValue ?? []).map { hexBytes($0) }
                #expect(Merkle.verifyInclusion(leafHash: leaves[seq], index: seq, size: size, proof: path, root: merkleRoot(leaves[..<size])), "seq \(seq) size \(size)")
            }
            let defaulted = try await client.get("/v1/proofs/inclusion?seq=4").json()
            #expect(defaulted["size"] == 13)
            for (from, to) in [(1, 13), (4, 13), (7, 13), (8, 13), (1, 2), (3, 7), (13, 13), (5, 5)] {
                let response = try await client.get("/v1/proofs/consistency?from=\(from)&to=\(to)")
                #expect(response.status == .ok)
                let proof = try response.json()
                #expect(Set(proof.objectValue?.keys.map { $0 } ?? []) == ["from", "to", "path"])
                #expect(proof["from"]?.int == from && proof["to"]?.int == to)
                let path = (proof["path"]?.arrayValue ?? []).map { hexBytes($0) }
                if from == to { #expect(path.isEmpty) }
                #expect(Merkle.verifyConsistency(oldSize: from, newSize: to, oldRoot: merkleRoot(leaves[..<from]), newRoot: merkleRoot(leaves[..<to]), proof: path), "\(from)→\(to)")
            }
            #expect(try await client.get("/v1/proofs/consistency?from=6").json()["to"] == 13)
            for target in [
                "/v1/proofs/inclusion", "/v1/proofs/inclusion?size=5", "/v1/proofs/inclusion?seq=13",
                "/v1/proofs/inclusion?seq=5&size=5", "/v1/proofs/inclusion?seq=0&size=0", "/v1/proofs/inclusion?seq=0&size=14",
                "/v1/proofs/inclusion?seq=-1", "/v1/proofs/inclusion?seq=x", "/v1/proofs/inclusion?seq=1&from=2",
                "/v1/proofs/consistency", "/v1/proofs/consistency?to=5", "/v1/proofs/consistency?from=0&to=5",
                "/v1/proofs/consistency?from=6&to=5", "/v1/proofs/consistency?from=1&to=14", "/v1/proofs/consistency?from=14",
                "/v1/proofs/consistency?from=1&to=0", "/v1/proofs/consistency?from=1&to=5&seq=1",
            ] {
                expectProblem(try await client.get(target), 400, target)
            }
        }
    }

    @Test func buildingsShowTheLatestRegisterItsLeafTheAdministratorAndMeetings() async throws {
        try await withLiveServer("buildings") { live in
            let client = live.client()
            var commands = try Commands()
            let register = commands.register(premises: Self.premises)
            let receipt = try await accept(client, register, by: commands.registrar)
            let before = try await client.get("/v1/buildings/B1")
            #expect(before.status == .ok)
            #expect(before.mediaType == "application/json")
            let shown = try before.json()
            #expect(Set(shown.objectValue?.keys.map { $0 } ?? []) == ["building", "register", "administrator", "meetings"])
            #expect(shown["building"] == register)
            #expect(shown["register"] == receipt["leaf"])
            #expect(shown["administrator"] == .null)
            #expect(shown["meetings"] == [])
            #expect(before.text.contains("\"administrator\":null"))

            let administrator = commands.administrator()
            try await accept(client, administrator, by: commands.registrar)
            let meeting = commands.meeting(closesIn: 3_600_000)
            try await accept(client, meeting, by: commands.administrator)
            let snapshot = commands.register(premises: [LedgerFixture.premises("1", area: "104.3", stakes: [(["o1"], "1")])])
            let second = try await accept(client, snapshot, by: commands.registrar)
            let after = try await client.get("/v1/buildings/B1").json()
            #expect(after["building"] == snapshot)
            #expect(after["register"] == second["leaf"])
            #expect(after["administrator"] == administrator)
            #expect(after["meetings"] == ["M1"])
            // The meeting keeps the register frozen at its creation.
            #expect(try await client.get("/v1/meetings/M1").json()["register"] == receipt["leaf"])

            expectProblem(try await client.get("/v1/buildings/B2"), 404, "unknown building")
            expectProblem(try await client.get("/v1/buildings/b%20c"), 404, "not an identifier")
            expectProblem(try await client.get("/v1/buildings/B1?x=1"), 400, "unknown query parameter")
        }
    }

    @Test func meetingsReportStatusAndLiveFiguresAndResultsAfterClose() async throws {
        // The close check runs only when commands arrive, so `counting` can be observed.
        try await withLiveServer("meetings", store: { $0.closeCheckInterval = .seconds(60) }) { live in
            let client = live.client()
            var commands = try Commands()
            try await accept(client, commands.register(premises: Self.premises), by: commands.registrar)
            try await accept(client, commands.administrator(), by: commands.registrar)
            for owner in ["o1", "o2", "o3"] { try await accept(client, commands.bind(owner, ownerKey(owner)), by: commands.registrar) }
            let scheduled = commands.meeting("M-later", closesIn: 7_200_000, opensIn: 3_600_000)
            try await accept(client, scheduled, by: commands.administrator)
            try await accept(client, commands.meeting("M-open", closesIn: 3_600_000, quorum: "2/3"), by: commands.administrator)
            try await accept(client, commands.meeting("M-cancel", closesIn: 3_600_000), by: commands.administrator)
            try await accept(client, commands.make("meeting.cancel", ["meeting": "M-cancel", "reason": "ошибка в повестке"]), by: commands.administrator)
            try await accept(client, commands.meeting("M-soon", closesIn: 3_000), by: commands.administrator)
            try await accept(client, commands.cast("M-open", owner: "o2", ["1": "for"]), by: ownerKey("o2"))
            try await accept(client, commands.cast("M-soon", owner: "o1", ["1": "against"]), by: ownerKey("o1"))

            let later = try await client.get("/v1/meetings/M-later")
            #expect(later.status == .ok)
            #expect(later.mediaType == "application/json")
            let laterView = try later.json()
            #expect(Set(laterView.objectValue?.keys.map { $0 } ?? []) == ["meeting", "status", "register", "total", "participating", "quorum", "ballots"])
            #expect(laterView["status"] == "scheduled")
            #expect(laterView["meeting"] == scheduled)
            #expect(laterView["total"] == "1043/10")
            #expect(laterView["participating"] == "0")
            #expect(laterView["ballots"] == 0)
            #expect(laterView["quorum"] == ["required": "1/2", "reached": false])
            expectProblem(try await client.submit(commands.cast("M-later", owner: "o1", ["1": "for"]), by: ownerKey("o1")), 409, field: "/command/meeting", "not open yet")

            let open = try await client.get("/v1/meetings/M-open").json()
            #expect(open["status"] == "open")
            // 54.30 / 2 = 27.15 = 543/20 of 104.30 = 1043/10; 2/3 × 104.3 > 27.15.
            #expect(open["total"] == "1043/10")
            #expect(open["participating"] == "543/20")
            #expect(open["quorum"] == ["required": "2/3", "reached": false])
            #expect(open["ballots"] == 1)
            expectProblem(try await client.get("/v1/meetings/M-open/result"), 404, "result while open")

            #expect(try await client.get("/v1/meetings/M-cancel").json()["status"] == "cancelled")
            expectProblem(try await client.get("/v1/meetings/M-cancel/result"), 410, "cancelled")

            // After closes_at and before the close entry: counting, and still no result.
            #expect(try await eventually(timeout: .seconds(10)) { try await client.get("/v1/meetings/M-soon").json()["status"] == "counting" })
            let counting = try await client.get("/v1/meetings/M-soon").json()
            #expect(counting["status"] == "counting")
            #expect(counting["participating"] == "50")
            expectProblem(try await client.get("/v1/meetings/M-soon/result"), 404, "result while counting")
            // Past closes_at nothing is taken for the meeting, though its close is not appended yet;
            // the submission wakes the sequencer, which judges it and then appends the due close.
            expectProblem(try await client.submit(commands.grant("M-soon", owner: "o2", proxy: TestKeys.signing("late proxy")), by: ownerKey("o2")), 409, field: "/command/meeting", "grant while counting")
            expectProblem(try await client.submit(commands.cast("M-soon", owner: "o2", ["1": "for"]), by: ownerKey("o2")), 409, field: "/command/meeting", "ballot after closes_at")
            expectProblem(try await client.submit(commands.make("meeting.cancel", ["meeting": "M-soon", "reason": "поздно"]), by: commands.administrator), 409, field: "/command/meeting", "cancel after closes_at")
            let closed = try await client.get("/v1/meetings/M-soon").json()
            #expect(closed["status"] == "closed")
            let result = try await client.get("/v1/meetings/M-soon/result")
            #expect(result.status == .ok)
            let resultJSON = try result.json()
            #expect(resultJSON["participating"] == "50")
            #expect(resultJSON["ballots"] == 1)
            #expect(resultJSON["items"]?.arrayValue?.first?["against"] == "50")
            #expect(closed["participating"] == resultJSON["participating"])
            #expect(closed["quorum"] == resultJSON["quorum"])

            for target in ["/v1/meetings/M9", "/v1/meetings/M9/result", "/v1/meetings/M9/record", "/v1/meetings/M9/protocol?format=md", "/v1/meetings/a%2Fb"] {
                expectProblem(try await client.get(target), 404, target)
            }
        }
    }

    @Test func theRecordIsTheWholeLedgerPrefixWithItsCheckpointAndVerifies() async throws {
        try await withLiveServer("record") { live in
            let client = live.client()
            var commands = try Commands()
            try await accept(client, commands.register(premises: Self.premises), by: commands.registrar)
            try await accept(client, commands.bind("o1", ownerKey("o1")), by: commands.registrar)
            try await accept(client, commands.meeting(closesIn: 3_600_000), by: commands.registrar)
            try await accept(client, commands.cast(owner: "o1", ["1": "abstain"]), by: ownerKey("o1"))
            let response = try await client.get("/v1/meetings/M1/record")
            #expect(response.status == .ok)
            #expect(response.body.last == 0x0A)
            let lines = response.body.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().map { Array($0) }
            #expect(lines.count == live.store.size + 1)
            let last = try CanonicalJSON.parse(try #require(lines.last))
            #expect(last["checkpoint"]?.stringValue == live.store.latestCheckpoint.text)
            var queue = lines[...]
            let report = RecordVerifier(trustedKey: try TrustedKey(live.initialized.vkey)).verify(nextLine: { queue.popFirst().map { ($0, true) } })
            #expect(report.failures.isEmpty, "\(report.failures)")
            #expect(report.entries == 5)
            #expect(report.ballots == 1)
        }
    }

    @Test func healthzAnswersOkAndMetricsArePrometheusText() async throws {
        try await withLiveServer("metrics") { live in
            let client = live.client()
            var commands = try Commands()
            let health = try await client.get("/healthz")
            #expect(health.status == .ok)
            #expect(health.mediaType == "text/plain")
            #expect(health.text == "ok")
            try await accept(client, commands.register(premises: Self.premises), by: commands.registrar)
            try await accept(client, commands.bind("o1", ownerKey("o1")), by: commands.registrar)
            try await accept(client, commands.meeting(closesIn: 3_600_000), by: commands.registrar)
            try await accept(client, commands.cast(owner: "o1", ["1": "for"]), by: ownerKey("o1"))
            expectProblem(try await client.submit(commands.cast(owner: "o1", ["1": "against"]), by: ownerKey("o1")), 409)
            expectProblem(try await client.post(Array("{".utf8)), 400)
            _ = try await client.get("/nowhere")
            // Signed commands of made-up types are refused at the schema; their types must
            // neither break the exposition format nor add series without bound.
            let stranger = TestKeys.signing("stranger")
            for type in ["evil\"} 1\n# TYPE injected counter\ninjected 1", "made.up", "another.one"] {
                expectProblem(try await client.submit(commands.make(type, ["meeting": "M1"]), by: stranger), 400, field: "/command/type", type)
            }

            let metrics = try await client.get("/metrics")
            #expect(metrics.status == .ok)
            #expect(metrics.mediaType == "text/plain")
            #expect(metrics.headers["Content-Type"]?.contains("version=0.0.4") == true)
            let text = metrics.text
            #expect(text.hasSuffix("\n"))
            var samples: [String: String] = [:]
            var typed: Set<String> = []
            for line in text.split(separator: "\n") {
                if line.hasPrefix("# TYPE ") {
                    let parts = line.split(separator: " ")
                    #expect(parts.count == 4 && ["counter", "gauge"].contains(String(parts[3])), "\(line)")
                    typed.insert(String(parts[2]))
                    continue
                }
                if line.hasPrefix("# HELP ") { continue }
                // name{label="value",...} number
                let sample = /^([a-z_]+)(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? ([0-9]+(\.[0-9]+)?)$/
                guard let match = String(line).wholeMatch(of: sample) else {
                    Issue.record("not a Prometheus sample line: \(line)")
                    continue
                }
                #expect(typed.contains(String(match.1)), "sample before its TYPE: \(line)")
                samples[String(match.1) + String(match.2 ?? "")] = String(match.4)
            }
            #expect(samples["veche_ledger_entries"] == String(live.store.size))
            #expect(samples[#"veche_http_requests_total{route="healthz",status="200"}"#] == "1")
            #expect(samples[#"veche_http_requests_total{route="commands",status="201"}"#] == "4")
            #expect(samples[#"veche_http_requests_total{route="commands",status="409"}"#] == "1")
            #expect(samples[#"veche_http_requests_total{route="unknown",status="404"}"#] == "1")
            #expect(samples[#"veche_commands_total{type="ballot.cast",outcome="accepted"}"#] == "1")
            #expect(samples[#"veche_commands_total{type="ballot.cast",outcome="second-own-ballot"}"#] == "1")
            #expect(samples[#"veche_commands_total{type="unknown",outcome="malformed"}"#] == "1")
            #expect(samples[#"veche_commands_total{type="unknown",outcome="schema"}"#] == "3")
            #expect(!text.contains("injected") && !text.contains("made.up"), "\(text)")
            #expect(samples["veche_group_commits_total"].flatMap { Int($0) }.map { $0 >= 4 } == true)
            #expect(samples["veche_group_commit_commands_total"].flatMap { Int($0) }.map { $0 >= 5 } == true)
            #expect(samples["veche_group_commit_largest"].flatMap { Int($0) }.map { $0 >= 1 } == true)
            #expect(samples["veche_group_commit_seconds_total"] != nil)
        }
    }

    @Test func unknownURLsAre404AndWrongMethodsAre405() async throws {
        try await withLiveServer("routes") { live in
            let client = live.client()
            for target in ["/nope", "/v1", "/v1/", "/v1/nope", "/v1/checkpoint/", "/v1/meetings", "/v1/meetings/M1/nope", "/v1/buildings/B1/x", "/v2/checkpoint", "/healthz/x"] {
                expectProblem(try await client.get(target), 404, target)
            }
            for (method, target, allow) in [
                ("POST", "/v1/checkpoint", "GET, HEAD"), ("GET", "/v1/commands", "POST"), ("PUT", "/v1/commands", "POST"),
                ("DELETE", "/v1/meetings/M1", "GET, HEAD"), ("POST", "/v1/entries", "GET, HEAD"), ("PUT", "/healthz", "GET, HEAD"),
                ("POST", "/metrics", "GET, HEAD"), ("POST", "/v1/proofs/inclusion", "GET, HEAD"), ("PATCH", "/v1/buildings/B1", "GET, HEAD"),
            ] {
                let response = try await client.send(HTTPClientRequest(method: method, target: target, body: method == "GET" ? [] : Array("{}".utf8)))
                expectProblem(response, 405, "\(method) \(target)")
                #expect(response.headers["Allow"] == allow, "\(method) \(target)")
            }
            // An unknown resource is 404 whatever the method.
            for method in ["POST", "DELETE", "PUT"] {
                expectProblem(try await client.send(HTTPClientRequest(method: method, target: "/nope", body: Array("{}".utf8))), 404, "\(method) /nope")
            }
            #expect(live.store.size == 1)
        }
    }
}
