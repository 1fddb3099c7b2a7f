import Glibc

/// An error from the HTTP layer: what failed, naming the call or the field, and the OS reason when there is one.
public struct HTTPError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure this is.
    public enum Code: String, Sendable {
        /// A `Configuration` value is out of range; `message` names the field.
        case invalidConfiguration
        /// The server was asked to start twice, or after it stopped.
        case invalidState
        /// A host name did not resolve to an address.
        case addressResolution
        /// A socket call failed; `message` names the call and the OS reason.
        case socket
        /// A URL is not of the form `http://host[:port][/path][?query]`.
        case invalidURL
        /// The connection could not be established.
        case connectionFailed
        /// The peer closed the connection before a complete response arrived.
        case connectionClosed
        /// The operation did not finish before its deadline.
        case timeout
        /// A request target or query string is not well-formed.
        case malformedRequest
        /// The peer's bytes are not a well-formed HTTP/1.1 response.
        case malformedResponse
        /// The response exceeds the client's size limit.
        case responseTooLarge
    }

    /// What kind of failure this is.
    public let code: Code
    /// A sentence a person can act on, naming the call or field at fault.
    public let message: String
    /// The `errno` value behind a failed system call, if any.
    public let systemError: Int32?

    /// Creates an error; `systemError` is the `errno` behind it, if any.
    public init(_ code: Code, _ message: String, systemError: Int32? = nil) {
        self.code = code
        self.message = message
        self.systemError = systemError
    }

    /// The message, for logs and the CLI.
    public var description: String { message }

    /// An error for a failed system call, naming the call and `errno`'s text.
    static func system(_ call: String, _ errorNumber: Int32, code: Code = .socket) -> HTTPError {
        HTTPError(code, "\(call) failed: \(String(cString: strerror(errorNumber))) (errno \(errorNumber))", systemError: errorNumber)
    }
}
