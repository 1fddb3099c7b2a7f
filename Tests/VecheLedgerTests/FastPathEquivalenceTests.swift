import Testing
import VecheCore
import VecheCrypto
import VecheLedger
import VecheTestSupport

/// The shortcuts taken for speed (entries, envelopes and receipts assembled from bytes
/// already canonical; escape-free strings parsed and written in one copy; keys compared by
/// bytes) give exactly what the general code gives.
struct FastPathEquivalenceTests {
    /// A string that needs escapes, or none, or holds characters above U+FFFF.
    static func awkward(_ factory: inout JSONDocumentFactory) -> String {
        factory.string() + ["", "\"", "\\", "\n", "\u{1}", "é", "\u{1F600}", "\u{FFFD}"][Int.random(in: 0..<8, using: &factory.random)]
    }

    @Test(arguments: [7, 8, 9] as [UInt64])
    func assembledEntryBytesAreTheSerialisedEntry(seed: UInt64) throws {
        var factory = JSONDocumentFactory(random: JSONSeededGenerator(seed: seed))
        for _ in 0..<300 {
            let command = factory.value(depth: 1)
            guard case .object = command else { continue }
            let entry = LedgerEntry(
                seq: Int.random(in: 0...Int(JSONValue.maxSafeInteger), using: &factory.random),
                time: Timestamp(milliseconds: Int64.random(in: 0...4_102_444_800_000, using: &factory.random)),
                prev: (0..<32).map { _ in UInt8.random(in: 0...255, using: &factory.random) },
                command: command, signer: Self.awkward(&factory), signature: Self.awkward(&factory))
            #expect(entry.canonicalBytes == CanonicalJSON.serialize(entry.json))
        }
    }

    @Test func envelopesKeepTheirCanonicalFormsThroughParsing() throws {
        var factory = JSONDocumentFactory(random: JSONSeededGenerator(seed: 11))
        let key = TestKeys.signing("fast-path")
        var checked = 0
        while checked < 100 {
            let command = factory.value(depth: 1)
            guard case .object = command else { continue }
            checked += 1
            let envelope = try SignedEnvelope.sign(command: command, with: key)
            #expect(envelope.canonicalBytes == CanonicalJSON.serialize(envelope.json))
            #expect(envelope.canonicalCommand == CanonicalJSON.serialize(command))
            let parsed = try SignedEnvelope.parse(body: envelope.canonicalBytes)
            // Equal includes the derived JCS(command), signer and signature strings.
            #expect(parsed == envelope)
            #expect(parsed == SignedEnvelope(command: command, signer: key.publicKey, signature: envelope.signature))
        }
    }

    @Test func receiptBytesAreTheSerialisedReceipt() throws {
        var fixture = try LedgerFixture()
        fixture.advance(milliseconds: 1)
        try fixture.register(premises: (1...5).map { LedgerFixture.premises(String($0), area: "40.5", stakes: [(["o\($0)"], "1")]) })
        for seq in 0..<fixture.ledger.size {
            let receipt = try fixture.ledger.receipt(seq: seq)
            #expect(receipt.canonicalBytes == CanonicalJSON.serialize(receipt.json))
            let withBytes = Receipt(seq: receipt.seq, leaf: receipt.leaf, entry: receipt.entry, entryBytes: receipt.entry.canonicalBytes, proof: receipt.proof)
            #expect(withBytes.canonicalBytes == receipt.canonicalBytes)
        }
    }

    @Test(arguments: [21, 22] as [UInt64])
    func memberOrderIsUTF16OrderForEveryKindOfKey(seed: UInt64) {
        var factory = JSONDocumentFactory(random: JSONSeededGenerator(seed: seed))
        for _ in 0..<200 {
            var members: [String: JSONValue] = [:]
            for _ in 0..<8 { members[Self.awkward(&factory)] = .bool(true) }
            let expected = members.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
            #expect(CanonicalJSON.sortedMembers(members).map(\.key) == expected)
        }
    }

    @Test func stringLimitsAndErrorsAreTheSameWithOrWithoutEscapes() {
        let limits = JSONLimits(maxStringBytes: 4)
        func kind(_ text: String) -> (JSONParseError.Kind, Int)? {
            do {
                _ = try CanonicalJSON.parse(Array(text.utf8), limits: limits)
                return nil
            } catch {
                return (error.kind, error.offset)
            }
        }
        #expect(kind(#"["abcd"]"#) == nil)
        #expect(kind(#"["ab\u0063d"]"#) == nil)
        #expect(kind(#"["abcde"]"#)! == (.stringTooLong, 1))
        #expect(kind(#"["abc\u0064e"]"#)! == (.stringTooLong, 1))
        // Too long is found before bad bytes beyond the limit, as the general path always did.
        #expect(kind("[\"abcde\u{1}\"]")! == (.stringTooLong, 1))
        #expect(kind("[\"ab\u{1}\"]")! == (.controlCharacter, 4))
        #expect(kind(#"["abc"#)! == (.unexpectedEnd, 1))
        var invalid = Array(#"["ab"#.utf8)
        invalid += [0xC0, 0x80, 0x22, 0x5D]
        do {
            _ = try CanonicalJSON.parse(invalid, limits: limits)
            Issue.record("an overlong sequence parsed")
        } catch {
            #expect(error.kind == .invalidUTF8)
            #expect(error.offset == 4)
        }
    }
}
