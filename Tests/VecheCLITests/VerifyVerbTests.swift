import Foundation
import Testing
import VecheCLI
import VecheCrypto
import VecheLedger
import VecheTestSupport

@Suite struct VerifyVerbTests {
    private func recordFile() throws -> (directory: URL, path: String, bytes: [UInt8]) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("veche-verify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var parameters = SyntheticRecord.Parameters()
        parameters.premisesPerBuilding = 40
        parameters.rules = .generic
        var bytes: [UInt8] = []
        _ = try SyntheticRecord.generate(parameters) { bytes += $0 }
        let path = directory.appendingPathComponent("record.jsonl").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (directory, path, bytes)
    }

    @Test func aValidRecordExitsZeroWithASummary() throws {
        let (directory, path, _) = try recordFile()
        defer { try? FileManager.default.removeItem(at: directory) }
        let capture = CapturedConsole()
        let vkey = try NoteVerifier(name: SyntheticRecord.origin, publicKey: SyntheticRecord.operatorKey().publicKey).vkey
        #expect(CLI.run(["verify", "--key", vkey, path], console: capture.console) == 0)
        #expect(capture.stdout.hasPrefix("OK: "))
        #expect(capture.stdout.contains("1 meetings"))
        let json = CapturedConsole()
        #expect(CLI.run(["verify", path, "--json"], console: json.console) == 0)
        let summary = try CanonicalJSON.parse(Array(json.stdoutBytes.dropLast()))
        #expect(summary["valid"] == true)
        #expect(summary["results_recomputed"] == 1)
    }

    @Test func aTamperedRecordExitsOneNamingTheSeq() throws {
        let (directory, path, bytes) = try recordFile()
        defer { try? FileManager.default.removeItem(at: directory) }
        var lines = bytes.split(separator: 0x0A).map(Array.init)
        let index = try #require(lines.lastIndex { String(decoding: $0, as: UTF8.self).contains("\"ballot.cast\"") })
        lines[index][lines[index].count - 5] ^= 0x02
        try Data(lines.flatMap { $0 + [0x0A] }).write(to: URL(fileURLWithPath: path))
        let capture = CapturedConsole()
        #expect(CLI.run(["verify", path], console: capture.console) == 1)
        #expect(capture.stdout.contains("seq \(index): "))
        #expect(capture.stdout.contains("FAILED"))
    }

    @Test func usageErrorsExitTwo() throws {
        let (directory, path, _) = try recordFile()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(CLI.run(["verify"], console: CapturedConsole().console) == 2)
        #expect(CLI.run(["verify", directory.appendingPathComponent("absent").path], console: CapturedConsole().console) == 2)
        #expect(CLI.run(["verify", directory.path], console: CapturedConsole().console) == 2)
        #expect(CLI.run(["verify", path, "--key", "nonsense"], console: CapturedConsole().console) == 2)
        // Another operator's key: verification failure, not usage.
        let other = PublicKey.ed25519(TestKeys.ed25519("impostor").publicKey).string
        let capture = CapturedConsole()
        #expect(CLI.run(["verify", path, "--key", other], console: capture.console) == 1)
        #expect(capture.stdout.contains("record: "))
    }
}
