import Dispatch
import Foundation
import Synchronization
import VecheHTTP
import VecheServer
import VecheStore

/// `veche serve DIR [--listen HOST:PORT]`: the HTTP API over a data directory.
struct ServeVerb: Verb {
    static let name = ["serve"]
    static let summary = "serve the HTTP API and the voting page over a data directory"
    static let usage = "serve DIR [--listen HOST:PORT] [--no-access-log]"
    static let discussion = """
        Opens the ledger (checking the latest checkpoint, the stored Merkle tree and the last
        entry), starts the sequencer and serves WIRE.md's HTTP API on HOST:PORT (default
        127.0.0.1:8080; port 0 picks a free port). Prints `listening on http://HOST:PORT` once
        it serves; GET /healthz then answers ok. SIGINT or SIGTERM stop it gracefully:
        no new connections, in-flight requests finish, queued commands are committed, the
        store is closed. One access-log line per request goes to standard error.
        """
    static let options = [
        OptionSpec("--listen", .value, valueName: "HOST:PORT", help: "where to listen (default 127.0.0.1:8080)"),
        OptionSpec("--no-access-log", .flag, help: "do not log requests"),
    ]

    static func run(_ arguments: ParsedArguments, console: Console) throws -> Int32 {
        try arguments.expectPositionals(1...1, what: "DIR")
        let (host, port) = try parseListen(arguments.value("--listen") ?? "127.0.0.1:8080")
        let store: LedgerStore
        do {
            store = try LedgerStore(directory: arguments.positionals[0])
        } catch let error as StoreError {
            throw CLIFailure(error.message)
        }
        let api = VecheAPI(store: store)
        let log = arguments.flag("--no-access-log") ? nil : AccessLogWriter(console: console)
        let server = HTTPServer(
            configuration: VecheAPI.serverConfiguration(host: host, port: port),
            accessLog: log.map { writer in { @Sendable entry in writer.append(entry.description) } },
            handler: { request in await api.handle(request) })
        do {
            try server.start()
        } catch {
            store.close()
            throw CLIFailure("cannot listen on \(host):\(port): \(error)")
        }
        let signals = ShutdownSignalHandler(server: server, gracePeriod: .seconds(10)) { name, _ in
            console.err("veche serve: \(name) received, shutting down")
        }
        console.out("listening on http://\(host.contains(":") ? "[\(host)]" : host):\(server.port)")
        console.err("veche serve: ledger \(store.origin), \(store.size) entries")
        server.blockUntilStopped()
        signals.cancel()
        store.close()
        log?.flush()
        console.err("veche serve: stopped")
        return 0
    }

    /// `HOST:PORT` (IPv6 as `[::1]:PORT`).
    static func parseListen(_ text: String) throws(UsageError) -> (String, Int) {
        guard let colon = text.lastIndex(of: ":") else { throw UsageError("--listen must be HOST:PORT, got \(text)") }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw UsageError("--listen must be HOST:PORT with a port in 0…65535, got \(text)")
        }
        return (host, port)
    }
}

/// Writes access-log lines from a background queue so the event loop never blocks on stderr;
/// drops lines (and counts them) if the writer falls far behind.
final class AccessLogWriter: Sendable {
    private let state = Mutex<(lines: [String], dropped: Int, scheduled: Bool)>(([], 0, false))
    private let queue = DispatchQueue(label: "veche-access-log")
    private let console: Console

    init(console: Console) { self.console = console }

    func append(_ line: String) {
        let schedule = state.withLock { state -> Bool in
            guard state.lines.count < 10_000 else {
                state.dropped += 1
                return false
            }
            state.lines.append(line)
            defer { state.scheduled = true }
            return !state.scheduled
        }
        if schedule { queue.async { self.flush() } }
    }

    func flush() {
        let (lines, dropped) = state.withLock { state -> ([String], Int) in
            defer {
                state.lines = []
                state.dropped = 0
                state.scheduled = false
            }
            return (state.lines, state.dropped)
        }
        var text = lines.joined(separator: "\n")
        if !text.isEmpty { text += "\n" }
        if dropped > 0 { text += "access log: \(dropped) lines dropped\n" }
        if !text.isEmpty { console.writeErr(Array(text.utf8)) }
    }
}
