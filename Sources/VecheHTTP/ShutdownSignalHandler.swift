import Dispatch
import Glibc
import Synchronization

/// Turns SIGINT and SIGTERM into a graceful shutdown of a server (for `veche serve`).
///
/// The first signal calls `beginShutdown(gracePeriod:)`; a second one shortens the grace
/// period to zero (in-flight handlers are cancelled, the server still waits for them to
/// return). Dispatch installs its own process-wide handler for the two signals when the
/// first source registers, so once a handler exists the signals no longer terminate the
/// process, even after `cancel()`. Several handlers may coexist; each sees every signal.
public final class ShutdownSignalHandler: Sendable {
    private let sources: Mutex<[any DispatchSourceSignal]>

    /// Installs the handlers and returns once they are live; `onSignal` is told the signal's name (`SIGINT`) and how many have arrived.
    public init(server: HTTPServer, gracePeriod: Duration = .seconds(10), onSignal: (@Sendable (String, Int) -> Void)? = nil) {
        let queue = DispatchQueue(label: "veche.http.signals")
        let count = SignalCount()
        var installed: [any DispatchSourceSignal] = []
        let registered = DispatchGroup()
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                let seen = count.value.add(1, ordering: .relaxed).newValue
                onSignal?(name, seen)
                server.beginShutdown(gracePeriod: seen == 1 ? gracePeriod : .zero)
            }
            // Registration is asynchronous; until it completes a signal still has its default action.
            // (Setting SIG_IGN instead would undo Dispatch's handler for any earlier source.)
            registered.enter()
            source.setRegistrationHandler { registered.leave() }
            source.resume()
            installed.append(source)
        }
        _ = registered.wait(timeout: .now() + .seconds(2))
        sources = Mutex(installed)
    }

    /// Stops listening for the signals.
    public func cancel() {
        sources.withLock { sources in
            for source in sources { source.cancel() }
            sources = []
        }
    }
}

/// The number of signals seen, shared by the handlers of both signals.
private final class SignalCount: Sendable {
    let value = Atomic<Int>(0)
}
