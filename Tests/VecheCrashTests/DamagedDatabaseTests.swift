import Foundation
import Testing
import VecheCrypto
import VecheHTTP
import VecheLedger
import VecheTestSupport

/// A damaged database makes `veche serve` refuse to start with a clear message (issue #5
/// item 5): it never serves what it cannot vouch for.
@Suite(.serialized) struct DamagedDatabaseTests {
    enum Damage: String, CaseIterable, Sendable {
        case truncatedToHalf
        case truncatedToOnePage
        case garbledFromSecondPage
        case garbledHeader
    }

    /// A data directory with some entries, stopped gracefully so the database file holds them all.
    static func populatedDirectory() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory("damaged-source", create: false)
        let registrar = TestKeys.signing("registrar")
        let created = try VecheBinary.run(["init", directory.path, "--origin", LedgerFixture.origin, "--registrar", registrar.publicKey.string])
        guard created.status == 0 else { throw CrashTestFailure("veche init failed: \(created.stderr)") }
        let server = try VecheChild(["serve", directory.path, "--listen", "127.0.0.1:0", "--no-access-log"])
        guard let url = server.listeningURL(timeout: .seconds(30)) else { throw CrashTestFailure("veche serve did not start: \(server.stderr)") }
        let client = HTTPClient(url: url)
        for index in 0..<60 {
            let command: JSONValue = [
                "type": "owner.key", "id": .string("damage-\(index)-key"), "ledger": .string(LedgerFixture.origin),
                "owner": .string("owner-\(index)"), "key": .string(TestKeys.signing("damage-\(index)").publicKey.string), "action": "bind",
            ]
            let response = try client.post("/v1/commands", body: try SignedEnvelope.sign(command: command, with: registrar).canonicalBytes)
            guard response.status.code == 201 else { throw CrashTestFailure("set-up refused: \(response.status.code)") }
        }
        client.close()
        server.signal(SIGTERM)
        guard server.wait(timeout: .seconds(20)), server.status == 0 else { throw CrashTestFailure("veche serve did not stop cleanly: \(server.stderr)") }
        return directory
    }

    @Test func aDamagedDatabaseFileMakesServeExitWithAClearMessage() async throws {
        // Expectations are collected on the worker thread and checked here, in the test's own task.
        let failures = try await onThread { () throws -> [String] in
            var failures: [String] = []
            func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
                if !condition { failures.append(message()) }
            }
            let source = try Self.populatedDirectory()
            defer { source.remove() }
            let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: source.path("veche.db"))))
            expect(original.count > 16_384, "the populated database should span several pages")
            // The undamaged copy serves: the failures below come from the damage alone.
            for damage in [nil] + Damage.allCases.map(Optional.some) {
                let copy = try TemporaryDirectory("damaged-\(damage?.rawValue ?? "intact")")
                defer { copy.remove() }
                try FileManager.default.copyItem(atPath: source.path("operator.key"), toPath: copy.path("operator.key"))
                var bytes = original
                switch damage {
                case nil: break
                case .truncatedToHalf: bytes = Array(bytes.prefix(bytes.count / 2))
                case .truncatedToOnePage: bytes = Array(bytes.prefix(4096))
                case .garbledFromSecondPage:
                    for index in stride(from: 4096, to: bytes.count, by: 97) { bytes[index] ^= 0x5A }
                case .garbledHeader:
                    for index in 0..<100 { bytes[index] ^= 0xA5 }
                }
                try Data(bytes).write(to: URL(fileURLWithPath: copy.path("veche.db")))
                let server = try VecheChild(["serve", copy.path, "--listen", "127.0.0.1:0", "--no-access-log"])
                guard let damage else {
                    expect(server.listeningURL(timeout: .seconds(30)) != nil, "the intact copy does not serve: \(server.stderr)")
                    server.signal(SIGTERM)
                    expect(server.wait(timeout: .seconds(20)), "the intact copy does not stop on SIGTERM")
                    continue
                }
                let exited = server.wait(timeout: .seconds(30))
                if !exited { server.kill() }
                expect(exited, "\(damage): veche serve kept running on a damaged database")
                expect(!server.wasSignalled && server.status != 0, "\(damage): veche serve exited \(server.status)")
                expect(!server.stdout.contains("listening on"), "\(damage): veche serve started serving a damaged database")
                let message = server.stderr.lowercased()
                expect(message.contains(copy.path("veche.db").lowercased()), "\(damage): the message does not name the database file: \(server.stderr)")
                expect(
                    ["malformed", "damaged", "not a database"].contains { message.contains($0) },
                    "\(damage): the message does not say the database is damaged: \(server.stderr)")
            }
            return failures
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}
