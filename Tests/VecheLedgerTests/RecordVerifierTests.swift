import Foundation
import Testing
import VecheCore
import VecheCrypto
import VecheLedger
import VecheTestSupport

/// A realistic meeting: 310 premises, ~300 ballots with proxies and paper ballots with double marks.
private let realisticRecord: [UInt8] = {
    var parameters = SyntheticRecord.Parameters()
    parameters.premisesPerBuilding = 310
    parameters.turnoutPercent = 85
    parameters.seed = 7
    var bytes: [UInt8] = []
    _ = try! SyntheticRecord.generate(parameters) { bytes += $0 }
    return bytes
}()

private func lines(_ bytes: [UInt8]) -> [[UInt8]] {
    bytes.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().map(Array.init)
}

private func joined(_ lines: [[UInt8]]) -> [UInt8] {
    lines.flatMap { $0 + [0x0A] }
}

private func verify(_ bytes: [UInt8], key: TrustedKey? = nil, batchSize: Int = 64) -> VerificationReport {
    var remaining = bytes[...]
    return RecordVerifier(trustedKey: key, batchSize: batchSize).verify(nextLine: {
        guard !remaining.isEmpty else { return nil }
        if let newline = remaining.firstIndex(of: 0x0A) {
            let line = Array(remaining[..<newline])
            remaining = remaining[(newline + 1)...]
            return (line, true)
        }
        let line = Array(remaining)
        remaining = []
        return (line, false)
    })
}

private func entry(_ line: [UInt8]) throws -> LedgerEntry {
    try LedgerEntry(json: try CanonicalJSON.parse(line))
}

/// Rebuilds the prev chain and the checkpoint of edited entries, as a dishonest operator holding
/// the operator key could; only the commands' own signatures stay as they are.
private func rechain(_ entries: [LedgerEntry], signer: Ed25519.PrivateKey = SyntheticRecord.operatorKey()) throws -> [UInt8] {
    var out: [[UInt8]] = []
    var prev = LedgerEntry.zeroHash
    var tree = MerkleAppender()
    for (seq, old) in entries.enumerated() {
        let fixed = LedgerEntry(seq: seq, time: old.time, prev: prev, command: old.command, signer: old.signer, signature: old.signature)
        let bytes = fixed.canonicalBytes
        prev = LedgerEntry.leafHash(canonicalBytes: bytes)
        tree.append(prev)
        out.append(bytes)
    }
    let note = try Checkpoint(origin: SyntheticRecord.origin, size: tree.size, rootHash: tree.root).signed(with: signer).text
    return joined(out) + ElectionRecord.checkpointLine(note: note)
}

private func failureSeqs(_ report: VerificationReport) -> [Int] {
    report.failures.compactMap { if case .seq(let seq) = $0.location { seq } else { nil } }
}

@Suite struct RecordVerifierTests {
    @Test func aRealisticGeneratedRecordVerifies() throws {
        let report = verify(realisticRecord)
        #expect(report.failures.isEmpty, "\(report.failures.prefix(5))")
        #expect(report.meetings == 1)
        #expect(report.ballots >= 250)
        #expect(report.closes == 1)
        #expect(report.entries == lines(realisticRecord).count - 1)
        #expect(report.origin == SyntheticRecord.origin)
        // It holds proxy grants and paper ballots with double marks.
        let text = String(decoding: realisticRecord, as: UTF8.self)
        #expect(text.contains("\"type\":\"proxy.grant\""))
        #expect(text.contains("[\"for\",\"against\"]"))
        // Batch boundaries do not matter.
        #expect(verify(realisticRecord, batchSize: 1).failures.isEmpty)
        #expect(verify(realisticRecord, batchSize: 100_000).failures.isEmpty)
    }

    @Test func trustedKeyMustBeTheGenesisOperator() throws {
        let operatorKey = SyntheticRecord.operatorKey()
        let good = try TrustedKey(try NoteVerifier(name: SyntheticRecord.origin, publicKey: operatorKey.publicKey).vkey)
        #expect(verify(realisticRecord, key: good).failures.isEmpty)
        #expect(verify(realisticRecord, key: try TrustedKey(PublicKey.ed25519(operatorKey.publicKey).string)).failures.isEmpty)
        let other = try TrustedKey(PublicKey.ed25519(TestKeys.ed25519("impostor").publicKey).string)
        let report = verify(realisticRecord, key: other)
        #expect(report.failures.contains { $0.location == .record && $0.message.contains("not the trusted key") })
        #expect(report.failures.contains { $0.location == .checkpoint })
    }

    @Test func aFlippedByteInABallotNamesItsSeq() throws {
        var all = lines(realisticRecord)
        let index = try #require(all.lastIndex { String(decoding: $0, as: UTF8.self).contains("\"ballot.cast\"") })
        let target = try entry(all[index]).seq
        // Flip a byte inside the choices: still JSON, but the signature no longer verifies.
        let text = String(decoding: all[index], as: UTF8.self)
        let range = try #require(text.range(of: "\"owner\":\""))
        var bytes = all[index]
        let offset = text.utf8.distance(from: text.startIndex, to: range.upperBound)
        bytes[offset] ^= 0x01
        all[index] = bytes
        let report = verify(joined(all))
        #expect(!report.isValid)
        #expect(failureSeqs(report).contains(target), "\(report.failures)")
    }

    @Test func everySingleByteFlipOfAnEntryIsCaught() throws {
        var fixture = try LedgerFixture()
        try fixture.register(premises: [LedgerFixture.premises("1", area: "50", stakes: [(["A"], "1")])])
        let record = try fixture.ledger.record()
        let all = lines(record)
        let target = all[1]
        for position in target.indices {
            var tampered = all
            tampered[1][position] ^= 0x04
            #expect(!verify(joined(tampered)).isValid, "flip at \(position) went unnoticed")
        }
    }

    @Test func aDeletedLineIsCaughtAtTheNextSeq() throws {
        var all = lines(realisticRecord)
        let index = all.count / 2
        let deletedSeq = try entry(all[index]).seq
        all.remove(at: index)
        let report = verify(joined(all))
        #expect(failureSeqs(report).contains(deletedSeq + 1), "\(report.failures.prefix(5))")
        #expect(report.failures.contains { $0.location == .checkpoint })
    }

    @Test func twoSwappedLinesAreCaught() throws {
        var all = lines(realisticRecord)
        let index = all.count / 2
        let first = try entry(all[index]).seq
        all.swapAt(index, index + 1)
        let report = verify(joined(all))
        #expect(failureSeqs(report).contains(first) || failureSeqs(report).contains(first + 1), "\(report.failures.prefix(5))")
        #expect(!report.isValid)
    }

    @Test func aForgedCloseResultIsCaughtEvenWhenTheOperatorResignsEverything() throws {
        let operatorKey = SyntheticRecord.operatorKey()
        var entries = try lines(realisticRecord).dropLast().map(entry)
        let closeIndex = try #require(entries.lastIndex { $0.command["type"] == "meeting.close" })
        var command = try #require(entries[closeIndex].command.objectValue)
        var result = try #require(command["result"]?.objectValue)
        var items = try #require(result["items"]?.arrayValue)
        var first = try #require(items[0].objectValue)
        first["adopted"] = .bool(!(first["adopted"]?.boolValue ?? false))
        items[0] = .object(first)
        result["items"] = .array(items)
        command["result"] = .object(result)
        let resigned = try SignedEnvelope.sign(command: .object(command), with: .ed25519(operatorKey))
        let old = entries[closeIndex]
        entries[closeIndex] = LedgerEntry(seq: old.seq, time: old.time, prev: old.prev, command: resigned.command, signer: resigned.signerString, signature: resigned.signatureString)
        let report = verify(try rechain(entries))
        #expect(failureSeqs(report) == [closeIndex], "\(report.failures)")
        #expect(report.failures.first?.message.contains("result-mismatch") == true)
    }

    @Test func anExtraBallotWithAValidSignatureAfterCloseIsCaught() throws {
        var entries = try lines(realisticRecord).dropLast().map(entry)
        // An owner's own key signs a ballot after the close; the operator chains it in.
        let owners = entries.compactMap { $0.command["type"] == "owner.key" ? $0.command["owner"]?.stringValue : nil }
        let voted = Set(entries.compactMap { ["ballot.cast", "ballot.paper"].contains($0.command["type"]?.stringValue ?? "") ? $0.command["owner"]?.stringValue : nil })
        let late = try #require(owners.first { !voted.contains($0) && !$0.hasSuffix("s") && !$0.hasSuffix("b") })
        let key = SigningKey.ed25519(try Ed25519.PrivateKey(seed: SHA256.hash(Array("veche-synthetic/\(late)".utf8))))
        let command: JSONValue = [
            "type": "ballot.cast", "id": "late-ballot-1", "ledger": .string(SyntheticRecord.origin),
            "meeting": "B1-M1", "owner": .string(late), "choices": ["1": "for"],
        ]
        let envelope = try SignedEnvelope.sign(command: command, with: key)
        let last = try #require(entries.last)
        entries.append(LedgerEntry(seq: entries.count, time: last.time, prev: [], command: command, signer: envelope.signerString, signature: envelope.signatureString))
        let report = verify(try rechain(entries))
        #expect(failureSeqs(report) == [entries.count - 1], "\(report.failures)")
        #expect(report.failures.first?.message.contains("409") == true)
    }

    @Test func aCheckpointFromAnotherKeyIsCaught() throws {
        let entries = try lines(realisticRecord).dropLast().map(entry)
        let report = verify(try rechain(entries, signer: TestKeys.ed25519("impostor")))
        #expect(report.failures.count == 1, "\(report.failures)")
        #expect(report.failures.first?.location == .checkpoint)
    }

    @Test func missingOrMisplacedCheckpointAndTruncationAreCaught() throws {
        var all = lines(realisticRecord)
        let checkpoint = all.removeLast()
        #expect(verify(joined(all)).failures.contains { $0.location == .record && $0.message.contains("no checkpoint") })
        var moved = all
        moved.insert(checkpoint, at: 3)
        #expect(verify(joined(moved)).failures.contains { $0.location == .record })
        // The last line without LF.
        let unterminated = Array(realisticRecord.dropLast())
        #expect(verify(unterminated).failures.contains { $0.location == .record && $0.message.contains("LF") })
        // Non-canonical spelling of a valid entry (extra space) is refused.
        var spaced = lines(realisticRecord)
        spaced[2] = Array(String(decoding: spaced[2], as: UTF8.self).replacingOccurrences(of: ",\"prev\"", with: ", \"prev\"").utf8)
        let report = verify(joined(spaced))
        #expect(report.failures.contains { $0.location == .seq(2) && $0.message.contains("canonical") })
    }

    @Test func aRecordReportsEveryFailureNotOnlyTheFirst() throws {
        var all = lines(realisticRecord)
        let a = all.count / 3, b = 2 * all.count / 3
        all[a][all[a].count - 3] ^= 0x01
        all[b][all[b].count - 3] ^= 0x01
        let seqs = Set(failureSeqs(verify(joined(all))))
        #expect(seqs.contains(a) && seqs.contains(b))
    }
}
