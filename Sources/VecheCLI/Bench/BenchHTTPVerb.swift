import Foundation
import VecheCore
import VecheCrypto
import VecheHTTP
import VecheLedger
import VecheServer
import VecheStore

/// `veche bench http`: signed-ballot ingest and checkpoint reads over HTTP.
struct BenchHTTPVerb: Verb {
    static let name = ["bench", "http"]
    static let summary = "benchmark ingest and GET /v1/checkpoint over HTTP (vs OpenSSL's Ed25519 rate)"
    static let usage = "bench http [--server URL --registrar-key FILE] [--ballots N] [--connections N] [--seconds S] [--openssl-seconds S] [--json]"
    static let discussion = """
        Without --server it initialises a temporary data directory and serves it in this
        process exactly as veche serve does (LedgerStore, VecheAPI, HTTPServer on a free
        loopback port, no access log); the load generator then shares the machine's cores
        with the server, as any client on the same host would. With --server it targets a
        running server and prepares its workload through the API, signed with the registrar
        key in --registrar-key (a key the ledger's genesis names).

        The workload: buildings of 2,000 owners, their keys, one open meeting each (posted
        first, not timed), then N pre-signed ballots POSTed to /v1/commands over keep-alive
        connections (--connections, default 64), every one of which must be answered 201.
        Ingest is ballots ÷ the time from the first request to the last receipt; the ratio
        divides it by cores × this machine's single-core Ed25519 verify rate from `openssl
        speed`, measured in the same run. Then GET /v1/checkpoint at the same number of
        connections for --seconds (default 5): requests per second and p99 latency.
        """
    static let options: [OptionSpec] = [
        OptionSpec("--server", .value, valueName: "URL", help: "a running server (default: one in this process)"),
        OptionSpec("--registrar-key", .value, valueName: "FILE", help: "the registrar's private key, needed with --server"),
        OptionSpec("--ballots", .value, valueName: "N", help: "ballots to post (default 20000)"),
        OptionSpec("--connections", .value, valueName: "N", help: "keep-alive connections (default 64)"),
        OptionSpec("--seconds", .value, valueName: "S", help: "length of the checkpoint run (default 5)"),
        OptionSpec("--openssl-seconds", .value, valueName: "S", help: "length of the openssl speed run (default 3)"),
        OptionSpec("--json", .flag, help: "print one JSON object"),
    ]

    static func run(_ arguments: ParsedArguments, console: Console) throws -> Int32 {
        try arguments.expectPositionals(0...0, what: "nothing")
        let ballots = try arguments.integer("--ballots", default: 20_000, in: 100...2_000_000)
        let connections = try arguments.integer("--connections", default: 64, in: 1...1_000)
        let seconds = try arguments.integer("--seconds", default: 5, in: 1...600)
        let opensslSeconds = try arguments.integer("--openssl-seconds", default: 3, in: 1...30)
        let json = arguments.flag("--json")
        func say(_ line: String) { if !json { console.out(line) } }

        let target: Target
        if let server = arguments.value("--server") {
            guard let keyPath = arguments.value("--registrar-key") else {
                throw UsageError("--server needs --registrar-key: the benchmark registers its own building and owners")
            }
            let url: HTTPURL
            do { url = try HTTPURL(server) } catch { throw UsageError("--server: \(error.message)") }
            let registrar: SigningKey
            do { registrar = try SigningKey.load(from: keyPath) } catch { throw CLIFailure("--registrar-key: \(error)") }
            target = try .remote(url: url, registrar: registrar)
        } else {
            target = try .inProcess()
        }
        defer { target.stop() }
        say("server: \(target.url) (\(target.description))")

        say("measuring single-core Ed25519 verification with OpenSSL …")
        let (rate, source) = BenchSupport.ed25519VerifyRate(seconds: opensslSeconds)
        let cores = BenchSupport.cores
        say("  \(Int(rate)) verifications/s on one core (\(source)); \(cores) cores")

        say("preparing \(ballots) signed ballots …")
        let workload = try BenchWorkload.make(ballots: ballots, origin: target.origin, registrar: target.registrar, now: target.now, run: BenchWorkload.runTag())
        say("setting up \(workload.meetings.count) buildings and \(ballots) owners' keys over HTTP …")
        for phase in workload.setup { _ = try post(phase, to: target.url, connections: min(connections, 16)) }
        say("posting \(ballots) ballots over \(connections) connections …")
        let cpuStart = processCPUSeconds()
        let ingest = try post(workload.ballots, to: target.url, connections: connections)
        let cpu = processCPUSeconds() - cpuStart
        let perSecond = Double(ballots) / ingest.seconds
        let ratio = perSecond / (Double(cores) * rate)

        say("GET /v1/checkpoint over \(connections) connections for \(seconds) s …")
        let checkpoint = try HTTPLoadGenerator.run(
            HTTPLoadGenerator.Configuration(url: target.url.with(target: "/v1/checkpoint"), connections: connections, threads: 2, duration: .seconds(seconds)))
        guard checkpoint.errors == 0, checkpoint.statusCounts.keys.allSatisfy({ $0 == 200 }) else {
            throw CLIFailure("checkpoint reads failed: \(checkpoint.errors) errors, statuses \(checkpoint.statusCounts)")
        }
        let p99 = Double(checkpoint.latencyP99Microseconds) / 1000

        if json {
            BenchSupport.printJSON(
                [
                    ("ingest_per_s", perSecond.rounded()), ("verify_per_s_single_core", rate.rounded()), ("cores", Double(cores)),
                    ("ratio", ratio), ("checkpoint_rps", checkpoint.requestsPerSecond.rounded()), ("checkpoint_p99_ms", p99),
                ], console: console)
        } else {
            console.out("")
            console.out("ballots posted          \(ballots) in \(BenchSupport.fixed(ingest.seconds)) s, all 201 (p50 \(ingest.report.latencyP50Microseconds / 1000) ms, p99 \(ingest.report.latencyP99Microseconds / 1000) ms)")
            console.out("HTTP ballots/s          \(Int(perSecond))")
            console.out("Ed25519 verify/s, 1 core \(Int(rate))  (\(source))")
            console.out("ratio                   \(BenchSupport.fixed(ratio)) = ballots/s ÷ (\(cores) cores × verify/s)   target ≥ 0.60")
            if target.isInProcess {
                console.out("CPU per ballot          \(Int(cpu * 1e6 / Double(ballots))) µs, server and load generator together (one verify is \(Int(1e6 / rate)) µs)")
            }
            console.out("GET /v1/checkpoint      \(Int(checkpoint.requestsPerSecond)) req/s, p50 \(BenchSupport.fixed(Double(checkpoint.latencyP50Microseconds) / 1000, 3)) ms, p99 \(BenchSupport.fixed(p99, 3)) ms")
        }
        return 0
    }

    /// POSTs every envelope over `connections` keep-alive connections; all must be 201.
    static func post(_ bodies: [[UInt8]], to url: HTTPURL, connections: Int) throws -> (accepted: Int, seconds: Double, report: HTTPLoadGenerator.Report) {
        var configuration = HTTPLoadGenerator.Configuration(url: url, connections: max(1, min(connections, bodies.count)), threads: 2, duration: .seconds(3_600))
        configuration.timeout = .seconds(60)
        configuration.makeRequest = { index in
            guard index < bodies.count else { return nil }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            return HTTPClientRequest(method: "POST", target: "/v1/commands", headers: headers, body: bodies[index])
        }
        let report = try HTTPLoadGenerator.run(configuration)
        let accepted = report.statusCounts[201] ?? 0
        guard accepted == bodies.count else {
            throw CLIFailure("\(accepted) of \(bodies.count) commands were accepted (statuses \(report.statusCounts), \(report.errors) errors)")
        }
        let elapsed = report.elapsed.components
        return (accepted, Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18, report)
    }

    /// The server under test.
    final class Target: CustomStringConvertible {
        let url: HTTPURL
        let origin: String
        let registrar: SigningKey
        let now: Timestamp
        private let local: (server: HTTPServer, store: LedgerStore, directory: String)?

        var isInProcess: Bool { local != nil }
        var description: String { isInProcess ? "in this process, temporary data directory" : "remote" }

        private init(url: HTTPURL, origin: String, registrar: SigningKey, now: Timestamp, local: (HTTPServer, LedgerStore, String)?) {
            self.url = url
            self.origin = origin
            self.registrar = registrar
            self.now = now
            self.local = local
        }

        /// A fresh data directory served in this process.
        static func inProcess() throws -> Target {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("veche-bench-http-\(getpid())-\(UUID().uuidString)").path
            let registrar = try SigningKey.generate(algorithm: .ed25519)
            let origin = "bench.example.ru/http"
            _ = try LedgerStore.initialize(directory: directory, origin: origin, registrars: [registrar.publicKey])
            let store = try LedgerStore(directory: directory)
            let api = VecheAPI(store: store)
            let server = HTTPServer(configuration: VecheAPI.serverConfiguration(host: "127.0.0.1", port: 0), handler: { await api.handle($0) })
            do {
                try server.start()
            } catch {
                store.close()
                throw CLIFailure("cannot start the in-process server: \(error)")
            }
            return Target(
                url: try HTTPURL("http://127.0.0.1:\(server.port)"), origin: origin, registrar: registrar, now: SystemClock.now(),
                local: (server, store, directory))
        }

        /// A running server: its origin from the checkpoint, its clock from the last entry.
        static func remote(url: HTTPURL, registrar: SigningKey) throws -> Target {
            let client = HTTPClient(url: url)
            defer { client.close() }
            do {
                let checkpoint = try client.get("/v1/checkpoint")
                guard checkpoint.status.code == 200, let parsed = try? SignedCheckpoint(parsing: String(decoding: checkpoint.body, as: UTF8.self)) else {
                    throw CLIFailure("\(url) gives no checkpoint (status \(checkpoint.status.code))")
                }
                let size = parsed.checkpoint.size
                let last = try client.get("/v1/entries?from=\(size - 1)&limit=1")
                let line = last.body.split(separator: 0x0A).first.map(Array.init) ?? []
                guard let entry = try? LedgerEntry(json: try CanonicalJSON.parse(line)) else {
                    throw CLIFailure("\(url) does not serve its last entry")
                }
                return Target(url: url, origin: parsed.checkpoint.origin, registrar: registrar, now: max(SystemClock.now(), entry.time), local: nil)
            } catch let error as HTTPError {
                throw CLIFailure("cannot reach \(url): \(error.message)")
            }
        }

        func stop() {
            guard let local else { return }
            local.server.beginShutdown(gracePeriod: .seconds(5))
            local.server.blockUntilStopped()
            local.store.close()
            try? FileManager.default.removeItem(atPath: local.directory)
        }
    }
}
