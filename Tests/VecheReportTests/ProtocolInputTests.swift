import Testing
import VecheCore
import VecheCrypto
import VecheLedger
import VecheReport
import VecheTestSupport

/// The entry with its command replaced and its leaf recomputed, as a dishonest store could hand over.
private func rewritten(_ item: (entry: LedgerEntry, leaf: [UInt8]), command: JSONValue) -> (entry: LedgerEntry, leaf: [UInt8]) {
    let entry = LedgerEntry(seq: item.entry.seq, time: item.entry.time, prev: item.entry.prev, command: command,
                            signer: item.entry.signer, signature: item.entry.signature)
    return (entry, LedgerEntry.leafHash(canonicalBytes: entry.canonicalBytes))
}

private func type(_ item: (entry: LedgerEntry, leaf: [UInt8])) -> String {
    item.entry.command["type"]?.stringValue ?? ""
}

@Suite struct ProtocolInputTests {
    @Test func aCloseResultTheBallotsDoNotReproduceIsRefused() throws {
        let scenario = try standardScenario()
        var entries = scenario.entries
        let index = try #require(entries.lastIndex { type($0) == "meeting.close" })
        guard case .object(var command) = entries[index].entry.command, case .object(var result) = command["result"] else {
            Issue.record("no close result")
            return
        }
        result["participating"] = "13512/60"
        command["result"] = .object(result)
        entries[index] = rewritten(entries[index], command: .object(command))
        let error = protocolError { _ = try ProtocolInput(meeting: "M1", entries: entries, checkpoint: scenario.checkpoint) }
        #expect(error?.code == .resultMismatch)
        #expect(error?.seq == entries[index].entry.seq)
        #expect(error?.message.contains("result.participating is \"13512/60\", the count gives \"13511/60\"") == true)
    }

    @Test func aMissingBallotMakesTheRecountDifferFromTheClose() throws {
        let scenario = try standardScenario()
        // Drop D's own ballot: D's earlier proxy ballot would then count, which the close does not say.
        let entries = scenario.entries.filter { !(type($0) == "ballot.cast" && $0.entry.command["owner"] == "D" && $0.entry.signer == keyD.publicKey.string) }
        #expect(entries.count == scenario.entries.count - 1)
        let error = protocolError { _ = try ProtocolInput(meeting: "M1", entries: entries, checkpoint: scenario.checkpoint) }
        #expect(error?.code == .resultMismatch)
    }

    @Test func anAddedAdoptionIsRefused() throws {
        let scenario = try standardScenario()
        var entries = scenario.entries
        let index = try #require(entries.lastIndex { type($0) == "meeting.close" })
        guard case .object(var command) = entries[index].entry.command, case .object(var result) = command["result"],
              case .array(var items) = result["items"], case .object(var item) = items[3] else {
            Issue.record("no close result")
            return
        }
        item["adopted"] = true
        items[3] = .object(item)
        result["items"] = .array(items)
        command["result"] = .object(result)
        entries[index] = rewritten(entries[index], command: .object(command))
        let error = protocolError { _ = try ProtocolInput(meeting: "M1", entries: entries, checkpoint: scenario.checkpoint) }
        #expect(error?.code == .resultMismatch)
        #expect(error?.message.contains("result.items[3].adopted") == true)
    }

    @Test func aLeafThatIsNotTheEntrysHashIsRefused() throws {
        let scenario = try standardScenario()
        var entries = scenario.entries
        let index = try #require(entries.firstIndex { type($0) == "ballot.paper" })
        entries[index].leaf[0] ^= 1
        let error = protocolError { _ = try ProtocolInput(meeting: "M1", entries: entries, checkpoint: scenario.checkpoint) }
        #expect(error?.code == .inconsistentEntries)
        #expect(error?.seq == entries[index].entry.seq)
    }

    @Test func aTamperedBallotIsRefusedEvenWithARecomputedLeaf() throws {
        let scenario = try standardScenario()
        var entries = scenario.entries
        let index = try #require(entries.firstIndex { type($0) == "ballot.cast" && $0.entry.command["owner"] == "B" })
        guard case .object(var command) = entries[index].entry.command else { return }
        command["choices"] = ["1": "for", "3": "for", "4": "for"]
        entries[index] = rewritten(entries[index], command: .object(command))
        let error = protocolError { _ = try ProtocolInput(meeting: "M1", entries: entries, checkpoint: scenario.checkpoint) }
        #expect(error?.code == .resultMismatch)
    }

    @Test func aCheckpointThatDoesNotCoverTheCloseIsRefused() throws {
        let scenario = try standardScenario()
        let early = try #require(scenario.checkpointBeforeClose)
        let error = protocolError { _ = try ProtocolInput(meeting: "M1", entries: scenario.entries, checkpoint: early) }
        #expect(error?.code == .badCheckpoint)
        // The same checkpoint is fine for the entries it covers: a preliminary protocol.
        let covered = Array(scenario.entries.prefix { type($0) != "meeting.close" })
        let input = try ProtocolInput(meeting: "M1", entries: covered, checkpoint: early)
        #expect(input.status == .preliminary)
    }

    @Test func aCheckpointOfAnotherLedgerOrNotParsingIsRefused() throws {
        let scenario = try standardScenario()
        let foreign = try Checkpoint(origin: "other.example.ru/1", size: 100, rootHash: [UInt8](repeating: 7, count: 32))
            .signed(with: TestKeys.ed25519("other")).text
        #expect(protocolError { _ = try ProtocolInput(meeting: "M1", entries: scenario.entries, checkpoint: foreign) }?.code == .badCheckpoint)
        #expect(protocolError { _ = try ProtocolInput(meeting: "M1", entries: scenario.entries, checkpoint: "not a note") }?.code == .badCheckpoint)
    }

    @Test func entriesOutOfOrderAreRefused() throws {
        let scenario = try standardScenario()
        var entries = scenario.entries
        entries.swapAt(11, 12)
        #expect(protocolError { _ = try ProtocolInput(meeting: "M1", entries: entries, checkpoint: scenario.checkpoint) }?.code == .inconsistentEntries)
        var repeated = scenario.entries
        repeated.insert(repeated[5], at: 6)
        #expect(protocolError { _ = try ProtocolInput(meeting: "M1", entries: repeated, checkpoint: scenario.checkpoint) }?.code == .inconsistentEntries)
    }

    @Test func anUnknownMeetingIsNotFound() throws {
        let scenario = try standardScenario()
        let error = protocolError { _ = try ProtocolInput(meeting: "M2", entries: scenario.entries, checkpoint: scenario.checkpoint) }
        #expect(error?.code == .meetingNotFound)
    }

    @Test func withoutKeyBindingsOwnAndProxyBallotsCannotBeToldApart() throws {
        let scenario = try standardScenario()
        let entries = scenario.entries.filter { type($0) != "owner.key" }
        let error = protocolError { _ = try ProtocolInput(meeting: "M1", entries: entries, checkpoint: scenario.checkpoint) }
        #expect(error?.code == .inconsistentEntries)
        #expect(error?.message.contains("owner.key") == true)
    }

    @Test func onlyTheMeetingsEntriesAndKeyBindingsAreNeeded() throws {
        let scenario = try standardScenario()
        let needed: Set<String> = ["building.register", "building.administrator", "owner.key", "meeting.create", "proxy.grant",
                                   "ballot.cast", "ballot.paper", "meeting.close"]
        let extract = scenario.entries.filter { needed.contains(type($0)) }
        #expect(extract.count < scenario.entries.count)
        let input = try ProtocolInput(meeting: "M1", entries: extract, checkpoint: scenario.checkpoint)
        #expect(ProtocolRenderer.json(input) == ProtocolRenderer.json(try scenario.input()))
    }

    @Test func theFrozenRegisterIsTheOneBeforeTheCreate() throws {
        var scenario = try standardScenario(close: false)
        // A new register after the create (more area) must not move this meeting's denominator.
        try scenario.fixture.register(premises: standardPremises() + [LedgerFixture.premises("4", area: "1000", stakes: [(["F"], "1")])])
        let administrator = TestKeys.signing("administrator-2")
        try scenario.fixture.setAdministrator(keys: [administrator])
        let input = try scenario.input()
        #expect(input.register.totalArea == Rational(BigInt(5111), BigInt(20)))
        #expect(input.registerEntry.seq == 1)
        // The administrator shown is the latest one (no close yet).
        #expect(input.administrator?.entry.seq == scenario.ledger.size - 1)
    }

    @Test func anotherMeetingsEntriesAreIgnored() throws {
        var scenario = try standardScenario(close: false)
        let opens = scenario.fixture.now
        try scenario.fixture.createMeeting(scenario.fixture.meetingFields(
            meeting: "M2", opensAt: opens, closesAt: Timestamp(milliseconds: opens.milliseconds + LedgerFixture.day)))
        scenario.fixture.advance(milliseconds: 1000)
        try scenario.fixture.cast(meeting: "M2", owner: "E", ["1": "against"], by: keyE)
        let first = try scenario.input("M1")
        let second = try scenario.input("M2")
        #expect(first.ballots.count == 5)
        #expect(second.ballots.map(\.owner) == ["E"])
        #expect(second.result?.participating == Rational(BigInt(911), BigInt(30)))
    }

    @Test func aRecordWithoutItsCheckpointLineIsRefused() throws {
        let scenario = try standardScenario()
        let record = try scenario.ledger.record()
        let (entries, note) = try ProtocolInput.readRecord(record)
        #expect(entries.count == scenario.ledger.size)
        #expect(note == scenario.checkpoint)
        #expect(entries.map(\.leaf) == scenario.entries.map(\.leaf))
        let lines = record.split(separator: 0x0A)
        let withoutCheckpoint: [UInt8] = lines.dropLast().flatMap { Array($0) + [UInt8(0x0A)] }
        #expect(protocolError { _ = try ProtocolInput.readRecord(withoutCheckpoint) }?.code == .badCheckpoint)
        #expect(protocolError { _ = try ProtocolInput.readRecord(Array(record.dropLast())) }?.code == .inconsistentEntries)
    }
}
