import Foundation
import Glibc
import Synchronization

/// A Chromium process in its own process group, with its stderr drained on a thread.
///
/// `terminate()` kills the whole group (the browser and every helper it forked), reaps
/// the browser and removes the profile directory; `deinit` does the same, so a failing
/// test that drops the object still leaves nothing running.
final class ChromiumProcess: Sendable {
    /// The browser's process id, which is also its process group id.
    let pid: pid_t
    /// The temporary profile directory (`--user-data-dir`).
    let profileDirectory: String
    private let stderr = LockedBytes()
    private let finished = Mutex(false)
    private let readerDone = DispatchSemaphore(value: 0)

    private static let maxStderr = 256 * 1024

    /// Spawns `executable` with `arguments` (the profile directory is created here).
    init(executable: String, arguments: (String) -> [String]) throws {
        let template = FileManager.default.temporaryDirectory.appendingPathComponent("veche-chromium-XXXXXX").path
        var templateBytes = Array(template.utf8CString)
        guard mkdtemp(&templateBytes) != nil else {
            throw CDPError("cannot create a temporary profile directory: \(String(cString: strerror(errno)))")
        }
        profileDirectory = templateBytes.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }

        var pipeFDs: [Int32] = [-1, -1]
        // Close-on-exec at once (pipe2 is not in Swift's Glibc), so other children never hold our ends.
        guard pipe(&pipeFDs) == 0, fcntl(pipeFDs[0], F_SETFD, FD_CLOEXEC) == 0, fcntl(pipeFDs[1], F_SETFD, FD_CLOEXEC) == 0 else {
            try? FileManager.default.removeItem(atPath: profileDirectory)
            throw CDPError("pipe: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A new process group whose id is the child's pid: one kill(-pid) reaches every helper.
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))

        // Chromium raises some of its threads to nice -8 when it may (it may as root); run
        // without CAP_SYS_NICE, through util-linux's setpriv where present, so the nice
        // value set below holds for every process and thread it makes.
        let setpriv = "/usr/bin/setpriv"
        let wrapped = FileManager.default.isExecutableFile(atPath: setpriv)
        let program = wrapped ? setpriv : executable
        let argv = (wrapped ? [setpriv, "--bounding-set", "-sys_nice", executable] : [executable]) + arguments(profileDirectory)
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, program, &actions, &attributes, &cArguments, environ)
        Glibc.close(pipeFDs[1])
        guard status == 0 else {
            Glibc.close(pipeFDs[0])
            try? FileManager.default.removeItem(atPath: profileDirectory)
            throw CDPError("cannot start \(executable): \(String(cString: strerror(status)))")
        }
        pid = child
        // Below normal priority (setpriv execs Chromium in this same process, and every helper
        // inherits it): a browser starting up must not starve timing-sensitive tests that run
        // beside it on a two-core machine.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(child), 10)
        let readFD = pipeFDs[0]
        let thread = Thread { [stderr, readerDone] in
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            while true {
                let n = buffer.withUnsafeMutableBytes { Glibc.read(readFD, $0.baseAddress!, $0.count) }
                if n > 0 {
                    stderr.bytes.withLock { log in
                        log += buffer[0..<n]
                        if log.count > Self.maxStderr { log.removeFirst(log.count - Self.maxStderr) }
                    }
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    break
                }
            }
            Glibc.close(readFD)
            readerDone.signal()
        }
        thread.name = "chromium-stderr"
        thread.start()
    }

    deinit { terminate() }

    /// What the browser wrote to stderr so far (the tail, bounded).
    var stderrText: String {
        stderr.bytes.withLock { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether the browser process has exited. It is not reaped here: while it is a zombie
    /// its pid cannot be reused, so `terminate()` can still signal its group safely.
    var hasExited: Bool {
        if finished.withLock({ $0 }) { return true }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state == "Z" || state == "X"
    }

    /// Kills the process group, reaps the browser, waits for stderr to close and removes
    /// the profile. Idempotent.
    func terminate() {
        let first = finished.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        // The leader is not reaped yet (alive or a zombie), so its pid, the group id, is
        // still ours: the signal reaches only the browser and the helpers it forked.
        _ = kill(-pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // Every process holding the pipe is gone with the group; bounded anyway.
        _ = readerDone.wait(timeout: .now() + .seconds(5))
        try? FileManager.default.removeItem(atPath: profileDirectory)
    }
}

/// A byte buffer behind a lock, as a class so a thread's closure can share it.
final class LockedBytes: Sendable {
    let bytes = Mutex<[UInt8]>([])
}
