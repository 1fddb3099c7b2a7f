import Foundation
import Synchronization
import Testing
import VecheHTTP
import VecheLedger
import VecheStore
import VecheTestSupport

/// What a finished child process left behind.
struct ProcessOutcome: Sendable {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs `executable` with `arguments` to its end, off the cooperative pool.
func runProcess(_ executable: String, _ arguments: [String]) async throws -> ProcessOutcome {
    try await offPool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes to their ends (on two threads) so a chatty child never blocks.
        let errorData = DataBox()
        let errorDone = DispatchSemaphore(value: 0)
        let errorHandle = err.fileHandleForReading
        Thread {
            let data = errorHandle.readDataToEndOfFile()
            errorData.data.withLock { $0 = data }
            errorDone.signal()
        }.start()
        let outputData = out.fileHandleForReading.readDataToEndOfFile()
        errorDone.wait()
        process.waitUntilExit()
        return ProcessOutcome(
            status: process.terminationStatus, stdout: String(decoding: outputData, as: UTF8.self),
            stderr: String(decoding: errorData.data.withLock { $0 }, as: UTF8.self))
    }
}

/// The Python client of `Tests/IndependentClient/client.py`, written from WIRE.md alone, run
/// against a real server. It needs `/usr/bin/python3` and the `cryptography` package; when
/// they are missing the test fails (CI installs them), it never skips.
@Suite struct IndependentClientTests {
    static let python = "/usr/bin/python3"
    static let script = Vectors.repositoryRoot.appendingPathComponent("Tests/IndependentClient/client.py").path

    /// Records an issue naming the Debian packages when Python or `cryptography` is missing.
    static func requirePython() async throws -> Bool {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            Issue.record("\(python) is missing: install it with `apt-get install python3 python3-cryptography`")
            return false
        }
        let probe = try await runProcess(python, ["-c", "import cryptography"])
        guard probe.status == 0 else {
            Issue.record("the Python package 'cryptography' is missing: install it with `apt-get install python3-cryptography` (\(probe.stderr))")
            return false
        }
        return true
    }

    func runClient(_ live: LiveServer, votingSeconds: Int = 4) async throws -> ProcessOutcome {
        try await runProcess(Self.python, [
            Self.script, "--server", live.url, "--registrar-key", live.directory.path(LedgerStore.Files.registrarKey),
            "--vkey", live.initialized.vkey, "--voting-seconds", String(votingSeconds),
        ])
    }

    @Test func anIndependentClientRegistersVotesAndVerifiesEverything() async throws {
        guard try await Self.requirePython() else { return }
        try await withLiveServer("python", registrars: []) { live in
            let outcome = try await runClient(live)
            #expect(outcome.status == 0, "client failed:\n\(outcome.stdout)\n\(outcome.stderr)")
            #expect(outcome.stdout.contains("client: everything verified"))
            // What it did is in the ledger: genesis, 11 commands, one automatic close.
            #expect(live.store.size == 13, "\(live.store.size)")
            let report = try await offPool { [live] in
                var record: [UInt8] = []
                _ = try live.store.exportRecord { record += $0 }
                var lines = record.split(separator: 0x0A).map { Array($0) }[...]
                return RecordVerifier(trustedKey: try TrustedKey(live.initialized.vkey)).verify(nextLine: { lines.popFirst().map { ($0, true) } })
            }
            #expect(report.failures.isEmpty, "\(report.failures)")
            #expect(report.closes == 1)
        }
    }

    /// Without `cryptography` (here: Python without site packages) the client names the Debian package.
    @Test func theClientNamesTheMissingPackage() async throws {
        guard try await Self.requirePython() else { return }
        let outcome = try await runProcess(Self.python, ["-S", Self.script, "--server", "http://127.0.0.1:1", "--registrar-key", "/nonexistent"])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("apt-get install python3-cryptography"), "\(outcome.stderr)")
    }

    /// The client really verifies: a server that forges a checkpoint signature is caught.
    @Test func theClientRejectsAForgedCheckpointSignature() async throws {
        guard try await Self.requirePython() else { return }
        try await withLiveServer("python-forged", registrars: [], responseFilter: { request, response in
            guard request.path == "/v1/checkpoint" else { return response }
            var text = Array(response.body)
            // The signature's base64 starts after the last space; change one character in its middle.
            guard let space = text.lastIndex(of: 0x20) else { return response }
            let index = space + 20
            text[index] = text[index] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            var forged = response
            forged.body = text
            return forged
        }) { live in
            let outcome = try await runClient(live)
            #expect(outcome.status == 1)
            #expect(outcome.stderr.contains("client: FAILED"), "\(outcome.stderr)")
            #expect(outcome.stderr.contains("checkpoint") || outcome.stderr.contains("signature"), "\(outcome.stderr)")
        }
    }

    /// …and a receipt whose inclusion path does not lead to the checkpoint root.
    @Test func theClientRejectsAReceiptWithAWrongInclusionPath() async throws {
        guard try await Self.requirePython() else { return }
        try await withLiveServer("python-path", registrars: [], responseFilter: { request, response in
            guard request.path == "/v1/commands", response.status.code == 201,
                case .object(var receipt)? = try? CanonicalJSON.parse(response.body),
                let proof = receipt["proof"]?.stringValue
            else { return response }
            var lines = proof.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            // Line 2 is the first path hash: replace it with the hash of nothing.
            lines[2] = Data(SHA256Digest.empty).base64EncodedString()
            receipt["proof"] = .string(lines.joined(separator: "\n"))
            var forged = response
            forged.body = CanonicalJSON.serialize(.object(receipt))
            return forged
        }) { live in
            let outcome = try await runClient(live)
            #expect(outcome.status == 1)
            #expect(outcome.stderr.contains("inclusion path does not lead to the checkpoint root"), "\(outcome.stderr)")
        }
    }

    /// …and a result that is not the one its ballots give.
    @Test func theClientRejectsAWrongResult() async throws {
        guard try await Self.requirePython() else { return }
        try await withLiveServer("python-result", registrars: [], responseFilter: { request, response in
            guard request.path.hasSuffix("/result"), response.status == .ok,
                case .object(var result)? = try? CanonicalJSON.parse(response.body)
            else { return response }
            result["participating"] = "111"
            var forged = response
            forged.body = CanonicalJSON.serialize(.object(result))
            return forged
        }) { live in
            let outcome = try await runClient(live, votingSeconds: 2)
            #expect(outcome.status == 1)
            #expect(outcome.stderr.contains("differs from the expected"), "\(outcome.stderr)")
        }
    }
}

/// Bytes handed from a reader thread.
final class DataBox: Sendable {
    let data = Mutex(Data())
}

/// SHA-256 of the empty string, as a byte array (a hash that is on no path).
enum SHA256Digest {
    static let empty: [UInt8] = Array(Merkle.emptyRoot)
}
