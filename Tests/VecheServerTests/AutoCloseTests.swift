import Foundation
import Testing
import VecheCore
import VecheHTTP
import VecheLedger
import VecheStore
import VecheTestSupport

/// WIRE.md: the automatic `meeting.close` is appended within 2 s after closes_at.
@Suite struct AutoCloseTests {
    /// Command ids are chosen by clients, and the close's preferred id can be computed from
    /// the meeting id; a client that takes it first must not keep the meeting open forever.
    @Test func aClientCannotBlockTheAutomaticCloseByTakingItsCommandID() async throws {
        try await withLiveServer("close-id") { live in
            let client = live.client()
            var commands = try Commands()
            try await accept(client, commands.register(premises: ResponseShapeTests.premises), by: commands.registrar)
            try await accept(client, commands.bind("o1", ownerKey("o1")), by: commands.registrar)
            let create = commands.meeting(closesIn: 3_000)
            try await accept(client, create, by: commands.registrar)
            let closesAt = try Timestamp.parse(try #require(create["closes_at"]?.stringValue))
            let squatter = RefusalWorld.with(commands.cast(owner: "o1", ["1": "for"]), "id", .string(AutoClose.commandID(meeting: "M1")))
            try await accept(client, squatter, by: ownerKey("o1"))

            let closed = try await eventually(timeout: .seconds(10)) { try await client.get("/v1/meetings/M1/result").status == .ok }
            #expect(closed, "the meeting never closed")
            let record = try #require(try live.store.meeting("M1"))
            let entry = try live.store.entry(seq: try #require(record.closedSeq)).entry
            #expect(entry.command["type"] == "meeting.close")
            #expect(entry.command["id"] != .string(AutoClose.commandID(meeting: "M1")))
            #expect(entry.time.milliseconds - closesAt.milliseconds <= 2_000)
            #expect(try await client.get("/v1/meetings/M1/result").json()["ballots"] == 1)
            // The auditor accepts a close under any fresh id.
            let served = try await client.get("/v1/meetings/M1/record")
            var lines = served.body.split(separator: 0x0A).map { Array($0) }[...]
            let report = RecordVerifier(trustedKey: try TrustedKey(live.initialized.vkey)).verify(nextLine: { lines.popFirst().map { ($0, true) } })
            #expect(report.failures.isEmpty, "\(report.failures)")
            #expect(report.closes == 1)
        }
    }
}
