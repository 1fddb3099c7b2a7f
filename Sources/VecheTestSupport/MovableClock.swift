import Synchronization
public import VecheCore

/// Ledger time for tests against a real store: it stands still until the test moves it,
/// and only forwards, so a test decides exactly when a meeting opens or closes and the
/// ledger's "time never decreases" holds.
public final class MovableClock: Sendable {
    private let current: Mutex<Timestamp>

    /// A clock reading `start` until moved.
    public init(_ start: Timestamp) {
        current = Mutex(start)
    }

    /// The current reading; pass `{ clock.now() }` as a store's or server's clock.
    public func now() -> Timestamp {
        current.withLock { $0 }
    }

    /// Moves the clock to `time`, or leaves it where it is when `time` is not later.
    public func advance(to time: Timestamp) {
        current.withLock { $0 = max($0, time) }
    }

    /// Moves the clock forward by whole days and milliseconds (a negative total is ignored).
    public func advance(days: Int64 = 0, milliseconds: Int64 = 0) {
        let step = max(0, days * Timestamp.millisecondsPerDay + milliseconds)
        current.withLock { $0 = Timestamp(milliseconds: $0.milliseconds + step) }
    }
}
