/// One accepted socket and where its current request stands; owned by the event loop thread alone.
final class Connection {
    /// Where the connection is in its request/response cycle.
    enum State: Equatable {
        /// Waiting for (the rest of) a request head; idle when nothing has arrived yet.
        case awaitingHead
        /// The head is parsed; reading exactly `Content-Length` body bytes.
        case readingBody
        /// The request is with the handler (running or queued for a slot); input is not read.
        case handling
        /// A response is queued; input is not read until it is out (keeps pipelined responses in order).
        case writing
        /// Output is shut down; unread input is drained until EOF or the linger deadline, then closed.
        case lingering
    }

    let id: UInt64
    let fd: Int32
    let remoteAddress: String
    /// Accepted beyond `maxConnections` only to be told 503; not counted as open.
    let isOverflow: Bool

    var state: State = .awaitingHead
    /// The descriptor is closed and the loop has forgotten this connection.
    var isClosed = false
    /// Monotonic ns when the current state must end; `Int64.max` for none.
    var deadline: Int64 = .max

    /// Bytes read but not yet consumed (a partial head, or pipelined requests).
    var inbound: [UInt8] = []
    /// Where the search for the end of the head resumes, so a slow head is not rescanned from 0.
    var scanFrom = 0
    /// How far the current request line has been checked for forbidden bytes while incomplete.
    var lineChecked = 0
    /// The current request line is complete and valid.
    var lineValidated = false
    /// Monotonic ns of the current request's first byte.
    var requestStart: Int64?
    /// No request has completed on this connection yet.
    var isFresh = true
    /// Requests begun on this connection.
    var requestCount = 0

    /// The socket may have unread input (edge-triggered epoll reports only changes).
    var readable = false
    /// The socket may accept more output.
    var writable = true
    /// The peer sent FIN.
    var peerClosedInput = false

    /// The current request once its head is parsed.
    var head: RequestHead?
    var body: [UInt8] = []
    var bodyRemaining = 0
    /// Whether the connection stays open after the current response.
    var keepAlive = false

    /// Bytes queued for the socket, oldest first; `outboundOffset` bytes of the first are sent.
    var outbound: [[UInt8]] = []
    var outboundOffset = 0
    var closeAfterWrite = false
    /// Input discarded while lingering, bounded so a fast sender cannot keep us reading forever.
    var lingerDiscarded = 0

    init(id: UInt64, fd: Int32, remoteAddress: String, isOverflow: Bool) {
        self.id = id
        self.fd = fd
        self.remoteAddress = remoteAddress
        self.isOverflow = isOverflow
    }

    /// Whether the loop should read from the socket in this state.
    var wantsInput: Bool {
        switch state {
        case .awaitingHead, .readingBody, .lingering: true
        case .handling, .writing: false
        }
    }
}
