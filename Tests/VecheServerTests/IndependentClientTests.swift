import Foundation
import Glibc
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
///
/// With posix_spawn rather than Foundation's Process, which crashes when several tests
/// launch children at once on Linux.
func runProcess(_ executable: String, _ arguments: [String]) async throws -> ProcessOutcome {
    try await offPool {
        var output: [Int32] = [-1, -1]
        var errors: [Int32] = [-1, -1]
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        // Pipes and spawn under one lock, so no concurrently spawned child inherits another's pipe ends.
        let spawned: Int32 = spawnLock.withLock { _ in
            guard pipe(&output) == 0 else { return errno }
            guard pipe(&errors) == 0 else {
                close(output[0]); close(output[1])
                return errno
            }
            for descriptor in output + errors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_adddup2(&actions, output[1], 1)
            posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
            let result = posix_spawn(&pid, executable, &actions, nil, argv, environ)
            close(output[1])
            close(errors[1])
            if result != 0 { close(output[0]); close(errors[0]) }
            return result
        }
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .ENOENT) }
        // Read both pipes to their ends (stderr on its own thread) so a chatty child never blocks.
        let errorData = DataBox()
        let errorDone = DispatchSemaphore(value: 0)
        let errorDescriptor = errors[0]
        Thread {
            let data = readToEnd(errorDescriptor)
            errorData.data.withLock { $0 = data }
            errorDone.signal()
        }.start()
        let outputData = readToEnd(output[0])
        errorDone.wait()
        close(output[0])
        close(errors[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS by hand; a signal death reads as 128 + the signal.
        let code = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return ProcessOutcome(
            status: code, stdout: String(decoding: outputData, as: UTF8.self),
            stderr: String(decoding: errorData.data.withLock { $0 }, as: UTF8.self))
    }
}

/// The Python client of `Tests/IndependentClient/client.py`, written from WIRE.md alone, run
/// against a real server. It needs `/usr/bin/python3` and the `cryptography` package; when
/// they are missing the test fails (CI installs them), it never skips.
@Suite(.serialized) struct IndependentClientTests {
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

    func runClient(_ live: LiveServer, votingSeconds: Int = 6) async throws -> ProcessOutcome {
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
            let outcome = try await runClient(live, votingSeconds: 4)
            #expect(outcome.status == 1)
            #expect(outcome.stderr.contains("differs from the expected"), "\(outcome.stderr)")
        }
    }
}

/// Serialises creating pipes and spawning children.
let spawnLock = Mutex(())

/// Reads a descriptor to EOF, retrying reads a signal interrupted (other suites send
/// SIGINT and SIGTERM to this process; Foundation's readDataToEndOfFile traps on EINTR).
func readToEnd(_ descriptor: Int32) -> Data {
    var data = Data()
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count > 0 {
            data.append(contentsOf: buffer[0..<count])
        } else if count < 0 && errno == EINTR {
            continue
        } else {
            return data
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
