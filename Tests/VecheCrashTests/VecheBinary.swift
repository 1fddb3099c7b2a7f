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
///
/// Spawned with `posix_spawn` and an empty signal mask: threads of the test process block
/// most signals, a child would inherit that mask, and a `veche` that waits for its own
/// child (`bench` running `openssl speed`) would then never hear SIGCHLD.
final class VecheChild: Sendable {
    let pid: pid_t
    private let outputDirectory: URL
    private let exitStatus = Mutex<Int32?>(nil)
    let arguments: [String]

    init(_ arguments: [String]) throws {
        self.arguments = arguments
        outputDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("veche-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
        let executable = try VecheBinary.url().path
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputDirectory.appendingPathComponent("stdout").path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, outputDirectory.appendingPathComponent("stderr").path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var child: pid_t = 0
        let code = posix_spawn(&child, executable, &actions, &attributes, argv, environ)
        guard code == 0 else { throw CrashTestFailure("cannot start \(executable): \(String(cString: strerror(code)))") }
        pid = child
    }

    deinit {
        if !hasExited { kill() }
        try? FileManager.default.removeItem(at: outputDirectory)
    }

    /// Standard output so far.
    var stdout: String { (try? String(contentsOf: outputDirectory.appendingPathComponent("stdout"), encoding: .utf8)) ?? "" }

    /// Standard error so far.
    var stderr: String { (try? String(contentsOf: outputDirectory.appendingPathComponent("stderr"), encoding: .utf8)) ?? "" }

    /// Reaps the child if it has exited (or waits for it when `block`); its raw wait status.
    private func reap(block: Bool) -> Int32? {
        exitStatus.withLock { status in
            if status == nil {
                var raw: Int32 = 0
                if waitpid(pid, &raw, block ? 0 : WNOHANG) == pid { status = raw }
            }
            return status
        }
    }

    /// Whether it has exited.
    var hasExited: Bool { reap(block: false) != nil }

    /// The exit status (after it exited normally), else -1.
    var status: Int32 {
        guard let raw = reap(block: false), raw & 0x7F == 0 else { return -1 }
        return (raw >> 8) & 0xFF
    }

    /// Whether it was killed by a signal rather than exiting.
    var wasSignalled: Bool {
        guard let raw = reap(block: false) else { return false }
        return raw & 0x7F != 0 && raw & 0x7F != 0x7F
    }

    /// Waits until it exits; false if it is still running at `timeout`.
    func wait(timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !hasExited {
            if ContinuousClock.now >= deadline { return false }
            usleep(5_000)
        }
        return true
    }

    /// SIGKILL, then reaps it.
    func kill() {
        Glibc.kill(pid, SIGKILL)
        _ = reap(block: true)
    }

    /// Sends `signal` without waiting.
    func signal(_ signal: Int32) {
        Glibc.kill(pid, signal)
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
