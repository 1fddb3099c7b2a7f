import Dispatch
import Foundation
import Synchronization

/// A task executor backed by the server's own threads.
///
/// Handlers run here instead of on Swift's cooperative pool (one thread per core), so code
/// elsewhere in the process that blocks pool threads — a synchronous client in the same
/// process, a test blocking on I/O — cannot starve the server of threads to answer with.
final class HandlerExecutor: TaskExecutor, Sendable {
    private let state = Mutex<(jobs: [UnownedJob], head: Int, stopping: Bool)>(([], 0, false))
    private let available = DispatchSemaphore(value: 0)
    private let threadCount: Int

    init(threads: Int, name: String) {
        threadCount = max(1, threads)
        for index in 0..<threadCount {
            let thread = Thread { [self] in self.work() }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        state.withLock { $0.jobs.append(job) }
        available.signal()
    }

    /// Lets the threads finish the queued jobs and exit.
    func stop() {
        state.withLock { $0.stopping = true }
        for _ in 0..<threadCount { available.signal() }
    }

    private func work() {
        while true {
            available.wait()
            let next: UnownedJob? = state.withLock { state in
                guard state.head < state.jobs.count else { return nil }
                let job = state.jobs[state.head]
                state.head += 1
                if state.head > 1024, state.head * 2 > state.jobs.count {
                    state.jobs.removeFirst(state.head)
                    state.head = 0
                }
                return job
            }
            if let next {
                next.runSynchronously(on: asUnownedTaskExecutor())
                continue
            }
            if state.withLock({ $0.stopping }) { return }
        }
    }
}

