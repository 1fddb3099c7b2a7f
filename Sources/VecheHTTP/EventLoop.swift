import CEpoll
import Glibc

/// The server's single I/O thread: accepts, reads and parses, enforces deadlines, writes.
///
/// Everything here runs on the loop thread; other threads reach it only through
/// `LoopInbox`. Sockets are non-blocking and registered edge-triggered once, so the loop
/// needs no `epoll_ctl` per request; `Connection.readable`/`writable` remember readiness
/// that was reported while the connection did not want to act on it.
final class EventLoop {
    private static let listenerID: UInt64 = 0
    private static let inboxID: UInt64 = 1
    /// Connections accepted past the limit only to be told 503, at most this many at a time.
    private static let overflowCapacity = 64
    /// Input discarded while lingering before giving up and closing.
    private static let lingerDiscardLimit = 4 * 1024 * 1024
    private static let readChunk = 64 * 1024

    private let configuration: HTTPServer.Configuration
    private let handler: HTTPServer.Handler
    private let accessLog: (@Sendable (AccessLogEntry) -> Void)?
    private let inbox: LoopInbox
    private let counters: ServerCounters
    private let epollFD: Int32
    private var listenFD: Int32
    private let parser: RequestHeadParser
    private var encoder = ResponseEncoder()
    private let scratch: UnsafeMutableRawBufferPointer

    private let headerTimeout: Int64
    private let bodyTimeout: Int64
    private let idleTimeout: Int64
    private let writeTimeout: Int64
    private let lingerTimeout: Int64

    private var connections: [UInt64: Connection] = [:]
    private var nextID: UInt64 = 2
    private var regularCount = 0
    private var overflowCount = 0

    private var activeHandlers = 0
    private var handlerTasks: [UInt64: Task<Void, Never>] = [:]
    /// The threads handlers run on (see `HandlerExecutor`).
    private let executor: HandlerExecutor
    /// Complete requests waiting for a handler slot, oldest first from `waitingHead`.
    private var waiting: [(UInt64, HTTPRequest)] = []
    private var waitingHead = 0
    /// Body bytes promised to requests being read or handled, by connection.
    private var reservations: [UInt64: Int] = [:]
    private var reservedBytes = 0

    private var nextSweep: Int64 = .max
    private var acceptPausedUntil: Int64 = 0
    private var shuttingDown = false
    private var graceDeadline: Int64 = .max
    private var forcedClose = false

    init(
        configuration: HTTPServer.Configuration,
        handler: @escaping HTTPServer.Handler,
        accessLog: (@Sendable (AccessLogEntry) -> Void)?,
        inbox: LoopInbox,
        counters: ServerCounters,
        epollFD: Int32,
        listenFD: Int32
    ) {
        self.configuration = configuration
        self.handler = handler
        self.executor = HandlerExecutor(threads: configuration.handlerThreads, name: "veche-http-handler")
        self.accessLog = accessLog
        self.inbox = inbox
        self.counters = counters
        self.epollFD = epollFD
        self.listenFD = listenFD
        parser = RequestHeadParser(maxHeaderCount: configuration.maxHeaderCount, maxBodyBytes: configuration.maxBodyBytes)
        scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.readChunk, alignment: 16)
        headerTimeout = configuration.headerReadTimeout.nanoseconds
        bodyTimeout = configuration.bodyReadTimeout.nanoseconds
        idleTimeout = configuration.idleTimeout.nanoseconds
        writeTimeout = configuration.writeTimeout.nanoseconds
        lingerTimeout = configuration.lingerTimeout.nanoseconds
    }

    deinit {
        scratch.deallocate()
    }

    /// Registers the listener and the inbox with `epollFD` (called before the loop thread starts).
    static func registerFixed(epollFD: Int32, listenFD: Int32, inboxFD: Int32) throws(HTTPError) {
        guard add(epollFD, listenFD, id: listenerID, events: EPOLLIN.rawValue),
              add(epollFD, inboxFD, id: inboxID, events: EPOLLIN.rawValue) else {
            throw .system("epoll_ctl(ADD)", errno)
        }
    }

    private static func add(_ epollFD: Int32, _ fd: Int32, id: UInt64, events: UInt32) -> Bool {
        var event = epoll_event()
        event.events = events
        event.data.u64 = id
        return epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) == 0
    }

    // MARK: - The loop

    /// Runs until a shutdown has drained every connection and handler; then releases the descriptors.
    func run() {
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        while true {
            let timeout = pollTimeout(now: Posix.monotonicNanoseconds())
            let count = events.withUnsafeMutableBufferPointer { buffer in
                epoll_wait(epollFD, buffer.baseAddress, Int32(buffer.count), timeout)
            }
            if count < 0 {
                let failure = errno
                if failure == EINTR { continue }
                preconditionFailure("epoll_wait failed: errno \(failure)")
            }
            for index in 0..<Int(count) {
                let event = events[index]
                switch event.data.u64 {
                case Self.listenerID: acceptConnections()
                case Self.inboxID: drainInbox()
                case let id:
                    if let connection = connections[id] { handle(event.events, on: connection) }
                }
            }
            let now = Posix.monotonicNanoseconds()
            if acceptPausedUntil != 0, now >= acceptPausedUntil { resumeAccepting() }
            if now >= nextSweep { sweep(now: now) }
            if shuttingDown {
                if !forcedClose, now >= graceDeadline { forceClose() }
                if connections.isEmpty, activeHandlers == 0 { break }
            }
        }
        // A shutdown posted while the loop was already leaving still waits for its
        // acknowledgement: give it (the listener is closed just below, the server is done).
        for case .shutdown(_, let acknowledged) in inbox.close() { acknowledged?.signal() }
        executor.stop()
        if listenFD >= 0 { Posix.close(listenFD) }
        Posix.close(epollFD)
    }

    private func pollTimeout(now: Int64) -> Int32 {
        var wake = nextSweep
        if shuttingDown, !forcedClose { wake = min(wake, graceDeadline) }
        if acceptPausedUntil != 0 { wake = min(wake, acceptPausedUntil) }
        guard wake != .max else { return 1000 }
        let milliseconds = (wake - now + 999_999) / 1_000_000
        return Int32(max(0, min(milliseconds, 1000)))
    }

    private func setDeadline(_ connection: Connection, _ deadline: Int64) {
        connection.deadline = deadline
        if deadline < nextSweep { nextSweep = deadline }
    }

    private func handle(_ events: UInt32, on connection: Connection) {
        if events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 {
            // HUP: both directions are gone; ERR: reset. No response can arrive any more.
            close(connection)
            return
        }
        if events & EPOLLOUT.rawValue != 0 {
            connection.writable = true
            if !connection.outbound.isEmpty { flush(connection) }
        }
        if connection.isClosed { return }
        if events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue) != 0 {
            connection.readable = true
            readAvailable(connection)
        }
    }

    // MARK: - Accepting

    private func acceptConnections() {
        guard listenFD >= 0 else { return }
        // Bounded per wake-up so a connection flood cannot starve established connections.
        for _ in 0..<128 {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(listenFD, $0, &length) }
            }
            if fd < 0 {
                switch errno {
                case EAGAIN, EWOULDBLOCK: return
                case EINTR, ECONNABORTED, EPROTO: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    // Out of descriptors or memory: stop polling the listener briefly instead of spinning.
                    pauseAccepting()
                    return
                default: return
                }
            }
            let remote = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { SocketAddress($0, length: length).description }
            }
            do {
                try Posix.makeNonBlocking(fd)
            } catch {
                Posix.close(fd)
                continue
            }
            Posix.disableNagle(fd)
            counters.acceptedConnections.add(1, ordering: .relaxed)
            if regularCount >= configuration.maxConnections {
                refuseOverLimit(fd, remote: remote)
                continue
            }
            guard let connection = register(fd, remote: remote, isOverflow: false) else { continue }
            regularCount += 1
            let open = counters.openConnections.add(1, ordering: .relaxed).newValue
            counters.peakOpenConnections.max(open, ordering: .relaxed)
            // A new connection's first head must arrive within the header timeout of the accept.
            setDeadline(connection, Posix.monotonicNanoseconds() + headerTimeout)
        }
    }

    /// Adds an accepted socket to epoll (edge-triggered, once) and to the connection table;
    /// nil (and the socket closed) if epoll refuses it.
    private func register(_ fd: Int32, remote: String, isOverflow: Bool) -> Connection? {
        let connection = Connection(id: nextID, fd: fd, remoteAddress: remote, isOverflow: isOverflow)
        nextID += 1
        guard Self.add(epollFD, fd, id: connection.id, events: EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue) else {
            Posix.close(fd)
            return nil
        }
        connections[connection.id] = connection
        return connection
    }

    /// Answers 503 without reading the request, then drains and closes.
    private func refuseOverLimit(_ fd: Int32, remote: String) {
        counters.refusedConnections.add(1, ordering: .relaxed)
        var response = HTTPResponse.problem(status: .serviceUnavailable, detail: "too many open connections; retry later")
        response.headers.set(name: "Retry-After", value: String(configuration.retryAfterSeconds))
        let encoded = encoder.encode(response, method: nil, version: .http1_1, keepAlive: false)
        log(method: "-", target: "-", status: 503, bytes: encoded.body.count, start: Posix.monotonicNanoseconds(), remote: remote)
        guard overflowCount < Self.overflowCapacity else {
            // Too many refusals in flight: answer best-effort and close at once.
            let bytes = encoded.head + encoded.body
            _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            Posix.close(fd)
            return
        }
        guard let connection = register(fd, remote: remote, isOverflow: true) else { return }
        overflowCount += 1
        connection.state = .writing
        connection.closeAfterWrite = true
        enqueue(encoded, on: connection)
        setDeadline(connection, Posix.monotonicNanoseconds() + writeTimeout)
        flush(connection)
    }

    private func pauseAccepting() {
        guard listenFD >= 0, acceptPausedUntil == 0 else { return }
        var event = epoll_event()
        epoll_ctl(epollFD, EPOLL_CTL_DEL, listenFD, &event)
        acceptPausedUntil = Posix.monotonicNanoseconds() + 100_000_000
    }

    private func resumeAccepting() {
        acceptPausedUntil = 0
        guard listenFD >= 0 else { return }
        _ = Self.add(epollFD, listenFD, id: Self.listenerID, events: EPOLLIN.rawValue)
    }

    // MARK: - Reading and parsing

    /// Reads while the connection wants input and the socket has it.
    private func readAvailable(_ connection: Connection) {
        while connection.readable, connection.wantsInput, !connection.isClosed {
            let count = recv(connection.fd, scratch.baseAddress, scratch.count, 0)
            if count > 0 {
                // A short read emptied the socket; new data will raise a fresh edge, so skip the EAGAIN probe.
                if count < scratch.count { connection.readable = false }
                consume(count, on: connection)
                continue
            }
            if count == 0 {
                connection.readable = false
                connection.peerClosedInput = true
                peerClosedInput(connection)
                return
            }
            switch errno {
            case EAGAIN, EWOULDBLOCK:
                connection.readable = false
                return
            case EINTR:
                continue
            default:
                close(connection)
                return
            }
        }
    }

    private func consume(_ count: Int, on connection: Connection) {
        let bytes = UnsafeRawBufferPointer(rebasing: scratch[0..<count])
        switch connection.state {
        case .lingering:
            connection.lingerDiscarded += count
            if connection.lingerDiscarded > Self.lingerDiscardLimit { close(connection) }
            return
        case .readingBody:
            let taken = min(count, connection.bodyRemaining)
            connection.body.append(contentsOf: bytes[0..<taken])
            connection.bodyRemaining -= taken
            if taken < count { connection.inbound.append(contentsOf: bytes[taken...]) }
        case .awaitingHead:
            if connection.requestStart == nil {
                let now = Posix.monotonicNanoseconds()
                connection.requestStart = now
                // A fresh connection keeps the deadline from its accept; a reused one starts the clock now.
                if !connection.isFresh { setDeadline(connection, now + headerTimeout) }
            }
            connection.inbound.append(contentsOf: bytes)
        case .handling, .writing:
            connection.inbound.append(contentsOf: bytes)
        }
        processInput(connection)
    }

    /// The peer sent FIN while we were reading.
    private func peerClosedInput(_ connection: Connection) {
        switch connection.state {
        case .awaitingHead, .readingBody, .lingering:
            // Nothing complete is owed an answer (a partial request cannot be answered meaningfully).
            close(connection)
        case .handling, .writing:
            connection.closeAfterWrite = true
        }
    }

    /// Parses whatever complete heads and bodies the buffer holds, as far as the state allows.
    private func processInput(_ connection: Connection) {
        while !connection.isClosed {
            switch connection.state {
            case .awaitingHead:
                guard parseHead(connection) else { return }
            case .readingBody:
                if !connection.inbound.isEmpty, connection.bodyRemaining > 0 {
                    let taken = min(connection.inbound.count, connection.bodyRemaining)
                    connection.body.append(contentsOf: connection.inbound[0..<taken])
                    connection.inbound.removeSubrange(0..<taken)
                    connection.bodyRemaining -= taken
                }
                if connection.bodyRemaining == 0 { dispatch(connection) }
                return
            case .handling, .writing, .lingering:
                return
            }
        }
    }

    /// Tries to take one head off the buffer; true when the state moved on and parsing may continue.
    private func parseHead(_ connection: Connection) -> Bool {
        // RFC 9112 §2.2: empty lines before a request line are ignored.
        var skip = 0
        while connection.inbound.count >= skip + 2, connection.inbound[skip] == 0x0D, connection.inbound[skip + 1] == 0x0A {
            skip += 2
        }
        if skip > 0 {
            connection.inbound.removeSubrange(0..<skip)
            connection.scanFrom = 0
            connection.lineChecked = 0
        }
        guard !connection.inbound.isEmpty else { return false }
        let limit = configuration.maxHeaderBytes
        guard let end = RequestHeadParser.endOfHead(in: connection.inbound, searchingFrom: connection.scanFrom) else {
            // Refuse noise as soon as the request line shows it, instead of holding the slot until the deadline.
            if !connection.lineValidated {
                switch RequestHeadParser.checkPartialRequestLine(connection.inbound, from: connection.lineChecked) {
                case .incomplete(let checked):
                    connection.lineChecked = checked
                case .valid:
                    connection.lineValidated = true
                case .invalid(let violation):
                    reject(connection, violation)
                    return false
                }
            }
            if connection.inbound.count > limit {
                reject(connection, oversizeHeadViolation(connection.inbound))
            } else {
                connection.scanFrom = max(0, connection.inbound.count - 3)
            }
            return false
        }
        if end > limit {
            reject(connection, oversizeHeadViolation(connection.inbound))
            return false
        }
        let head: RequestHead
        do {
            head = try parser.parse(connection.inbound[0..<(end - 4)])
        } catch {
            reject(connection, error)
            return false
        }
        connection.inbound.removeSubrange(0..<end)
        connection.scanFrom = 0
        connection.lineChecked = 0
        connection.lineValidated = false
        startRequest(connection, head)
        return true
    }

    /// 414 when even the request line does not fit, else 431.
    private func oversizeHeadViolation(_ buffer: [UInt8]) -> ProtocolViolation {
        let limit = configuration.maxHeaderBytes
        let window = buffer.prefix(limit)
        if window.firstIndex(of: 0x0D) == nil, window.firstIndex(of: 0x0A) == nil {
            return ProtocolViolation(.uriTooLong, "request line: longer than \(limit) bytes")
        }
        return ProtocolViolation(.requestHeaderFieldsTooLarge, "request head: longer than \(limit) bytes")
    }

    private func startRequest(_ connection: Connection, _ head: RequestHead) {
        connection.requestCount += 1
        if connection.requestStart == nil { connection.requestStart = Posix.monotonicNanoseconds() }
        if head.contentLength > 0 {
            guard reservedBytes + head.contentLength <= configuration.maxInFlightBodyBytes else {
                var violation = ProtocolViolation(.serviceUnavailable, "too many request bodies in flight; retry later")
                violation.method = head.method
                violation.target = head.target
                reject(connection, violation)
                return
            }
            reservedBytes += head.contentLength
            reservations[connection.id] = head.contentLength
        }
        connection.head = head
        connection.keepAlive = head.keepAlive
            && connection.requestCount < configuration.maxRequestsPerConnection
            && !shuttingDown
        connection.body = []
        connection.bodyRemaining = head.contentLength
        if head.contentLength == 0 {
            dispatch(connection)
            return
        }
        connection.body.reserveCapacity(head.contentLength)
        connection.state = .readingBody
        setDeadline(connection, Posix.monotonicNanoseconds() + bodyTimeout)
        if head.expectsContinue, head.version == .http1_1, connection.inbound.isEmpty {
            // The client waits for this before sending the body; the limit check has already passed.
            connection.outbound.append(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
            flush(connection)
        }
    }

    // MARK: - Handlers

    private func dispatch(_ connection: Connection) {
        guard let head = connection.head else { return }
        connection.state = .handling
        connection.deadline = .max
        let request = HTTPRequest(head: head, body: connection.body, remoteAddress: connection.remoteAddress)
        connection.body = []
        if activeHandlers < configuration.maxConcurrentHandlers {
            launch(request, for: connection.id)
        } else {
            waiting.append((connection.id, request))
        }
    }

    private func launch(_ request: HTTPRequest, for id: UInt64) {
        activeHandlers += 1
        let handler = self.handler
        let inbox = self.inbox
        handlerTasks[id] = Task(executorPreference: executor) {
            let response = await handler(request)
            inbox.post(.response(connection: id, response))
        }
    }

    private func drainInbox() {
        for message in inbox.drain() {
            switch message {
            case .response(let id, let response):
                activeHandlers -= 1
                handlerTasks[id] = nil
                release(id)
                if let connection = connections[id], connection.state == .handling {
                    respond(connection, response)
                }
            case .shutdown(let gracePeriod, let acknowledged):
                beginShutdown(gracePeriod: gracePeriod)
                acknowledged?.signal()
            }
        }
        startWaitingHandlers()
    }

    private func startWaitingHandlers() {
        while activeHandlers < configuration.maxConcurrentHandlers, waitingHead < waiting.count {
            let (id, request) = waiting[waitingHead]
            waitingHead += 1
            if let connection = connections[id], connection.state == .handling, !forcedClose {
                launch(request, for: id)
            }
        }
        if waitingHead == waiting.count {
            waiting.removeAll(keepingCapacity: true)
            waitingHead = 0
        } else if waitingHead > 1024, waitingHead * 2 > waiting.count {
            waiting.removeSubrange(0..<waitingHead)
            waitingHead = 0
        }
    }

    private func release(_ id: UInt64) {
        if let bytes = reservations.removeValue(forKey: id) { reservedBytes -= bytes }
    }

    // MARK: - Writing

    private func respond(_ connection: Connection, _ response: HTTPResponse) {
        guard let head = connection.head else { return }
        let keepAlive = connection.keepAlive && !shuttingDown && !connection.closeAfterWrite
        let encoded = encoder.encode(response, method: head.method, version: head.version, keepAlive: keepAlive)
        connection.closeAfterWrite = !keepAlive || encoded.handlerAskedToClose
        connection.state = .writing
        connection.head = nil
        setDeadline(connection, Posix.monotonicNanoseconds() + writeTimeout)
        counters.responses.add(1, ordering: .relaxed)
        log(method: head.method, target: head.target, status: response.status.code < 200 ? 500 : response.status.code,
            bytes: encoded.body.count, start: connection.requestStart, remote: connection.remoteAddress)
        enqueue(encoded, on: connection)
        flush(connection)
    }

    /// Answers a protocol violation and closes: the framing of what follows cannot be trusted.
    private func reject(_ connection: Connection, _ violation: ProtocolViolation) {
        counters.protocolErrors.add(1, ordering: .relaxed)
        var response = HTTPResponse.problem(status: violation.status, detail: violation.detail)
        if violation.status == .serviceUnavailable {
            response.headers.set(name: "Retry-After", value: String(configuration.retryAfterSeconds))
        }
        let encoded = encoder.encode(response, method: violation.method, version: .http1_1, keepAlive: false)
        connection.state = .writing
        connection.closeAfterWrite = true
        connection.head = nil
        connection.body = []
        connection.inbound = []
        setDeadline(connection, Posix.monotonicNanoseconds() + writeTimeout)
        counters.responses.add(1, ordering: .relaxed)
        log(method: violation.method ?? "-", target: violation.target ?? "-", status: violation.status.code,
            bytes: encoded.body.count, start: connection.requestStart, remote: connection.remoteAddress)
        enqueue(encoded, on: connection)
        flush(connection)
    }

    private func enqueue(_ encoded: ResponseEncoder.Encoded, on connection: Connection) {
        connection.outbound.append(encoded.head)
        if !encoded.body.isEmpty { connection.outbound.append(encoded.body) }
    }

    /// Writes queued output until done or the socket is full; then moves the connection on.
    private func flush(_ connection: Connection) {
        while !connection.outbound.isEmpty {
            guard connection.writable else { return }
            let sent = writeSome(connection)
            if sent > 0 {
                advanceOutbound(connection, by: sent)
                continue
            }
            switch errno {
            case EAGAIN, EWOULDBLOCK:
                connection.writable = false
                return
            case EINTR:
                continue
            default:
                // EPIPE, ECONNRESET: the peer is gone (MSG_NOSIGNAL kept SIGPIPE away).
                close(connection)
                return
            }
        }
        guard connection.state == .writing else { return }
        if connection.closeAfterWrite {
            startLingering(connection)
            return
        }
        let now = Posix.monotonicNanoseconds()
        connection.state = .awaitingHead
        connection.isFresh = false
        connection.requestStart = nil
        setDeadline(connection, now + idleTimeout)
        if !connection.inbound.isEmpty {
            // A pipelined request is already here; its head clock runs from now.
            connection.requestStart = now
            setDeadline(connection, now + headerTimeout)
            processInput(connection)
        }
        if !connection.isClosed { readAvailable(connection) }
    }

    /// One `send`/`sendmsg` of the first one or two queued chunks; returns its result.
    private func writeSome(_ connection: Connection) -> Int {
        let offset = connection.outboundOffset
        let flags = Int32(MSG_NOSIGNAL)
        if connection.outbound.count >= 2 {
            return connection.outbound[0].withUnsafeBytes { first -> Int in
                connection.outbound[1].withUnsafeBytes { second -> Int in
                    guard let firstBase = first.baseAddress, let secondBase = second.baseAddress else { return 0 }
                    var vectors = [
                        iovec(iov_base: UnsafeMutableRawPointer(mutating: firstBase + offset), iov_len: first.count - offset),
                        iovec(iov_base: UnsafeMutableRawPointer(mutating: secondBase), iov_len: second.count),
                    ]
                    return vectors.withUnsafeMutableBufferPointer { buffer -> Int in
                        var message = msghdr()
                        message.msg_iov = buffer.baseAddress
                        message.msg_iovlen = buffer.count
                        return sendmsg(connection.fd, &message, flags)
                    }
                }
            }
        }
        return connection.outbound[0].withUnsafeBytes { bytes -> Int in
            guard let base = bytes.baseAddress else { return 0 }
            return send(connection.fd, base + offset, bytes.count - offset, flags)
        }
    }

    private func advanceOutbound(_ connection: Connection, by count: Int) {
        var remaining = count
        while remaining > 0, let first = connection.outbound.first {
            let left = first.count - connection.outboundOffset
            if remaining >= left {
                remaining -= left
                connection.outbound.removeFirst()
                connection.outboundOffset = 0
            } else {
                connection.outboundOffset += remaining
                remaining = 0
            }
        }
    }

    /// Shuts down output and drains input briefly so the kernel sends FIN, not RST, over our last response.
    private func startLingering(_ connection: Connection) {
        _ = Glibc.shutdown(connection.fd, Int32(SHUT_WR))
        connection.state = .lingering
        connection.inbound = []
        if connection.peerClosedInput || lingerTimeout <= 0 {
            close(connection)
            return
        }
        var deadline = Posix.monotonicNanoseconds() + lingerTimeout
        if shuttingDown { deadline = min(deadline, graceDeadline) }
        setDeadline(connection, deadline)
        readAvailable(connection)
    }

    // MARK: - Deadlines

    private func sweep(now: Int64) {
        nextSweep = .max
        var expired: [Connection] = []
        for connection in connections.values {
            if connection.deadline <= now {
                expired.append(connection)
            } else if connection.deadline < nextSweep {
                nextSweep = connection.deadline
            }
        }
        for connection in expired where !connection.isClosed {
            connection.deadline = .max
            timedOut(connection)
        }
        // Coalesce: deadlines are coarse, so a sweep at most every 5 ms is plenty.
        if nextSweep != .max { nextSweep = max(nextSweep, now + 5_000_000) }
    }

    private func timedOut(_ connection: Connection) {
        switch connection.state {
        case .awaitingHead:
            if connection.inbound.isEmpty, connection.requestStart == nil {
                close(connection)  // idle: nothing owed, close quietly
            } else {
                counters.timeouts.add(1, ordering: .relaxed)
                reject(connection, ProtocolViolation(.requestTimeout, "request head not complete within \(configuration.headerReadTimeout)"))
            }
        case .readingBody:
            counters.timeouts.add(1, ordering: .relaxed)
            var violation = ProtocolViolation(.requestTimeout, "request body not complete within \(configuration.bodyReadTimeout)")
            violation.method = connection.head?.method
            violation.target = connection.head?.target
            reject(connection, violation)
        case .writing:
            counters.timeouts.add(1, ordering: .relaxed)
            close(connection)
        case .lingering:
            close(connection)
        case .handling:
            break
        }
    }

    // MARK: - Closing and shutdown

    private func close(_ connection: Connection) {
        guard !connection.isClosed else { return }
        connection.isClosed = true
        // Closing the last reference removes the descriptor from the epoll set.
        Posix.close(connection.fd)
        connections[connection.id] = nil
        if connection.isOverflow {
            overflowCount -= 1
        } else {
            regularCount -= 1
            counters.openConnections.subtract(1, ordering: .relaxed)
        }
        // A running handler still holds the body; its reservation ends when it returns.
        if handlerTasks[connection.id] == nil { release(connection.id) }
        connection.outbound = []
        connection.inbound = []
        connection.body = []
    }

    private func beginShutdown(gracePeriod: Duration) {
        let now = Posix.monotonicNanoseconds()
        let deadline = now + max(0, gracePeriod.nanoseconds)
        guard !shuttingDown else {
            graceDeadline = min(graceDeadline, deadline)
            return
        }
        shuttingDown = true
        graceDeadline = deadline
        if listenFD >= 0 {
            var event = epoll_event()
            epoll_ctl(epollFD, EPOLL_CTL_DEL, listenFD, &event)
            Posix.close(listenFD)
            listenFD = -1
        }
        acceptPausedUntil = 0
        for connection in Array(connections.values) {
            switch connection.state {
            case .awaitingHead:
                close(connection)  // idle or mid-head: no request is in flight
            case .readingBody, .handling:
                connection.keepAlive = false
            case .writing:
                connection.closeAfterWrite = true
            case .lingering:
                if connection.deadline > graceDeadline { setDeadline(connection, graceDeadline) }
            }
        }
    }

    /// The grace period is over: close everything and ask running handlers to stop.
    private func forceClose() {
        forcedClose = true
        for connection in Array(connections.values) { close(connection) }
        for task in handlerTasks.values { task.cancel() }
        waiting.removeAll()
        waitingHead = 0
    }

    private func log(method: String, target: String, status: Int, bytes: Int, start: Int64?, remote: String) {
        guard let accessLog else { return }
        let elapsed = start.map { Posix.monotonicNanoseconds() - $0 } ?? 0
        accessLog(AccessLogEntry(
            method: method, target: target, status: status, bytes: bytes,
            duration: .nanoseconds(max(0, elapsed)), remoteAddress: remote))
    }
}
