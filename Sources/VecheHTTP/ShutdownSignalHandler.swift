import Dispatch
import Glibc
import Synchronization

/// Turns SIGINT and SIGTERM into a graceful shutdown of a server (for `veche serve`).
///
/// The first signal calls `beginShutdown(gracePeriod:)`; a second one shortens the grace
/// period to zero (in-flight handlers are cancelled, the server still waits for them to
/// return). The signals' default action is replaced by "ignore" for the life of the
/// process, so a signal after `cancel()` no longer kills it.
public final class ShutdownSignalHandler: Sendable {
    private let sources: Mutex<[any DispatchSourceSignal]>

    /// Installs the handlers and returns once they are live; `onSignal` is told the signal's name (`SIGINT`) and how many have arrived.
    public init(server: HTTPServer, gracePeriod: Duration = .seconds(10), onSignal: (@Sendable (String, Int) -> Void)? = nil) {
        let queue = DispatchQueue(label: "veche.http.signals")
        let count = Atomic<Int>(0)
        var installed: [any DispatchSourceSignal] = []
        let registered = DispatchGroup()
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            // Ignore first so the default action (exit) cannot win the race with the source.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                let seen = count.add(1, ordering: .relaxed).newValue
                onSignal?(name, seen)
                server.beginShutdown(gracePeriod: seen == 1 ? gracePeriod : .zero)
            }
            // Registration is asynchronous; until it completes a signal would meet SIG_IGN and vanish.
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
