import Foundation
extension HTTPServer {
    /// Limits, timeouts and the listening address; every default is safe to face the internet behind a proxy.
    public struct Configuration: Sendable {
        /// The address to bind: an IP literal or a name (`127.0.0.1`, `::`, `localhost`).
        public var host: String
        /// The TCP port; 0 asks the kernel for a free one (read it back from `HTTPServer.port`).
        public var port: Int
        /// The largest request head (request line plus header fields) accepted; beyond it 414 or 431.
        public var maxHeaderBytes: Int = 16 * 1024
        /// The most header fields in one request; beyond it 431.
        public var maxHeaderCount: Int = 100
        /// The largest request body accepted; a larger `Content-Length` is answered 413 without reading it.
        public var maxBodyBytes: Int = 1024 * 1024
        /// Time allowed to receive a whole request head, counted from its first byte (from accept for a new connection).
        public var headerReadTimeout: Duration = .seconds(10)
        /// Time allowed to receive a whole request body, counted from the end of its head.
        public var bodyReadTimeout: Duration = .seconds(30)
        /// How long a keep-alive connection may wait for its next request.
        public var idleTimeout: Duration = .seconds(30)
        /// Time allowed to write one whole response once it is ready.
        public var writeTimeout: Duration = .seconds(30)
        /// After the last response on a closing connection, how long unread input is drained before closing.
        ///
        /// Closing with unread input makes the kernel send RST, which can destroy the
        /// response (a 413, say) before the client reads it; draining briefly avoids that.
        public var lingerTimeout: Duration = .seconds(2)
        /// Open connections at most; one more is answered 503 with `Retry-After` and closed.
        public var maxConnections: Int = 1024
        /// Requests served on one connection before the server closes it (`Connection: close` on the last).
        public var maxRequestsPerConnection: Int = 10_000
        /// Handlers running at once ("worker concurrency"); further complete requests wait in arrival order.
        public var maxConcurrentHandlers: Int = 1024
        /// Threads of the server's own executor that handlers run on (not Swift's shared
        /// cooperative pool, which blocking code elsewhere in the process could starve).
        public var handlerThreads: Int = max(4, ProcessInfo.processInfo.activeProcessorCount)
        /// Sum of the `Content-Length`s of requests being read or handled; a request that would exceed it gets 503.
        ///
        /// Bounds memory: without it, `maxConnections` × `maxBodyBytes` (1 GiB by default) could be held at once.
        public var maxInFlightBodyBytes: Int = 64 * 1024 * 1024
        /// The `Retry-After` seconds sent with 503.
        public var retryAfterSeconds: Int = 1
        /// The kernel's queue of connections not yet accepted.
        public var listenBacklog: Int = 1024

        /// A configuration for `host:port` with default limits.
        public init(host: String = "127.0.0.1", port: Int = 8080) {
            self.host = host
            self.port = port
        }

        /// Throws naming the first field out of range.
        public func validate() throws(HTTPError) {
            func require(_ condition: Bool, _ field: String, _ rule: String) throws(HTTPError) {
                guard condition else { throw HTTPError(.invalidConfiguration, "configuration \(field): \(rule)") }
            }
            try require((0...65535).contains(port), "port", "must be 0–65535")
            try require(maxHeaderBytes >= 64 && maxHeaderBytes <= 1 << 20, "maxHeaderBytes", "must be 64 bytes to 1 MiB")
            try require(maxHeaderCount >= 1, "maxHeaderCount", "must be at least 1")
            try require(maxBodyBytes >= 0 && maxBodyBytes <= 1 << 40, "maxBodyBytes", "must be 0 to 1 TiB")
            try require(headerReadTimeout > .zero, "headerReadTimeout", "must be positive")
            try require(bodyReadTimeout > .zero, "bodyReadTimeout", "must be positive")
            try require(idleTimeout > .zero, "idleTimeout", "must be positive")
            try require(writeTimeout > .zero, "writeTimeout", "must be positive")
            try require(lingerTimeout >= .zero, "lingerTimeout", "must not be negative")
            try require(maxConnections >= 1, "maxConnections", "must be at least 1")
            try require(maxRequestsPerConnection >= 1, "maxRequestsPerConnection", "must be at least 1")
            try require(maxConcurrentHandlers >= 1, "maxConcurrentHandlers", "must be at least 1")
            try require(handlerThreads >= 1 && handlerThreads <= 256, "handlerThreads", "must be 1…256")
            try require(maxInFlightBodyBytes >= maxBodyBytes, "maxInFlightBodyBytes", "must be at least maxBodyBytes")
            try require(retryAfterSeconds >= 0, "retryAfterSeconds", "must not be negative")
            try require(listenBacklog >= 1, "listenBacklog", "must be at least 1")
        }
    }
}
