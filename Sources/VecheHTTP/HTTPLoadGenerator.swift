import Dispatch
import Glibc
import Synchronization

/// A closed-loop load generator: N keep-alive connections spread over M threads, each
/// connection sending its next request as soon as the previous response arrives.
///
/// Benchmark code (floating point allowed here): it reports requests per second and
/// latency percentiles for `veche bench http`.
public enum HTTPLoadGenerator {
    /// What to send, how hard and for how long.
    public struct Configuration: Sendable {
        /// The server (its target is the default request's target).
        public var url: HTTPURL
        /// Concurrent keep-alive connections.
        public var connections: Int = 64
        /// Threads driving them (each owns `connections / threads` connections and polls them).
        public var threads: Int = 2
        /// How long to run; outstanding requests at the end are not counted.
        public var duration: Duration = .seconds(5)
        /// Stop each connection after this many responses (nil: run for `duration`).
        public var requestsPerConnection: Int?
        /// Time allowed per request before it counts as an error and the connection is replaced.
        public var timeout: Duration = .seconds(10)
        /// The request with a given global index, or nil when there are no more (that connection stops).
        public var makeRequest: @Sendable (Int) -> HTTPClientRequest?
        /// Optional check of each response against its request; failures are counted as `invalid`.
        public var validate: (@Sendable (HTTPClientRequest, HTTPResponse) -> Bool)?

        /// GETs `url.target` over `connections` connections from `threads` threads for `duration`.
        public init(url: HTTPURL, connections: Int = 64, threads: Int = 2, duration: Duration = .seconds(5)) {
            self.url = url
            self.connections = connections
            self.threads = threads
            self.duration = duration
            let target = url.target
            makeRequest = { _ in HTTPClientRequest(method: "GET", target: target) }
        }
    }

    /// What a run measured.
    public struct Report: Sendable, CustomStringConvertible {
        /// Complete responses received in time.
        public var requests: Int
        /// Connection failures, timeouts and malformed responses.
        public var errors: Int
        /// Responses that `validate` rejected.
        public var invalid: Int
        /// Responses by status code.
        public var statusCounts: [Int: Int]
        /// Wall time from the first request to the last response counted.
        public var elapsed: Duration
        /// `requests` per second of `elapsed`.
        public var requestsPerSecond: Double
        /// Median latency in microseconds.
        public var latencyP50Microseconds: Int
        /// 99th percentile latency in microseconds.
        public var latencyP99Microseconds: Int
        /// Highest latency in microseconds.
        public var latencyMaxMicroseconds: Int
        /// Connections the run opened (including replacements).
        public var connectionsOpened: Int

        /// One line: `12345 req/s, p50 310us, p99 1200us, max 5000us, 61728 requests, 0 errors`.
        public var description: String {
            let rate = Int(requestsPerSecond.rounded())
            return "\(rate) req/s, p50 \(latencyP50Microseconds)us, p99 \(latencyP99Microseconds)us, "
                + "max \(latencyMaxMicroseconds)us, \(requests) requests, \(errors) errors, \(invalid) invalid"
        }
    }

    /// Runs the load and blocks until done.
    public static func run(_ configuration: Configuration) throws(HTTPError) -> Report {
        guard configuration.connections >= 1, configuration.threads >= 1 else {
            throw HTTPError(.invalidConfiguration, "load generator: connections and threads must be at least 1")
        }
        let threads = min(configuration.threads, configuration.connections)
        let shared = Shared()
        let start = Posix.monotonicNanoseconds()
        let end = start + configuration.duration.nanoseconds
        let group = DispatchGroup()
        for thread in 0..<threads {
            let share = configuration.connections / threads + (thread < configuration.connections % threads ? 1 : 0)
            group.enter()
            _ = try spawnThread {
                let result = Worker(configuration: configuration, connectionCount: share, end: end, shared: shared).run()
                shared.results.withLock { $0.append(result) }
                group.leave()
            }
        }
        group.wait()
        let results = shared.results.withLock { $0 }
        var latencies: [Int] = []
        var report = Report(
            requests: 0, errors: 0, invalid: 0, statusCounts: [:], elapsed: .zero, requestsPerSecond: 0,
            latencyP50Microseconds: 0, latencyP99Microseconds: 0, latencyMaxMicroseconds: 0, connectionsOpened: 0)
        var lastResponse = start
        for result in results {
            latencies.append(contentsOf: result.latencies)
            report.errors += result.errors
            report.invalid += result.invalid
            report.connectionsOpened += result.connectionsOpened
            for (status, count) in result.statusCounts { report.statusCounts[status, default: 0] += count }
            lastResponse = max(lastResponse, result.lastResponse)
        }
        report.requests = latencies.count
        latencies.sort()
        if let maximum = latencies.last {
            report.latencyP50Microseconds = latencies[(latencies.count - 1) / 2]
            report.latencyP99Microseconds = latencies[min(latencies.count - 1, latencies.count * 99 / 100)]
            report.latencyMaxMicroseconds = maximum
        }
        let elapsed = max(1, lastResponse - start)
        report.elapsed = .nanoseconds(elapsed)
        report.requestsPerSecond = Double(report.requests) / (Double(elapsed) / 1e9)
        return report
    }

    private final class Shared: Sendable {
        let nextIndex = Atomic<Int>(0)
        let results = Mutex<[WorkerResult]>([])
    }

    private struct WorkerResult: Sendable {
        var latencies: [Int] = []
        var errors = 0
        var invalid = 0
        var statusCounts: [Int: Int] = [:]
        var connectionsOpened = 0
        var lastResponse: Int64 = 0
    }

    /// One thread's connections and its poll loop.
    private struct Worker {
        final class Slot {
            var fd: Int32 = -1
            var decoder: ResponseDecoder
            var request: HTTPClientRequest?
            var outbound: [UInt8] = []
            var sentAt: Int64 = 0
            var completed = 0
            var finished = false
            init(maxBody: Int) { decoder = ResponseDecoder(maxBodyBytes: maxBody) }
        }

        let configuration: Configuration
        let connectionCount: Int
        let end: Int64
        let shared: Shared

        func run() -> WorkerResult {
            var result = WorkerResult()
            let slots = (0..<connectionCount).map { _ in Slot(maxBody: 64 * 1024 * 1024) }
            let timeout = configuration.timeout.nanoseconds
            var buffer = [UInt8](repeating: 0, count: 65536)
            var pollSet: [pollfd] = []
            var pollSlots: [Slot] = []
            while true {
                let now = Posix.monotonicNanoseconds()
                if now >= end { break }
                pollSet.removeAll(keepingCapacity: true)
                pollSlots.removeAll(keepingCapacity: true)
                for slot in slots where !slot.finished {
                    if slot.request == nil { startNext(slot, now: now, result: &result) }
                    guard slot.request != nil, slot.fd >= 0 else { continue }
                    if now - slot.sentAt > timeout {
                        result.errors += 1
                        drop(slot)
                        continue
                    }
                    var events = Int16(POLLIN)
                    if !slot.outbound.isEmpty { events |= Int16(POLLOUT) }
                    pollSet.append(pollfd(fd: slot.fd, events: events, revents: 0))
                    pollSlots.append(slot)
                }
                if pollSet.isEmpty {
                    if slots.allSatisfy(\.finished) { break }
                    continue
                }
                let wait = Int32(max(1, min(100, (end - now) / 1_000_000)))
                let ready = pollSet.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), wait) }
                if ready <= 0 { continue }
                for (index, entry) in pollSet.enumerated() where entry.revents != 0 {
                    let slot = pollSlots[index]
                    if entry.revents & Int16(POLLOUT) != 0 { writePending(slot, result: &result) }
                    if slot.fd >= 0, entry.revents & (Int16(POLLIN) | Int16(POLLHUP) | Int16(POLLERR)) != 0 {
                        readAvailable(slot, buffer: &buffer, result: &result)
                    }
                }
            }
            for slot in slots where slot.fd >= 0 { Posix.close(slot.fd) }
            return result
        }

        private func startNext(_ slot: Slot, now: Int64, result: inout WorkerResult) {
            if let quota = configuration.requestsPerConnection, slot.completed >= quota {
                slot.finished = true
                return
            }
            let index = shared.nextIndex.add(1, ordering: .relaxed).oldValue
            guard let request = configuration.makeRequest(index),
                  let bytes = try? request.encoded(authority: configuration.url.authority) else {
                slot.finished = true
                return
            }
            if slot.fd < 0 {
                guard let fd = try? Posix.connect(host: configuration.url.host, port: configuration.url.port,
                                                  deadline: now + configuration.timeout.nanoseconds) else {
                    result.errors += 1
                    slot.finished = true
                    return
                }
                slot.fd = fd
                result.connectionsOpened += 1
            }
            slot.request = request
            slot.outbound = bytes
            slot.sentAt = Posix.monotonicNanoseconds()
            writePending(slot, result: &result)
        }

        private func writePending(_ slot: Slot, result: inout WorkerResult) {
            while !slot.outbound.isEmpty, slot.fd >= 0 {
                let sent = slot.outbound.withUnsafeBytes { Glibc.send(slot.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if sent > 0 {
                    slot.outbound.removeSubrange(0..<sent)
                } else if errno == EAGAIN || errno == EWOULDBLOCK {
                    return
                } else if errno != EINTR {
                    result.errors += 1
                    drop(slot)
                }
            }
        }

        private func readAvailable(_ slot: Slot, buffer: inout [UInt8], result: inout WorkerResult) {
            while slot.fd >= 0 {
                let count = buffer.withUnsafeMutableBytes { recv(slot.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                if count > 0 {
                    buffer.withUnsafeBytes { slot.decoder.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                    collect(slot, atEOF: false, result: &result)
                    continue
                }
                if count == 0 {
                    collect(slot, atEOF: true, result: &result)
                    if slot.fd >= 0 { drop(slot) }
                    return
                }
                if errno == EAGAIN || errno == EWOULDBLOCK { return }
                if errno == EINTR { continue }
                result.errors += 1
                drop(slot)
                return
            }
        }

        private func collect(_ slot: Slot, atEOF: Bool, result: inout WorkerResult) {
            guard let request = slot.request else {
                if atEOF { drop(slot) }
                return
            }
            do {
                guard let response = try slot.decoder.next(headRequest: request.method == "HEAD", atEOF: atEOF) else { return }
                let now = Posix.monotonicNanoseconds()
                result.latencies.append(Int((now - slot.sentAt) / 1000))
                result.lastResponse = now
                result.statusCounts[response.status.code, default: 0] += 1
                if let validate = configuration.validate, !validate(request, response) { result.invalid += 1 }
                slot.completed += 1
                slot.request = nil
                if HTTPClient.closes(response) { drop(slot) }
            } catch {
                result.errors += 1
                drop(slot)
            }
        }

        /// Closes the slot's connection; its next request opens a new one.
        private func drop(_ slot: Slot) {
            if slot.fd >= 0 { Posix.close(slot.fd) }
            slot.fd = -1
            slot.request = nil
            slot.outbound = []
            slot.decoder.reset()
        }
    }
}
