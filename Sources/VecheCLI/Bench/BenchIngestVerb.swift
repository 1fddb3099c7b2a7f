import Foundation
import VecheCore
import VecheCrypto
import VecheHTTP
import VecheLedger
import VecheStore

/// `veche bench ingest`: durable ballots per second through the store, and the figures of a
/// ledger of a million entries (open time, inclusion-proof latency, serving memory).
struct BenchIngestVerb: Verb {
    static let name = ["bench", "ingest"]
    static let summary = "benchmark durable ingest (ballots/s vs OpenSSL's Ed25519 rate) and a 1M-entry ledger"
    static let usage = "bench ingest [--ballots N] [--entries N] [--dir DIR] [--concurrency N] [--openssl-seconds S] [--json]"
    static let discussion = """
        Ingest: initialises a temporary data directory, registers buildings of 2,000 owners,
        binds their keys and opens one meeting per building, signs N ballots (not timed), then
        submits them all from many concurrent tasks through LedgerStore.submit(body:) — the
        path POST /v1/commands takes, minus HTTP: parse and signature check on the caller's
        task, rules and append on the sequencer, one fsync per group commit — and times until
        every receipt is back. Prints ballots/s beside this machine's single-core Ed25519
        verify rate from `openssl speed` in the same run, and the ratio
        ballots/s ÷ (cores × verify rate).

        Large ledger: generates a realistic record of about --entries entries (the generator
        of bench verify) and loads it straight into a data directory (BulkLoader: every entry
        through the same rules and projections, signatures not re-checked, big transactions),
        unless --dir names an existing data directory, which is reused (a missing one is
        created there and kept). Then measures opening it (LedgerStore.init, best of 3, warm
        page cache), the median latency of 2,000 inclusion proofs of random entries, and the
        peak resident memory (VmHWM) of a `veche serve` child process on it after it has
        ingested a building of 2,000 owners with their ballots over HTTP and answered
        proofs, entries, checkpoints and meetings. --entries 0 skips this part.
        """
    static let options: [OptionSpec] = [
        OptionSpec("--ballots", .value, valueName: "N", help: "ballots to ingest (default 20000)"),
        OptionSpec("--entries", .value, valueName: "N", help: "size of the large ledger (default 1000000; 0 skips it)"),
        OptionSpec("--dir", .value, valueName: "DIR", help: "reuse (or keep) the large ledger's data directory here"),
        OptionSpec("--concurrency", .value, valueName: "N", help: "submissions in flight (default 1024)"),
        OptionSpec("--openssl-seconds", .value, valueName: "S", help: "length of the openssl speed run (default 3)"),
        OptionSpec("--json", .flag, help: "print one JSON object"),
    ]

    static func run(_ arguments: ParsedArguments, console: Console) throws -> Int32 {
        try arguments.expectPositionals(0...0, what: "nothing")
        let ballots = try arguments.integer("--ballots", default: 20_000, in: 100...2_000_000)
        let entries = try arguments.integer("--entries", default: 1_000_000, in: 0...50_000_000)
        let concurrency = try arguments.integer("--concurrency", default: 1024, in: 1...16_384)
        let opensslSeconds = try arguments.integer("--openssl-seconds", default: 3, in: 1...30)
        guard entries == 0 || entries >= 3_050 else { throw UsageError("--entries must be 0 or at least 3050 (one generated building)") }
        let json = arguments.flag("--json")
        func say(_ line: String) { if !json { console.out(line) } }

        say("measuring single-core Ed25519 verification with OpenSSL …")
        let (rate, source) = BenchSupport.ed25519VerifyRate(seconds: opensslSeconds)
        let cores = BenchSupport.cores
        say("  \(Int(rate)) verifications/s on one core (\(source)); \(cores) cores")

        say("ingest: preparing \(ballots) signed ballots …")
        let ingest = try measureIngest(ballots: ballots, concurrency: concurrency, say: say)
        let ratio = ingest.perSecond / (Double(cores) * rate)

        var large: LargeLedgerFigures?
        if entries > 0 {
            large = try measureLargeLedger(entries: entries, directory: arguments.value("--dir"), say: say)
        }

        if json {
            BenchSupport.printJSON(
                [
                    ("ingest_per_s", ingest.perSecond.rounded()), ("verify_per_s_single_core", rate.rounded()), ("cores", Double(cores)),
                    ("ratio", ratio), ("open_s", large?.openSeconds ?? 0), ("proof_ms", large?.proofMilliseconds ?? 0),
                    ("peak_rss_mib", (large?.peakMiB ?? 0).rounded()),
                ], console: console)
        } else {
            console.out("")
            console.out("ballots ingested        \(ballots) in \(BenchSupport.fixed(ingest.seconds)) s (\(ingest.commits) group commits, largest \(ingest.largestGroup))")
            console.out("durable ballots/s       \(Int(ingest.perSecond))")
            console.out("Ed25519 verify/s, 1 core \(Int(rate))  (\(source))")
            console.out("ratio                   \(BenchSupport.fixed(ratio)) = ballots/s ÷ (\(cores) cores × verify/s)   target ≥ 0.80")
            console.out("CPU per ballot          \(Int(ingest.cpuMicroseconds)) µs (one verify is \(Int(1e6 / rate)) µs: \(BenchSupport.fixed(1e6 / rate / ingest.cpuMicroseconds)) of the CPU is the signature check)")
            if let large {
                console.out("ledger size             \(large.size) entries")
                console.out("open                    \(BenchSupport.fixed(large.openSeconds * 1000, 1)) ms   target < 1000")
                console.out("inclusion proof         median \(BenchSupport.fixed(large.proofMilliseconds, 3)) ms, p99 \(BenchSupport.fixed(large.proofP99Milliseconds, 3)) ms   target < 1")
                console.out("serving process memory  \(Int(large.peakMiB.rounded())) MiB peak (VmHWM)   target < 200")
                console.out("  (it ingested \(large.servedBallots) ballots over HTTP at \(Int(large.servedBallotsPerSecond))/s at that size)")
            }
        }
        return 0
    }

    // MARK: - ingest

    struct IngestFigures {
        let seconds: Double
        let perSecond: Double
        let cpuMicroseconds: Double
        let commits: Int
        let largestGroup: Int
    }

    static func measureIngest(ballots count: Int, concurrency: Int, say: (String) -> Void) throws -> IngestFigures {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("veche-bench-ingest-\(getpid())-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let registrar = try SigningKey.generate(algorithm: .ed25519)
        let origin = "bench.example.ru/ingest"
        _ = try LedgerStore.initialize(directory: directory, origin: origin, registrars: [registrar.publicKey])
        let workload = try BenchWorkload.make(ballots: count, origin: origin, registrar: registrar, now: SystemClock.now(), run: BenchWorkload.runTag())
        let store = try LedgerStore(directory: directory)
        defer { store.close() }
        say("ingest: setting up \(workload.meetings.count) buildings and \(count) owners' keys …")
        for phase in workload.setup {
            try blockingAwait { try await submitAll(phase, to: store, concurrency: concurrency) }
        }
        let before = store.ingestMetrics
        say("ingest: submitting \(count) ballots …")
        let cpuStart = processCPUSeconds()
        let started = ContinuousClock.now
        try blockingAwait { try await submitAll(workload.ballots, to: store, concurrency: concurrency) }
        let seconds = BenchSupport.elapsedSeconds(since: started)
        let cpu = processCPUSeconds() - cpuStart
        let after = store.ingestMetrics
        guard after.commands["ballot.cast"]?["accepted"] == count else {
            throw CLIFailure("not every ballot was accepted: \(after.commands["ballot.cast"] ?? [:])")
        }
        return IngestFigures(
            seconds: seconds, perSecond: Double(count) / seconds, cpuMicroseconds: cpu * 1e6 / Double(count),
            commits: after.commits - before.commits, largestGroup: after.largestGroup)
    }

    /// Submits every envelope with at most `concurrency` in flight; each must be accepted.
    static func submitAll(_ bodies: [[UInt8]], to store: LedgerStore, concurrency: Int) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func add() {
                let body = bodies[next]
                next += 1
                group.addTask {
                    guard case .accepted = try await store.submit(body: body) else {
                        throw CLIFailure("a benchmark command was answered as a repeat")
                    }
                }
            }
            while next < min(concurrency, bodies.count) { add() }
            while try await group.next() != nil {
                if next < bodies.count { add() }
            }
        }
    }

    // MARK: - the large ledger

    struct LargeLedgerFigures {
        let size: Int
        let openSeconds: Double
        let proofMilliseconds: Double
        let proofP99Milliseconds: Double
        let peakMiB: Double
        let servedBallots: Int
        let servedBallotsPerSecond: Double
    }

    static func measureLargeLedger(entries: Int, directory: String?, say: (String) -> Void) throws -> LargeLedgerFigures {
        let path = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("veche-bench-ledger-\(getpid())").path
        defer { if directory == nil { try? FileManager.default.removeItem(atPath: path) } }
        if !FileManager.default.fileExists(atPath: LedgerStorePath.database(path)) {
            say("large ledger: generating and loading about \(entries) entries into \(path) (once; reuse it with --dir) …")
            let started = ContinuousClock.now
            let size = try withoutActuallyEscaping(say) { say in try build(entries: entries, at: path) { done in say("  \(done) entries …") } }
            say("  \(size) entries in \(BenchSupport.fixed(BenchSupport.elapsedSeconds(since: started), 1)) s")
        }

        say("large ledger: opening …")
        var opens: [Double] = []
        for _ in 0..<3 {
            let started = ContinuousClock.now
            let store = try LedgerStore(directory: path)
            opens.append(BenchSupport.elapsedSeconds(since: started))
            store.close()
        }
        let store = try LedgerStore(directory: path)
        let size = store.size
        let root = store.latestCheckpoint.checkpoint.rootHash
        say("large ledger: \(size) entries; timing 2,000 inclusion proofs …")
        var latencies: [Double] = []
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let seq = Int.random(in: 0..<size, using: &generator)
            let started = ContinuousClock.now
            let proof = try store.inclusionProof(seq: seq, size: size)
            latencies.append(BenchSupport.elapsedSeconds(since: started) * 1000)
            guard Merkle.verifyInclusion(leafHash: try store.leaf(seq: seq), index: seq, size: size, proof: proof, root: root) else {
                throw CLIFailure("the inclusion proof of entry \(seq) does not verify")
            }
        }
        store.close()
        latencies.sort()

        say("large ledger: measuring a veche serve process on it …")
        let served = try measureServingProcess(directory: path, size: size)
        return LargeLedgerFigures(
            size: size, openSeconds: opens.min() ?? 0, proofMilliseconds: latencies[latencies.count / 2],
            proofP99Milliseconds: latencies[latencies.count * 99 / 100], peakMiB: served.peakMiB,
            servedBallots: served.ballots, servedBallotsPerSecond: served.ballotsPerSecond)
    }

    /// Generates a synthetic record and bulk-loads it into a new data directory.
    static func build(entries: Int, at path: String, progress: @escaping (Int) -> Void) throws -> Int {
        let loader = try BulkLoader(directory: path, operatorKey: .ed25519(SyntheticRecord.operatorKey()))
        var parameters = SyntheticRecord.Parameters()
        parameters.premisesPerBuilding = 310
        parameters.meetingsPerBuilding = 10
        parameters.rules = .generic
        parameters.buildings = max(1, entries / 3_050)
        _ = try SyntheticRecord.generate(parameters) { line in
            try loader.append(line: line)
            if loader.size % 100_000 == 0 { progress(loader.size) }
        }
        return try loader.finish()
    }

    /// The serving process's peak memory after a realistic mix of requests, including
    /// ingest of a new building's ballots.
    static func measureServingProcess(directory: String, size: Int) throws -> (peakMiB: Double, ballots: Int, ballotsPerSecond: Double) {
        let child = try ServeChild(directory: directory)
        defer { child.stop() }
        let url = try HTTPURL(try child.listeningURL(timeout: .seconds(60)))
        let client = HTTPClient(url: url)
        defer { client.close() }
        let last = try client.get("/v1/entries?from=\(size - 1)&limit=1")
        let lastTime = try LedgerEntry(json: try CanonicalJSON.parse(last.body.split(separator: 0x0A).first.map(Array.init) ?? [])).time
        let now = max(SystemClock.now(), lastTime)
        let ballots = 2_000
        let workload = try BenchWorkload.make(
            ballots: ballots, origin: SyntheticRecord.origin, registrar: SyntheticRecord.registrarKey(), now: now, run: BenchWorkload.runTag())
        for phase in workload.setup { _ = try BenchHTTPVerb.post(phase, to: url, connections: 16) }
        let ingest = try BenchHTTPVerb.post(workload.ballots, to: url, connections: 64)
        guard ingest.accepted == ballots else { throw CLIFailure("the serving process accepted \(ingest.accepted) of \(ballots) ballots") }
        // Reads across the whole ledger: proofs, entries, checkpoints, meetings of the
        // generated buildings B1…Bn (n found by bisection; each has meetings M1…M10).
        var low = 0
        var high = 1
        while try client.get("/v1/buildings/B\(high)").status.code == 200 { (low, high) = (high, high * 2) }
        while high - low > 1 {
            let middle = (low + high) / 2
            if try client.get("/v1/buildings/B\(middle)").status.code == 200 { low = middle } else { high = middle }
        }
        let buildings = max(1, low)
        var configuration = HTTPLoadGenerator.Configuration(url: url, connections: 16, threads: 2, duration: .seconds(120))
        configuration.makeRequest = { index in
            guard index < 6_000 else { return nil }
            let seq = Int.random(in: 0..<size)
            switch index % 6 {
            case 0, 1: return HTTPClientRequest(target: "/v1/proofs/inclusion?seq=\(seq)")
            case 2: return HTTPClientRequest(target: "/v1/entries?from=\(seq)&limit=100")
            case 3: return HTTPClientRequest(target: "/v1/checkpoint")
            case 4: return HTTPClientRequest(target: "/v1/meetings/B\(1 + seq % buildings)-M\(1 + seq % 10)")
            default: return HTTPClientRequest(target: "/v1/proofs/consistency?from=\(max(1, seq))")
            }
        }
        let reads = try HTTPLoadGenerator.run(configuration)
        guard reads.errors == 0, reads.statusCounts.keys.allSatisfy({ $0 == 200 }) else {
            throw CLIFailure("reads from the serving process failed: \(reads.errors) errors, statuses \(reads.statusCounts)")
        }
        return (child.peakResidentMiB, ballots, Double(ballots) / ingest.seconds)
    }
}

/// Where a data directory keeps its database.
enum LedgerStorePath {
    static func database(_ directory: String) -> String {
        (directory as NSString).appendingPathComponent(LedgerStore.Files.database)
    }
}
