import Foundation
import Testing
import VecheCore
import VecheCrypto
import VecheLedger
import VecheStore
import VecheTestSupport

private let keyA = TestKeys.signing("A")
private let keyB = TestKeys.signing("B")

/// An initialised data directory whose registrar is the fixture's, and the fixture that builds commands.
private func initialised(_ label: String) throws -> (TemporaryDirectory, LedgerFixture) {
    let directory = try TemporaryDirectory(label, create: false)
    let fixture = try LedgerFixture()
    _ = try LedgerStore.initialize(directory: directory.path, origin: LedgerFixture.origin, registrars: [fixture.registrar.publicKey])
    return (directory, fixture)
}

private func submit(_ store: LedgerStore, _ command: JSONValue, by key: SigningKey) async throws -> LedgerStore.Outcome {
    try await store.submit(body: try SignedEnvelope.sign(command: command, with: key).canonicalBytes)
}

/// A building of many single-owner flats, owners o0…o(n−1) with keys k(o).
private func setUpBuilding(_ store: LedgerStore, _ fixture: inout LedgerFixture, owners: Int, closesIn: Int64 = 3_600_000) async throws {
    let premises = (0..<owners).map { LedgerFixture.premises(String($0 + 1), area: "50", stakes: [(["o\($0)"], "1")]) }
    _ = try await submit(store, fixture.makeCommand("building.register", ["building": "B1", "address": "ул. Тестовая, 1", "premises": .array(premises)]), by: fixture.registrar)
    _ = try await submit(store, fixture.makeCommand("building.administrator", ["building": "B1", "keys": [.string(fixture.administrator.publicKey.string)], "organization": ["name": "УК"]]), by: fixture.registrar)
    for owner in 0..<owners {
        _ = try await submit(store, fixture.makeCommand("owner.key", ["owner": .string("o\(owner)"), "key": .string(TestKeys.signing("o\(owner)").publicKey.string), "action": "bind"]), by: fixture.registrar)
    }
    let now = SystemClock.now()
    let fields = fixture.meetingFields(opensAt: Timestamp(milliseconds: now.milliseconds - 1000), closesAt: Timestamp(milliseconds: now.milliseconds + closesIn))
    _ = try await submit(store, fixture.makeCommand("meeting.create", fields), by: fixture.administrator)
}

@Suite(.serialized) struct LedgerStoreTests {
    @Test func initWritesKeysGenesisAndRefusesANonEmptyDirectory() throws {
        let directory = try TemporaryDirectory("init", create: false)
        defer { directory.remove() }
        let created = try LedgerStore.initialize(directory: directory.path, origin: "vote.example.ru/16")
        #expect(created.registrarKeyPath == directory.path("registrar.key"))
        let mode = try FileManager.default.attributesOfItem(atPath: directory.path("operator.key"))[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(created.vkey.hasPrefix("vote.example.ru/16+"))
        let store = try LedgerStore(directory: directory.path)
        #expect(store.size == 1)
        #expect(store.origin == "vote.example.ru/16")
        store.close()
        #expect(throws: StoreError.self) { try LedgerStore.initialize(directory: directory.path, origin: "vote.example.ru/16") }
        let bad = try TemporaryDirectory("init-bad", create: false)
        defer { bad.remove() }
        #expect(throws: StoreError.self) { try LedgerStore.initialize(directory: bad.path, origin: "has space") }
    }

    @Test func concurrentBallotsAreCommittedInGroupsWithVerifiableReceipts() async throws {
        let (directory, fixture) = try initialised("group")
        defer { directory.remove() }
        var builder = fixture
        let store = try LedgerStore(directory: directory.path)
        defer { store.close() }
        try await setUpBuilding(store, &builder, owners: 200)
        let ballots = (0..<200).map { owner in
            (builder.makeCommand("ballot.cast", ["meeting": "M1", "owner": .string("o\(owner)"), "choices": ["1": owner % 3 == 0 ? "against" : "for"]]), TestKeys.signing("o\(owner)"))
        }
        let receipts = try await withThrowingTaskGroup(of: Receipt.self) { group in
            for (command, key) in ballots {
                group.addTask { try await submit(store, command, by: key).receipt }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(receipts.count == 200)
        #expect(Set(receipts.map(\.seq)).count == 200)
        let verifier = try NoteVerifier(name: LedgerFixture.origin, publicKey: store.operatorPublicKey.bytes)
        for receipt in receipts {
            let verified = try Receipt.verify(json: receipt.json, verifier: verifier)
            #expect(verified.seq == receipt.seq)
        }
        #expect(store.ingestMetrics.largestGroup > 1)
        let live = try #require(try store.liveFigures("M1"))
        #expect(live.ballots == 200)
        #expect(live.participating == Rational(10_000))
    }

    @Test func repeatsRefusalsAndReopeningKeepEverything() async throws {
        let (directory, fixture) = try initialised("reopen")
        defer { directory.remove() }
        var builder = fixture
        var store = try LedgerStore(directory: directory.path)
        try await setUpBuilding(store, &builder, owners: 3)
        let ballot = builder.makeCommand("ballot.cast", ["meeting": "M1", "owner": "o0", "choices": ["1": "for"]])
        guard case .accepted(let first) = try await submit(store, ballot, by: TestKeys.signing("o0")) else {
            Issue.record("first submission not accepted")
            return
        }
        guard case .repeated(let again) = try await submit(store, ballot, by: TestKeys.signing("o0")) else {
            Issue.record("repeat not recognised")
            return
        }
        #expect(again.seq == first.seq)
        #expect(again.leaf == first.leaf)
        await #expect(throws: LedgerError.self) {
            _ = try await submit(store, builder.makeCommand("ballot.cast", ["meeting": "M1", "owner": "o0", "choices": ["1": "against"]]), by: TestKeys.signing("o0"))
        }
        await #expect(throws: EnvelopeError.self) { _ = try await store.submit(body: Array("{\"command\":1}".utf8)) }
        let size = store.size
        let checkpoint = store.latestCheckpoint
        store.close()

        store = try LedgerStore(directory: directory.path)
        defer { store.close() }
        #expect(store.size == size)
        #expect(store.latestCheckpoint.text == checkpoint.text)
        // The tally is rebuilt from the stored ballots: a second own ballot is still refused, a new owner counts.
        await #expect(throws: LedgerError.self) {
            _ = try await submit(store, builder.makeCommand("ballot.cast", ["meeting": "M1", "owner": "o0", "choices": ["1": "against"]]), by: TestKeys.signing("o0"))
        }
        _ = try await submit(store, builder.makeCommand("ballot.cast", ["meeting": "M1", "owner": "o1", "choices": ["1": "against"]]), by: TestKeys.signing("o1"))
        #expect(try store.liveFigures("M1")?.ballots == 2)
        #expect(try store.consistencyProof(from: size, to: store.size).isEmpty == false)
    }

    @Test func meetingsCloseAutomaticallyAndTheExportVerifies() async throws {
        let (directory, fixture) = try initialised("close")
        defer { directory.remove() }
        var builder = fixture
        var configuration = LedgerStore.Configuration()
        configuration.closeCheckInterval = .milliseconds(50)
        let store = try LedgerStore(directory: directory.path, configuration: configuration)
        defer { store.close() }
        try await setUpBuilding(store, &builder, owners: 4, closesIn: 1_000)
        _ = try await submit(store, builder.makeCommand("ballot.cast", ["meeting": "M1", "owner": "o0", "choices": ["1": "for"]]), by: TestKeys.signing("o0"))
        _ = try await submit(store, builder.makeCommand("ballot.cast", ["meeting": "M1", "owner": "o1", "choices": ["1": "for"]]), by: TestKeys.signing("o1"))
        _ = try await submit(store, builder.makeCommand("ballot.cast", ["meeting": "M1", "owner": "o2", "choices": ["1": "against"]]), by: TestKeys.signing("o2"))
        let deadline = ContinuousClock.now + .seconds(5)
        while try store.meeting("M1")?.closedSeq == nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let meeting = try #require(try store.meeting("M1"))
        let result = try #require(meeting.result)
        #expect(result["participating"] == "150")
        #expect(result["quorum"]?["reached"] == true)
        #expect(result["items"]?.arrayValue?[0]["adopted"] == true)
        let closeEntry = try store.entry(seq: try #require(meeting.closedSeq)).entry
        #expect(closeEntry.time >= meeting.spec.closesAt)
        #expect(closeEntry.time.milliseconds - meeting.spec.closesAt.milliseconds < 2_000)

        var record: [UInt8] = []
        let exported = try store.exportRecord { record += $0 }
        #expect(exported == store.size)
        var lines = record.split(separator: 0x0A).map { Array($0) }[...]
        let report = RecordVerifier().verify(nextLine: { lines.popFirst().map { ($0, true) } })
        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(report.closes == 1)
    }

    @Test func aDamagedDatabaseIsRefusedAtOpen() async throws {
        let (directory, fixture) = try initialised("corrupt")
        defer { directory.remove() }
        var builder = fixture
        let store = try LedgerStore(directory: directory.path)
        try await setUpBuilding(store, &builder, owners: 30)
        store.close()
        let database = directory.path("veche.db")
        // Fold the WAL into the main file so the damage below hits committed data.
        let original = try Data(contentsOf: URL(fileURLWithPath: database))
        #expect(original.count > 8192)

        // Truncated file.
        let truncated = try TemporaryDirectory("truncated")
        defer { truncated.remove() }
        for name in ["operator.key"] { try FileManager.default.copyItem(atPath: directory.path(name), toPath: truncated.path(name)) }
        try original.prefix(original.count / 2).write(to: URL(fileURLWithPath: truncated.path("veche.db")))
        #expect(throws: StoreError.self) { try LedgerStore(directory: truncated.path) }

        // Garbage in the middle of the file.
        let garbled = try TemporaryDirectory("garbled")
        defer { garbled.remove() }
        try FileManager.default.copyItem(atPath: directory.path("operator.key"), toPath: garbled.path("operator.key"))
        var bytes = [UInt8](original)
        for index in stride(from: 4096, to: bytes.count, by: 97) { bytes[index] ^= 0x5A }
        try Data(bytes).write(to: URL(fileURLWithPath: garbled.path("veche.db")))
        #expect(throws: StoreError.self) { try LedgerStore(directory: garbled.path) }

        // A directory without a database.
        let empty = try TemporaryDirectory("empty")
        defer { empty.remove() }
        #expect(throws: StoreError.self) { try LedgerStore(directory: empty.path) }
    }

    @Test func aFullQueueAnswersOverloaded() async throws {
        let (directory, fixture) = try initialised("overload")
        defer { directory.remove() }
        var builder = fixture
        var configuration = LedgerStore.Configuration()
        configuration.maxPending = 2
        let store = try LedgerStore(directory: directory.path, configuration: configuration)
        defer { store.close() }
        let commands = (0..<300).map { builder.makeCommand("owner.key", ["owner": .string("x\($0)"), "key": .string(TestKeys.signing("x\($0)").publicKey.string), "action": "bind"]) }
        let envelopes = try commands.map { try SignedEnvelope.sign(command: $0, with: builder.registrar) }
        let outcomes = await withTaskGroup(of: String.self) { group in
            for envelope in envelopes {
                group.addTask {
                    do {
                        _ = try await store.submit(verified: envelope)
                        return "ok"
                    } catch let error as StoreError {
                        return error.code == .overloaded ? "overloaded" : "other"
                    } catch {
                        return "other"
                    }
                }
            }
            return await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(outcomes.contains("overloaded"))
        #expect(outcomes.contains("ok"))
        #expect(!outcomes.contains("other"))
        #expect(store.size == 1 + outcomes.filter { $0 == "ok" }.count)
    }
}
