import Glibc

/// A blocking TCP connection to a loopback address, every operation bounded by a deadline.
///
/// Test support only: DevTools and our test servers listen on 127.0.0.1, so nothing here
/// resolves names or speaks TLS.
final class LoopbackSocket {
    private(set) var fd: Int32

    /// Connects to `host` (an IPv4 literal, or `localhost`) and `port` before `deadline`.
    init(host: String, port: Int, deadline: ContinuousClock.Instant) throws(WebSocketError) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(clamping: port).bigEndian)
        let literal = host == "localhost" ? "127.0.0.1" : host
        guard inet_pton(AF_INET, literal, &address.sin_addr) == 1 else {
            throw WebSocketError("host \(host) is not an IPv4 address")
        }
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw WebSocketError("socket: \(String(cString: strerror(errno)))") }
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if result != 0 {
            guard errno == EINPROGRESS else {
                let reason = String(cString: strerror(errno))
                close()
                throw WebSocketError("connect to \(host):\(port): \(reason)")
            }
            do {
                try wait(events: Int16(POLLOUT), deadline: deadline, what: "connect")
            } catch {
                close()
                throw error
            }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            if error != 0 {
                close()
                throw WebSocketError("connect to \(host):\(port): \(String(cString: strerror(error)))")
            }
        }
    }

    deinit { close() }

    /// Closes the descriptor (idempotent).
    func close() {
        if fd >= 0 {
            _ = Glibc.close(fd)
            fd = -1
        }
    }

    /// Writes all of `bytes` before `deadline`.
    func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant) throws(WebSocketError) {
        var sent = 0
        while sent < bytes.count {
            guard fd >= 0 else { throw WebSocketError("write on a closed connection") }
            let n = bytes.withUnsafeBytes { buffer in
                Glibc.send(fd, buffer.baseAddress! + sent, buffer.count - sent, Int32(MSG_NOSIGNAL))
            }
            if n > 0 {
                sent += n
            } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                try wait(events: Int16(POLLOUT), deadline: deadline, what: "write")
            } else {
                throw WebSocketError("write: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Reads what is available (at least one byte) before `deadline`; empty at end of stream.
    func read(max: Int = 64 * 1024, deadline: ContinuousClock.Instant) throws(WebSocketError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: max)
        while true {
            guard fd >= 0 else { throw WebSocketError("read on a closed connection") }
            let n = buffer.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress!, $0.count, 0) }
            if n >= 0 { return Array(buffer[0..<n]) }
            guard errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else {
                throw WebSocketError("read: \(String(cString: strerror(errno)))")
            }
            try wait(events: Int16(POLLIN), deadline: deadline, what: "read")
        }
    }

    private func wait(events: Int16, deadline: ContinuousClock.Instant, what: String) throws(WebSocketError) {
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { throw WebSocketError("\(what) timed out") }
            let milliseconds = Int32(clamping: remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1)
            var poller = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&poller, 1, milliseconds)
            if ready > 0 { return }
            if ready < 0 && errno != EINTR { throw WebSocketError("poll: \(String(cString: strerror(errno)))") }
        }
    }
}
