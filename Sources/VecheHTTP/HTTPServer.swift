import CEpoll
import Dispatch
import Glibc
import Synchronization

/// An HTTP/1.1 server on POSIX sockets: one epoll thread does all I/O, handlers run as Swift tasks.
///
/// ```swift
/// let server = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0)) { request in
///     .text("hello \(request.path)\n")
/// }
/// try server.start()
/// print(server.port)
/// await server.shutdown(gracePeriod: .seconds(5))
/// ```
///
/// Lifecycle: `idle` → `start()` → `running` → `beginShutdown`/`shutdown` → `shuttingDown`
/// → `stopped` once every in-flight request is answered (or the grace period ran out and
/// every handler returned). A stopped server cannot be started again; make a new one.
public final class HTTPServer: Sendable {
    /// Answers one request; may suspend as long as it needs (the loop serves others meanwhile).
    public typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse

    /// Where the server is in its life.
    public enum State: Sendable, Equatable {
        /// Created, not started.
        case idle
        /// Accepting and serving.
        case running
        /// No longer accepting; finishing in-flight requests.
        case shuttingDown
        /// Every socket is closed and every handler has returned.
        case stopped
    }

    /// Counters since start, for metrics.
    public struct Statistics: Sendable, Equatable {
        /// Connections open now (not counting ones being refused).
        public var openConnections: Int
        /// The most connections that were open at once.
        public var peakOpenConnections: Int
        /// Connections accepted in total, refused ones included.
        public var acceptedConnections: Int
        /// Connections answered 503 because `maxConnections` were open.
        public var refusedConnections: Int
        /// Responses sent, from handlers and from the server itself.
        public var responses: Int
        /// Requests the server itself refused (400, 408, 411, 413, 414, 417, 431, 503, 505).
        public var protocolErrors: Int
        /// Requests cut off by a read or write deadline.
        public var timeouts: Int
    }

    private struct Running: Sendable {
        let inbox: LoopInbox
        let loopThread: pthread_t
    }

    private enum Phase {
        case idle
        case running(Running)
        case shuttingDown(Running)
        case stopped
    }

    private struct Lifecycle {
        var phase: Phase = .idle
        var boundPort: Int?
        var waiters: [CheckedContinuation<Void, Never>] = []
        var blockedWaiters: [DispatchSemaphore] = []
    }

    /// The limits and address this server was made with.
    public let configuration: Configuration
    /// Called on the loop thread once per response sent; must be quick and must not block.
    public let accessLog: (@Sendable (AccessLogEntry) -> Void)?
    private let handler: Handler
    private let counters = ServerCounters()
    private let lifecycle = Mutex(Lifecycle())

    /// Creates a server; nothing is bound until `start()`.
    public init(
        configuration: Configuration,
        accessLog: (@Sendable (AccessLogEntry) -> Void)? = nil,
        handler: @escaping Handler
    ) {
        self.configuration = configuration
        self.accessLog = accessLog
        self.handler = handler
    }

    /// The current lifecycle state.
    public var state: State {
        lifecycle.withLock { lifecycle in
            switch lifecycle.phase {
            case .idle: .idle
            case .running: .running
            case .shuttingDown: .shuttingDown
            case .stopped: .stopped
            }
        }
    }

    /// The bound port once `start()` has returned (the kernel's pick when configured as 0); before that, the configured port.
    public var port: Int {
        lifecycle.withLock { $0.boundPort } ?? configuration.port
    }

    /// A snapshot of the counters.
    public var statistics: Statistics {
        Statistics(
            openConnections: counters.openConnections.load(ordering: .relaxed),
            peakOpenConnections: counters.peakOpenConnections.load(ordering: .relaxed),
            acceptedConnections: counters.acceptedConnections.load(ordering: .relaxed),
            refusedConnections: counters.refusedConnections.load(ordering: .relaxed),
            responses: counters.responses.load(ordering: .relaxed),
            protocolErrors: counters.protocolErrors.load(ordering: .relaxed),
            timeouts: counters.timeouts.load(ordering: .relaxed))
    }

    /// Binds, listens and starts the event loop thread; when it returns, `port` is the bound port.
    public func start() throws(HTTPError) {
        try configuration.validate()
        try lifecycle.withLock { (lifecycle: inout Lifecycle) throws(HTTPError) in
            guard case .idle = lifecycle.phase else {
                throw HTTPError(.invalidState, "start: the server was already started")
            }
            let (listenFD, port) = try Posix.listen(
                host: configuration.host, port: configuration.port, backlog: configuration.listenBacklog)
            let epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
            guard epollFD >= 0 else {
                let failure = errno
                Posix.close(listenFD)
                throw .system("epoll_create1", failure)
            }
            let eventFD = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
            guard eventFD >= 0 else {
                let failure = errno
                Posix.close(listenFD)
                Posix.close(epollFD)
                throw .system("eventfd", failure)
            }
            let inbox = LoopInbox(eventFD: eventFD)
            do throws(HTTPError) {
                try EventLoop.registerFixed(epollFD: epollFD, listenFD: listenFD, inboxFD: eventFD)
            } catch {
                Posix.close(listenFD)
                Posix.close(epollFD)
                Posix.close(eventFD)
                throw error
            }
            // Only Sendable values cross into the thread; the loop object is born and dies there.
            let configuration = self.configuration
            let handler = self.handler
            let accessLog = self.accessLog
            let counters = self.counters
            let thread: pthread_t
            do throws(HTTPError) {
                thread = try spawnThread {
                    let loop = EventLoop(
                        configuration: configuration, handler: handler, accessLog: accessLog,
                        inbox: inbox, counters: counters, epollFD: epollFD, listenFD: listenFD)
                    loop.run()
                    self.loopDidStop()
                }
            } catch {
                Posix.close(listenFD)
                Posix.close(epollFD)
                Posix.close(eventFD)
                throw error
            }
            lifecycle.phase = .running(Running(inbox: inbox, loopThread: thread))
            lifecycle.boundPort = port
        }
    }

    /// Starts a graceful shutdown and returns once the listening socket is closed (new connections are refused).
    ///
    /// Idle connections close at once; requests whose head has arrived are finished and
    /// answered with `Connection: close`. After `gracePeriod` the remaining connections are
    /// closed and running handlers are cancelled (the server still waits for them to return
    /// before it reports `stopped`). Calling it again may shorten the grace period; calling it
    /// on a server never started marks it stopped.
    public func beginShutdown(gracePeriod: Duration = .seconds(10)) {
        let target: Running? = lifecycle.withLock { lifecycle in
            switch lifecycle.phase {
            case .idle:
                lifecycle.phase = .stopped
                return nil
            case .running(let running):
                lifecycle.phase = .shuttingDown(running)
                return running
            case .shuttingDown(let running):
                return running
            case .stopped:
                return nil
            }
        }
        guard let target else {
            wakeWaitersIfStopped()
            return
        }
        // The loop thread itself (an access-log hook, say) must not wait for its own acknowledgement.
        let acknowledgement = pthread_equal(pthread_self(), target.loopThread) != 0 ? nil : DispatchSemaphore(value: 0)
        if target.inbox.post(.shutdown(gracePeriod: gracePeriod, acknowledged: acknowledgement)), let acknowledgement {
            acknowledgement.wait()
        }
    }

    /// Shuts down gracefully (see `beginShutdown`) and returns once the server has stopped.
    public func shutdown(gracePeriod: Duration = .seconds(10)) async {
        beginShutdown(gracePeriod: gracePeriod)
        await waitUntilStopped()
    }

    /// Suspends until the server has stopped (returns at once if it has).
    public func waitUntilStopped() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let stopped = lifecycle.withLock { lifecycle -> Bool in
                if case .stopped = lifecycle.phase { return true }
                lifecycle.waiters.append(continuation)
                return false
            }
            if stopped { continuation.resume() }
        }
    }

    /// Blocks the calling thread until the server has stopped; for synchronous callers such as a CLI `main`.
    public func blockUntilStopped() {
        let semaphore = DispatchSemaphore(value: 0)
        let stopped = lifecycle.withLock { lifecycle -> Bool in
            if case .stopped = lifecycle.phase { return true }
            lifecycle.blockedWaiters.append(semaphore)
            return false
        }
        if !stopped { semaphore.wait() }
    }

    private func loopDidStop() {
        lifecycle.withLock { $0.phase = .stopped }
        wakeWaitersIfStopped()
    }

    private func wakeWaitersIfStopped() {
        let (waiters, blocked) = lifecycle.withLock { lifecycle -> ([CheckedContinuation<Void, Never>], [DispatchSemaphore]) in
            guard case .stopped = lifecycle.phase else { return ([], []) }
            defer {
                lifecycle.waiters = []
                lifecycle.blockedWaiters = []
            }
            return (lifecycle.waiters, lifecycle.blockedWaiters)
        }
        for waiter in waiters { waiter.resume() }
        for semaphore in blocked { semaphore.signal() }
    }
}

/// Runs `body` on a new detached POSIX thread and returns its id.
func spawnThread(_ body: @escaping @Sendable () -> Void) throws(HTTPError) -> pthread_t {
    final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let status = pthread_create(&thread, nil, { context in
        guard let context else { return nil }
        let box = Unmanaged<Box>.fromOpaque(context).takeRetainedValue()
        box.body()
        return nil
    }, context)
    guard status == 0 else {
        Unmanaged<Box>.fromOpaque(context).release()
        throw .system("pthread_create", status)
    }
    pthread_detach(thread)
    return thread
}
