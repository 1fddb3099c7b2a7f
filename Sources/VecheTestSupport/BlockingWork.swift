import Foundation

/// Runs blocking work (sockets, SQLite, child processes) on a fresh thread, so Swift's
/// cooperative pool — two threads on CI — stays free for the tasks under test.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.name = "veche-test-blocking"
        thread.stackSize = 1 << 20
        thread.start()
    }
}

/// Raises the soft descriptor limit so hundreds of client and server sockets fit in one process.
public func raiseDescriptorLimit(to wanted: UInt) {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < wanted else { return }
    limit.rlim_cur = min(wanted, limit.rlim_max)
    setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
}
