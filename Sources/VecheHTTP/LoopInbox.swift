import CEpoll
import Dispatch
import Glibc
import Synchronization

/// What other threads tell the event loop.
enum LoopMessage: Sendable {
    /// A handler finished; `connection` is the id the request came in on.
    case response(connection: UInt64, HTTPResponse)
    /// Stop accepting and drain; `acknowledged` is signalled once the listening socket is closed.
    case shutdown(gracePeriod: Duration, acknowledged: DispatchSemaphore?)
}

/// The event loop's mailbox: a locked queue plus an eventfd that wakes `epoll_wait`.
///
/// The eventfd is written only when the queue goes from empty to non-empty, and the loop
/// reads (resets) it before taking the queue, so a message is never left without a wake-up.
final class LoopInbox: Sendable {
    private struct Box {
        var messages: [LoopMessage] = []
        var closed = false
    }

    let eventFD: Int32
    private let box = Mutex(Box())

    init(eventFD: Int32) {
        self.eventFD = eventFD
    }

    /// Queues `message`; false when the loop has already exited (the message is dropped).
    @discardableResult
    func post(_ message: LoopMessage) -> Bool {
        box.withLock { box in
            guard !box.closed else { return false }
            box.messages.append(message)
            if box.messages.count == 1 {
                // Under the lock, so `close()` cannot release the descriptor in between.
                var one: UInt64 = 1
                _ = write(eventFD, &one, MemoryLayout<UInt64>.size)
            }
            return true
        }
    }

    /// Resets the wake-up and takes every queued message (loop thread only).
    func drain() -> [LoopMessage] {
        var counter: UInt64 = 0
        _ = read(eventFD, &counter, MemoryLayout<UInt64>.size)
        return box.withLock { box in
            var taken: [LoopMessage] = []
            swap(&taken, &box.messages)
            return taken
        }
    }

    /// Refuses further messages and releases the eventfd (loop thread, on exit).
    /// Closes the inbox and returns what was posted but never drained (a shutdown request
    /// racing the loop's exit, say), so the caller can release anyone waiting on it.
    @discardableResult
    func close() -> [LoopMessage] {
        box.withLock { box in
            box.closed = true
            Posix.close(eventFD)
            defer { box.messages = [] }
            return box.messages
        }
    }
}

/// Counters the loop updates and anyone may read (for `/metrics`).
final class ServerCounters: Sendable {
    let openConnections = Atomic<Int>(0)
    let peakOpenConnections = Atomic<Int>(0)
    let acceptedConnections = Atomic<Int>(0)
    let refusedConnections = Atomic<Int>(0)
    let responses = Atomic<Int>(0)
    let protocolErrors = Atomic<Int>(0)
    let timeouts = Atomic<Int>(0)
}
