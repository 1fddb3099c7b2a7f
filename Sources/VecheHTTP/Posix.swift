import Glibc

/// Thin wrappers over the POSIX calls the server and client share; every failure names its call.
enum Posix {
    /// Nanoseconds on the monotonic clock (not wall time), for deadlines and latencies.
    static func monotonicNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) &* 1_000_000_000 &+ Int64(now.tv_nsec)
    }

    /// Puts `fd` into non-blocking, close-on-exec mode.
    static func makeNonBlocking(_ fd: Int32) throws(HTTPError) {
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else {
            throw .system("fcntl(O_NONBLOCK)", errno)
        }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }

    /// Sets an integer socket option, reporting the option's name on failure.
    static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32, _ label: String) throws(HTTPError) {
        var value = value
        guard setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw .system("setsockopt(\(label))", errno)
        }
    }

    /// Disables Nagle's algorithm: responses and requests are written whole, so delaying them only adds latency.
    static func disableNagle(_ fd: Int32) {
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Closes `fd`, retrying never: on Linux the descriptor is released even when close reports EINTR.
    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// Resolves `host` and `port` to stream-socket addresses; `passive` for binding.
    static func resolve(host: String, port: Int, passive: Bool) throws(HTTPError) -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host.isEmpty ? nil : host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            let reason = String(cString: gai_strerror(status))
            throw HTTPError(.addressResolution, "cannot resolve host '\(host)': \(reason)")
        }
        defer { freeaddrinfo(list) }
        var addresses: [SocketAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let address = entry.pointee.ai_addr,
               entry.pointee.ai_family == AF_INET || entry.pointee.ai_family == AF_INET6 {
                addresses.append(SocketAddress(address, length: entry.pointee.ai_addrlen))
            }
            cursor = entry.pointee.ai_next
        }
        guard !addresses.isEmpty else {
            throw HTTPError(.addressResolution, "host '\(host)' has no IPv4 or IPv6 address")
        }
        return addresses
    }

    /// Creates a non-blocking listening socket on the first address of `host` that binds.
    static func listen(host: String, port: Int, backlog: Int) throws(HTTPError) -> (fd: Int32, port: Int) {
        var lastError = HTTPError(.socket, "no address to bind")
        for address in try resolve(host: host, port: port, passive: true) {
            let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else {
                lastError = .system("socket", errno)
                continue
            }
            do throws(HTTPError) {
                // Restarting right after a stop must not wait out TIME_WAIT on the old port.
                try setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR")
                let bound = address.withSockAddr { bind(fd, $0, $1) }
                guard bound == 0 else { throw HTTPError.system("bind(\(address))", errno) }
                guard Glibc.listen(fd, Int32(clamping: backlog)) == 0 else { throw HTTPError.system("listen", errno) }
                guard let local = SocketAddress.local(of: fd) else { throw HTTPError.system("getsockname", errno) }
                return (fd, local.port)
            } catch {
                Posix.close(fd)
                lastError = error
            }
        }
        throw lastError
    }

    /// Connects a non-blocking socket to `host:port`, giving up at `deadline` (monotonic ns).
    static func connect(host: String, port: Int, deadline: Int64) throws(HTTPError) -> Int32 {
        var lastError = HTTPError(.connectionFailed, "no address for \(host)")
        for address in try resolve(host: host, port: port, passive: false) {
            let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else {
                lastError = .system("socket", errno)
                continue
            }
            let started = address.withSockAddr { Glibc.connect(fd, $0, $1) }
            if started == 0 {
                disableNagle(fd)
                return fd
            }
            let startError = errno
            guard startError == EINPROGRESS || startError == EINTR else {
                Posix.close(fd)
                lastError = .system("connect(\(address))", startError, code: .connectionFailed)
                continue
            }
            switch waitFor(fd, events: Int16(POLLOUT), deadline: deadline) {
            case .ready:
                var soError: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length)
                if soError == 0 {
                    disableNagle(fd)
                    return fd
                }
                lastError = .system("connect(\(address))", soError, code: .connectionFailed)
            case .timedOut:
                lastError = HTTPError(.timeout, "connect(\(address)) timed out")
            case .failed(let code):
                lastError = .system("poll", code)
            }
            Posix.close(fd)
        }
        throw lastError
    }

    /// The outcome of waiting for readiness.
    enum WaitResult: Equatable {
        case ready
        case timedOut
        case failed(Int32)
    }

    /// Polls one descriptor until it is ready for `events` or `deadline` (monotonic ns) passes.
    static func waitFor(_ fd: Int32, events: Int16, deadline: Int64) -> WaitResult {
        while true {
            let remaining = deadline - monotonicNanoseconds()
            if remaining <= 0 { return .timedOut }
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let milliseconds = Int32(clamping: (remaining + 999_999) / 1_000_000)
            let result = poll(&entry, 1, milliseconds)
            if result > 0 { return .ready }
            if result == 0 { continue }
            if errno == EINTR { continue }
            return .failed(errno)
        }
    }
}

/// A socket address (IPv4 or IPv6) held by value.
struct SocketAddress: CustomStringConvertible {
    private var storage = sockaddr_storage()
    private var length: socklen_t

    init(_ address: UnsafePointer<sockaddr>, length: socklen_t) {
        let size = min(Int(length), MemoryLayout<sockaddr_storage>.size)
        self.length = socklen_t(size)
        withUnsafeMutableBytes(of: &storage) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(start: UnsafeRawPointer(address), count: size))
        }
    }

    /// The address a socket is bound to, or nil when `getsockname` fails.
    static func local(of fd: Int32) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard status == 0 else { return nil }
        return withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { SocketAddress($0, length: length) }
        }
    }

    var family: Int32 { Int32(storage.ss_family) }

    /// Calls `body` with the address as the C API wants it.
    func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        withUnsafePointer(to: storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }

    var port: Int {
        withUnsafePointer(to: storage) { pointer -> Int in
            switch Int32(pointer.pointee.ss_family) {
            case AF_INET:
                return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            case AF_INET6:
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            default:
                return 0
            }
        }
    }

    private static func string(_ characters: [CChar]) -> String {
        String(decoding: characters.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `1.2.3.4:80` or `[::1]:80`.
    var description: String {
        withUnsafePointer(to: storage) { pointer -> String in
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
            switch Int32(pointer.pointee.ss_family) {
            case AF_INET:
                return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address -> String in
                    var raw = address.pointee.sin_addr
                    guard inet_ntop(AF_INET, &raw, &text, socklen_t(text.count)) != nil else { return "?" }
                    return "\(Self.string(text)):\(UInt16(bigEndian: address.pointee.sin_port))"
                }
            case AF_INET6:
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address -> String in
                    var raw = address.pointee.sin6_addr
                    guard inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count)) != nil else { return "?" }
                    return "[\(Self.string(text))]:\(UInt16(bigEndian: address.pointee.sin6_port))"
                }
            default:
                return "?"
            }
        }
    }
}

extension Duration {
    /// Whole nanoseconds, saturating at `Int64.max` so "very long" never overflows a deadline.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? Int64.min / 2 : Int64.max / 2 }
        return min(Int64.max / 2, scaled &+ attoseconds / 1_000_000_000)
    }
}
