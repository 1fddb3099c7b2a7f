import Foundation
import Synchronization
import Testing
import VecheCore
import VecheCrypto
import VecheHTTP
import VecheLedger
import VecheTestSupport

/// Crash safety of the real `veche serve` process (issue #5 item 5): receipts handed out
/// before a SIGKILL are all in the ledger after the restart, byte for byte, and the record
/// still verifies.
@Suite(.serialized) struct CrashSafetyTests {
    static let rounds = 20
    static let owners = 48
    static let clientThreads = 4

    @Test func everyReceiptSurvivesSigkillAtRandomMoments() async throws {
        let seed = UInt64(UInt32.random(in: 1...UInt32.max))
        let outcome = try await onThread { try CrashRun(seed: seed).run() }
        // Every round must have killed the server with work in flight, or the test proves little.
        #expect(outcome.roundsKilledInFlight >= Self.rounds / 2, "only \(outcome.roundsKilledInFlight) of \(Self.rounds) kills hit submissions in flight (seed \(seed))")
        #expect(outcome.receipts >= Self.rounds, "only \(outcome.receipts) receipts in \(Self.rounds) rounds (seed \(seed))")
        #expect(outcome.failures.isEmpty, "seed \(seed): \(outcome.failures.prefix(20).joined(separator: "\n"))")
    }
}

/// One receipt as the client got it and verified it.
struct HeldReceipt: Sendable {
    let seq: Int
    let leaf: [UInt8]
    let entryBytes: [UInt8]
    let checkpoint: Checkpoint
    let round: Int
}

/// What the run found.
struct CrashOutcome: Sendable {
    var receipts = 0
    var roundsKilledInFlight = 0
    var failures: [String] = []
}

/// A seeded SplitMix64 so a failing run can be reproduced from its seed.
typealias SeededRandom = SplitMix64

/// State the client threads share with the test.
final class ClientShared: Sendable {
    let stop = Atomic<Bool>(false)
    let inFlight = Atomic<Int>(0)
    let counter = Atomic<Int>(0)
    let receipts = Mutex<[HeldReceipt]>([])
    /// Envelopes whose fate the client could not learn (connection lost, 5xx).
    let unknown = Mutex<[[UInt8]]>([])
    let failures = Mutex<[String]>([])

    func fail(_ message: String) { failures.withLock { $0.append(message) } }
}

/// The kill/restart loop, run on its own thread.
struct CrashRun {
    let seed: UInt64
    let origin = LedgerFixture.origin
    let registrar = TestKeys.signing("registrar")
    let administrator = TestKeys.signing("administrator")
    let ownerKeys = (0..<CrashSafetyTests.owners).map { TestKeys.signing("crash-o\($0)") }
    let directory: TemporaryDirectory
    let runID: String

    init(seed: UInt64) throws {
        self.seed = seed
        directory = try TemporaryDirectory("crash", create: false)
        runID = String(seed, radix: 36)
    }

    func run() throws -> CrashOutcome {
        defer { directory.remove() }
        var outcome = CrashOutcome()
        var random = SeededRandom(seed: seed)
        let initialised = try VecheBinary.run(["init", directory.path, "--origin", origin, "--registrar", registrar.publicKey.string])
        guard initialised.status == 0 else { throw CrashTestFailure("veche init failed: \(initialised.stderr)") }
        guard let vkeyLine = initialised.stdout.split(separator: "\n").first(where: { $0.hasPrefix("vkey") }) else {
            throw CrashTestFailure("veche init printed no vkey: \(initialised.stdout)")
        }
        let verifier = try NoteVerifier(vkey: String(vkeyLine.dropFirst("vkey".count).drop { $0 == " " }))

        var server = try startServer()
        try setUp(server.url)
        var all: [HeldReceipt] = []
        var unknown: [[UInt8]] = []
        for round in 0..<CrashSafetyTests.rounds {
            // The (re)started process takes new commands.
            let client = HTTPClient(url: server.url, timeout: .seconds(10))
            let shared = ClientShared()
            let fresh = try ballot(round: round, index: -1, random: &random)
            let response = try client.post("/v1/commands", body: fresh.body)
            if response.status.code == 201 {
                record(response, sent: fresh, round: round, shared: shared, verifier: verifier)
            } else {
                outcome.failures.append("round \(round): the restarted server answered \(response.status.code) to a new command: \(String(decoding: response.body, as: UTF8.self))")
            }
            // Commands whose outcome was lost in the previous kill: resubmitting is answered
            // 200 (it was committed) or 201 (it was not), never anything else.
            for body in unknown.prefix(8) {
                let again = try client.post("/v1/commands", body: body)
                if again.status.code != 200 && again.status.code != 201 {
                    outcome.failures.append("round \(round): resubmitting a command lost in the kill answered \(again.status.code): \(String(decoding: again.body, as: UTF8.self))")
                }
            }
            client.close()

            // Submissions from several threads, killed at a random moment.
            let group = DispatchGroup()
            for thread in 0..<CrashSafetyTests.clientThreads {
                group.enter()
                let url = server.url
                let threadSeed = random.next()
                let submitter = self
                Thread {
                    submitter.submitUntilStopped(url: url, round: round, thread: thread, seed: threadSeed, shared: shared, verifier: verifier)
                    group.leave()
                }.start()
            }
            let delay = Int.random(in: 100_000...1_000_000, using: &random)
            usleep(UInt32(delay))
            let inFlight = shared.inFlight.load(ordering: .relaxed)
            server.child.kill()
            shared.stop.store(true, ordering: .relaxed)
            group.wait()
            if inFlight > 0 { outcome.roundsKilledInFlight += 1 }
            if !server.child.wasSignalled {
                outcome.failures.append("round \(round): the server had exited before the kill: \(server.child.stderr)")
            }

            // Restart and check every receipt of this round (and the durable prefix before it).
            server = try startServer()
            let receipts = shared.receipts.withLock { $0 }
            outcome.failures += shared.failures.withLock { $0 }
            outcome.failures += try checkDurable(receipts, previous: all, url: server.url, verifier: verifier, round: round)
            all += receipts
            unknown = shared.unknown.withLock { $0 }
        }

        // The whole record, exported while the server runs, verifies and holds every receipt.
        let recordPath = directory.path("record.jsonl")
        let exported = try VecheBinary.run(["export", directory.path, "--out", recordPath])
        guard exported.status == 0 else { throw CrashTestFailure("veche export failed: \(exported.stderr)") }
        outcome.failures += try checkRecord(at: recordPath, receipts: all, verifier: verifier)

        // A graceful stop still works after all those crashes.
        server.child.signal(SIGTERM)
        if !server.child.wait(timeout: .seconds(20)) {
            outcome.failures.append("the server did not stop within 20 s of SIGTERM")
            server.child.kill()
        } else if server.child.status != 0 {
            outcome.failures.append("the server exited \(server.child.status) after SIGTERM: \(server.child.stderr)")
        }
        outcome.receipts = all.count
        return outcome
    }

    // MARK: - server

    struct Server {
        let child: VecheChild
        let url: HTTPURL
    }

    func startServer() throws -> Server {
        let child = try VecheChild(["serve", directory.path, "--listen", "127.0.0.1:0", "--no-access-log"])
        guard let url = child.listeningURL(timeout: .seconds(30)) else {
            child.kill()
            throw CrashTestFailure("veche serve did not start: \(child.stderr)")
        }
        return Server(child: child, url: url)
    }

    // MARK: - commands

    struct Sent {
        let command: JSONValue
        let signer: String
        let body: [UInt8]
    }

    func command(_ type: String, _ id: String, _ fields: [String: JSONValue]) -> JSONValue {
        var members = fields
        members["type"] = .string(type)
        members["id"] = .string(id)
        members["ledger"] = .string(origin)
        return .object(members)
    }

    func signed(_ command: JSONValue, by key: SigningKey) throws -> Sent {
        let envelope = try SignedEnvelope.sign(command: command, with: key)
        return Sent(command: command, signer: key.publicKey.string, body: envelope.canonicalBytes)
    }

    /// A ballot of a random owner (revotes count: the meeting is `last-counts`).
    func ballot(round: Int, index: Int, random: inout SeededRandom) throws -> Sent {
        let owner = Int.random(in: 0..<ownerKeys.count, using: &random)
        let marks: [JSONValue] = ["for", "against", "abstain"]
        let choices: JSONValue = [
            "1": marks[Int.random(in: 0..<3, using: &random)], "2": marks[Int.random(in: 0..<3, using: &random)],
        ]
        let id = "c\(runID)-\(round)-\(index)-\(random.next() % 1_000_000)"
        return try signed(
            command("ballot.cast", id, ["meeting": "M1", "owner": .string("o\(owner)"), "choices": choices]), by: ownerKeys[owner])
    }

    /// A registrar's key binding for a new owner: commands other than ballots go through too.
    func binding(round: Int, index: Int) throws -> Sent {
        let owner = "n\(round)-\(index)"
        let key = TestKeys.signing("crash-\(runID)-\(owner)")
        return try signed(
            command("owner.key", "k\(runID)-\(round)-\(index)", ["owner": .string(owner), "key": .string(key.publicKey.string), "action": "bind"]),
            by: registrar)
    }

    /// The building, its administrator, the owners' keys and an open meeting.
    func setUp(_ url: HTTPURL) throws {
        let client = HTTPClient(url: url, timeout: .seconds(30))
        defer { client.close() }
        func post(_ sent: Sent) throws {
            let response = try client.post("/v1/commands", body: sent.body)
            guard response.status.code == 201 else {
                throw CrashTestFailure("set-up command refused \(response.status.code): \(String(decoding: response.body, as: UTF8.self))")
            }
        }
        let premises = (0..<ownerKeys.count).map { LedgerFixture.premises(String($0 + 1), area: "\(40 + $0 % 30).5", stakes: [(["o\($0)"], "1")]) }
        try post(try signed(command("building.register", "setup-register", ["building": "B1", "address": "г. Казань, ул. Тестовая, д. 1", "premises": .array(premises)]), by: registrar))
        try post(try signed(command("building.administrator", "setup-admin", ["building": "B1", "keys": [.string(administrator.publicKey.string)], "organization": ["name": "ООО «УК»"]]), by: registrar))
        for (owner, key) in ownerKeys.enumerated() {
            try post(try signed(command("owner.key", "setup-key-\(owner)", ["owner": .string("o\(owner)"), "key": .string(key.publicKey.string), "action": "bind"]), by: registrar))
        }
        let now = Int64(Date().timeIntervalSince1970) * 1000
        let fixture = try LedgerFixture()
        var fields = fixture.meetingFields(
            revote: "last-counts", opensAt: Timestamp(milliseconds: now - 60_000), closesAt: Timestamp(milliseconds: now + 7_200_000),
            items: [("1", "participants-majority"), ("2", "all-majority")])
        fields["meeting"] = "M1"
        try post(try signed(command("meeting.create", "setup-meeting", fields), by: administrator))
    }

    // MARK: - clients

    /// Posts commands over one keep-alive connection until told to stop.
    func submitUntilStopped(url: HTTPURL, round: Int, thread: Int, seed: UInt64, shared: ClientShared, verifier: NoteVerifier) {
        var random = SeededRandom(seed: seed)
        let client = HTTPClient(url: url, timeout: .seconds(5))
        defer { client.close() }
        var refusedInARow = 0
        while !shared.stop.load(ordering: .relaxed) {
            let index = shared.counter.add(1, ordering: .relaxed).oldValue
            let sent: Sent
            do {
                sent = index % 10 == 9 ? try binding(round: round, index: index) : try ballot(round: round, index: index, random: &random)
            } catch {
                shared.fail("cannot sign: \(error)")
                return
            }
            shared.inFlight.add(1, ordering: .relaxed)
            let response: HTTPResponse
            do {
                response = try client.post("/v1/commands", body: sent.body)
                shared.inFlight.subtract(1, ordering: .relaxed)
            } catch {
                shared.inFlight.subtract(1, ordering: .relaxed)
                // The server died under us: the command may or may not have been committed.
                shared.unknown.withLock { if $0.count < 64 { $0.append(sent.body) } }
                client.close()
                refusedInARow += 1
                if refusedInARow > 3 { usleep(2_000) }
                continue
            }
            refusedInARow = 0
            switch response.status.code {
            case 200, 201:
                record(response, sent: sent, round: round, shared: shared, verifier: verifier)
            case 500...599:
                shared.unknown.withLock { if $0.count < 64 { $0.append(sent.body) } }
            default:
                shared.fail("round \(round): a valid command was refused \(response.status.code): \(String(decoding: response.body, as: UTF8.self))")
            }
        }
    }

    /// Verifies a receipt (entry is the command sent, leaf, inclusion proof, checkpoint
    /// signature) and keeps it.
    func record(_ response: HTTPResponse, sent: Sent, round: Int, shared: ClientShared, verifier: NoteVerifier) {
        do {
            let receipt = try Receipt.verify(json: try CanonicalJSON.parse(response.body), verifier: verifier)
            guard receipt.entry.command == sent.command, receipt.entry.signer == sent.signer else {
                shared.fail("round \(round): receipt \(receipt.seq) holds another command than the one sent")
                return
            }
            let held = HeldReceipt(
                seq: receipt.seq, leaf: receipt.leaf, entryBytes: receipt.entry.canonicalBytes,
                checkpoint: receipt.proof.checkpoint.checkpoint, round: round)
            shared.receipts.withLock { $0.append(held) }
        } catch {
            shared.fail("round \(round): a receipt does not verify: \(error)")
        }
    }

    // MARK: - checks

    /// After a restart: the checkpoint is the operator's, every receipt of the round is in
    /// the ledger with the same bytes and leaf, and the new tree extends the largest tree any
    /// receipt (of this or any earlier round) was proven against.
    func checkDurable(_ receipts: [HeldReceipt], previous: [HeldReceipt], url: HTTPURL, verifier: NoteVerifier, round: Int) throws -> [String] {
        var failures: [String] = []
        let client = HTTPClient(url: url, timeout: .seconds(30))
        defer { client.close() }
        let response = try client.get("/v1/checkpoint")
        let checkpoint = try SignedCheckpoint(parsing: String(decoding: response.body, as: UTF8.self))
        try checkpoint.verify(verifier)
        let size = checkpoint.checkpoint.size
        var lines: [Int: [UInt8]] = [:]
        for receipt in receipts.sorted(by: { $0.seq < $1.seq }) {
            guard receipt.seq < size else {
                failures.append("round \(round): receipt seq \(receipt.seq) vanished: the restarted ledger has \(size) entries")
                continue
            }
            if lines[receipt.seq] == nil {
                let page = try client.get("/v1/entries?from=\(receipt.seq)&limit=1000")
                for (offset, line) in page.body.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().enumerated() {
                    lines[receipt.seq + offset] = Array(line)
                }
            }
            guard let line = lines[receipt.seq] else {
                failures.append("round \(round): entry \(receipt.seq) of a receipt is not served after the restart")
                continue
            }
            if line != receipt.entryBytes || LedgerEntry.leafHash(canonicalBytes: line) != receipt.leaf {
                failures.append("round \(round): entry \(receipt.seq) differs from its receipt after the restart")
            }
        }
        if let largest = (receipts + previous).map(\.checkpoint).max(by: { $0.size < $1.size }) {
            if largest.size > size {
                failures.append("round \(round): a receipt was proven against \(largest.size) entries, the restarted ledger has \(size)")
            } else {
                let proof = try client.get("/v1/proofs/consistency?from=\(largest.size)&to=\(size)")
                let path = try CanonicalJSON.parse(proof.body)["path"]?.arrayValue?.map { try Hex.decode($0.stringValue ?? "") } ?? []
                if !Merkle.verifyConsistency(oldSize: largest.size, newSize: size, oldRoot: largest.rootHash, newRoot: checkpoint.checkpoint.rootHash, proof: path) {
                    failures.append("round \(round): the restarted tree of \(size) does not extend the tree of \(largest.size) a receipt was proven against")
                }
            }
        }
        return failures
    }

    /// The exported record verifies under the operator's key and holds every receipt.
    func checkRecord(at path: String, receipts: [HeldReceipt], verifier: NoteVerifier) throws -> [String] {
        var failures: [String] = []
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().map { Array($0) }[...]
        let entries = Array(lines.dropLast())
        let report = RecordVerifier(trustedKey: .vkey(verifier)).verify(nextLine: { lines.popFirst().map { ($0, true) } })
        if !report.isValid {
            failures.append("the exported record does not verify: \(report.failures.prefix(5).map(\.description).joined(separator: "; "))")
        }
        for receipt in receipts {
            guard receipt.seq < entries.count else {
                failures.append("receipt seq \(receipt.seq) is beyond the exported record of \(entries.count) entries")
                continue
            }
            if LedgerEntry.leafHash(canonicalBytes: entries[receipt.seq]) != receipt.leaf {
                failures.append("receipt seq \(receipt.seq) does not match the exported record")
            }
        }
        return failures
    }
}
