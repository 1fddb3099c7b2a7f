import Foundation
import VecheCore
import VecheLedger

/// `veche bench verify`: the auditor's throughput on a large generated record.
struct BenchVerifyVerb: Verb {
    static let name = ["bench", "verify"]
    static let summary = "benchmark veche verify on a generated record (entries/s vs OpenSSL's Ed25519 rate)"
    static let usage = "bench verify [--entries N] [--record FILE] [--json]"
    static let discussion = """
        Generates a realistic record of about N entries (buildings of 310 premises, ten
        meetings each with own, proxy and paper ballots), unless --record names an existing
        file (which is then reused; a missing one is generated there and kept). Measures
        `openssl speed ed25519` on one core in the same run, verifies the record on all cores
        and reports entries/s, the ratio entries/s ÷ (cores × single-core verify rate), peak
        memory during verification, and the time to recompute one meeting of 100,000 ballots.
        """
    static let options: [OptionSpec] = [
        OptionSpec("--entries", .value, valueName: "N", help: "approximate record size (default 1000000)"),
        OptionSpec("--record", .value, valueName: "FILE", help: "reuse (or keep) the generated record here"),
        OptionSpec("--json", .flag, help: "print one JSON object"),
    ]

    static func run(_ arguments: ParsedArguments, console: Console) throws -> Int32 {
        try arguments.expectPositionals(0...0, what: "nothing")
        let entries = try arguments.integer("--entries", default: 1_000_000, in: 1_000...50_000_000)
        let json = arguments.flag("--json")
        func say(_ line: String) { if !json { console.out(line) } }

        let keep = arguments.value("--record")
        let path = keep ?? FileManager.default.temporaryDirectory.appendingPathComponent("veche-bench-\(getpid()).jsonl").path
        defer { if keep == nil { try? FileManager.default.removeItem(atPath: path) } }
        if !FileManager.default.fileExists(atPath: path) {
            say("generating a record of about \(entries) entries …")
            let started = ContinuousClock.now
            let summary = try generate(entries: entries, path: path)
            say("  \(summary.entries) entries, \(summary.meetings) meetings, \(summary.ballots) ballots in \(BenchSupport.fixed(BenchSupport.elapsedSeconds(since: started), 1)) s")
        }

        say("measuring single-core Ed25519 verification with OpenSSL …")
        let (rate, source) = BenchSupport.ed25519VerifyRate()
        let cores = BenchSupport.cores
        say("  \(Int(rate)) verifications/s on one core (\(source)); \(cores) cores")

        say("verifying …")
        BenchSupport.resetPeakResident()
        let reader = try LineReader(path: path)
        let started = ContinuousClock.now
        let report = try RecordVerifier().verify(nextLine: { try reader.next().map { ($0.bytes, $0.terminated) } })
        let seconds = BenchSupport.elapsedSeconds(since: started)
        let peak = BenchSupport.peakResidentMiB()
        guard report.isValid else {
            throw CLIFailure("the generated record did not verify: \(report.failures.prefix(3).map(\.description).joined(separator: "; "))")
        }
        let perSecond = Double(report.entries) / seconds
        let ratio = perSecond / (Double(cores) * rate)

        let tally = tallyHundredThousand()
        if json {
            BenchSupport.printJSON(
                [
                    ("entries_per_s", perSecond.rounded()), ("verify_per_s_single_core", rate.rounded()), ("cores", Double(cores)),
                    ("ratio", ratio), ("peak_rss_mib", peak.rounded()), ("tally_100k_s", tally),
                ], console: console)
        } else {
            console.out("")
            console.out("entries verified        \(report.entries) in \(BenchSupport.fixed(seconds)) s")
            console.out("entries/s               \(Int(perSecond))")
            console.out("Ed25519 verify/s, 1 core \(Int(rate))  (\(source))")
            console.out("ratio                   \(BenchSupport.fixed(ratio)) = entries/s ÷ (\(cores) cores × verify/s)   target ≥ 0.90")
            console.out("peak memory (verify)    \(Int(peak)) MiB   target < 300")
            console.out("tally of 100k ballots   \(BenchSupport.fixed(tally, 3)) s   target < 1")
        }
        return 0
    }

    /// Writes a generated record to `path`.
    static func generate(entries: Int, path: String) throws -> SyntheticRecord.Summary {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw CLIFailure("cannot create \(path)")
        }
        defer { try? handle.close() }
        var parameters = SyntheticRecord.Parameters()
        parameters.premisesPerBuilding = 310
        parameters.meetingsPerBuilding = 10
        parameters.rules = .generic
        parameters.buildings = max(1, entries / 3_050)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        let summary = try SyntheticRecord.generate(parameters) { line in
            buffer += line
            if buffer.count >= 1 << 20 {
                try handle.write(contentsOf: buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try handle.write(contentsOf: buffer)
        return summary
    }

    /// Seconds to admit 100,000 ballots into one meeting's tally and compute its result.
    static func tallyHundredThousand() -> Double {
        var premises: [Premises] = []
        for index in 0..<100_000 {
            let area = Rational(BigInt(3_000 + index % 7_000), BigInt(100))
            premises.append(Premises(number: String(index), kind: .residential, area: area, areaText: area.decimalString(places: 2), stakes: [Stake(holders: ["o\(index)"], share: .one, shareText: "1")]))
        }
        let register = Register(building: "bench", address: "bench", premises: premises)
        let opens = Timestamp(milliseconds: 1_800_000_000_000)
        let spec = MeetingSpec(
            id: "bench", rules: .generic, revote: .lastCounts, opensAt: opens, closesAt: Timestamp(milliseconds: opens.milliseconds + 86_400_000),
            items: (1...4).map { AgendaItem(item: String($0), threshold: .participantsMajority) })
        let marks: [Mark] = [.for, .against, .abstain]
        let ballots = (0..<100_000).map { index in
            Ballot(owner: "o\(index)", source: .own, choices: ["1": .single(marks[index % 3]), "2": .single(marks[(index / 3) % 3]), "3": .single(.for)], time: Timestamp(milliseconds: opens.milliseconds + Int64(index)))
        }
        let started = ContinuousClock.now
        let (result, refusals) = Tally.run(meeting: spec, register: register, ballots: ballots)
        let seconds = BenchSupport.elapsedSeconds(since: started)
        precondition(refusals.isEmpty && result.ballots == 100_000, "the benchmark tally refused ballots")
        return seconds
    }
}
