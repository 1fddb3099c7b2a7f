import Foundation
import Synchronization
import Testing
import VecheHTTP

/// The built `veche` executable and child processes running it.
///
/// SwiftPM builds `veche` because this test target depends on it, and puts it in the same
/// build directory as the test bundle.
enum VecheBinary {
    /// Where `veche` is, or a failure that says where it looked.
    static func url() throws -> URL {
        let bundle = Bundle.main.bundleURL
        let argument = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let candidates = [
            argument.deletingLastPathComponent(),
            bundle,
            bundle.deletingLastPathComponent(),
        ].map { $0.appendingPathComponent("veche") }
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate
        }
        throw CrashTestFailure(
            "the veche executable is not built next to the tests; looked at \(candidates.map(\.path).joined(separator: ", ")). Run swift build first.")
    }

    /// Runs `veche arguments` to completion (at most `timeout`) and returns its exit status and output.
    static func run(_ arguments: [String], timeout: Duration = .seconds(60)) throws -> (status: Int32, stdout: String, stderr: String) {
        let child = try VecheChild(arguments)
        guard child.wait(timeout: timeout) else {
            child.kill()
            throw CrashTestFailure("veche \(arguments.joined(separator: " ")) did not finish within \(timeout)")
        }
        return (child.status, child.stdout, child.stderr)
    }
}

/// A test failure with a message.
struct CrashTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One `veche` child process; its output goes to files so nothing blocks on a full pipe.
final class VecheChild: @unchecked Sendable {
    // @unchecked: `Process` is not Sendable; this wrapper only calls its thread-safe
    // members (processIdentifier, isRunning, terminationStatus) after `run()`.
    private let process = Process()
    private let outputDirectory: URL
    let arguments: [String]

    init(_ arguments: [String]) throws {
        self.arguments = arguments
        outputDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("veche-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
        let out = outputDirectory.appendingPathComponent("stdout")
        let err = outputDirectory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.executableURL = try VecheBinary.url()
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning { kill() }
        try? FileManager.default.removeItem(at: outputDirectory)
    }

    var pid: Int32 { process.processIdentifier }

    /// Standard output so far.
    var stdout: String { (try? String(contentsOf: outputDirectory.appendingPathComponent("stdout"), encoding: .utf8)) ?? "" }

    /// Standard error so far.
    var stderr: String { (try? String(contentsOf: outputDirectory.appendingPathComponent("stderr"), encoding: .utf8)) ?? "" }

    /// Whether it has exited.
    var hasExited: Bool { !process.isRunning }

    /// The exit status (after it exited).
    var status: Int32 { process.terminationStatus }

    /// Whether it was killed by a signal rather than exiting.
    var wasSignalled: Bool { process.terminationReason == .uncaughtSignal }

    /// Waits until it exits; false if it is still running at `timeout`.
    func wait(timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline { return false }
            usleep(5_000)
        }
        return true
    }

    /// SIGKILL, then reaps it.
    func kill() {
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Sends `signal` without waiting.
    func signal(_ signal: Int32) {
        Glibc.kill(process.processIdentifier, signal)
    }

    /// Polls standard output for `listening on http://HOST:PORT` and returns the URL; nil if
    /// the process exits first or `timeout` passes.
    func listeningURL(timeout: Duration) -> HTTPURL? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            for line in stdout.split(separator: "\n") where line.hasPrefix("listening on ") {
                return try? HTTPURL(String(line.dropFirst("listening on ".count)))
            }
            if hasExited { return nil }
            usleep(5_000)
        }
        return nil
    }
}

/// Runs blocking work on its own thread so it does not hold one of the few threads of the
/// cooperative pool (the machine may have two cores) for the whole test.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try body() })
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
