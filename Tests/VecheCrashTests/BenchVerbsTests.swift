import Foundation
import Testing

/// The benchmark verbs run end to end (tiny sizes) and print exactly the documented keys,
/// with figures that hold together.
@Suite(.serialized) struct BenchVerbsTests {
    /// Runs `veche` and parses its one-line JSON output (Foundation: the figures have fractions).
    static func json(_ arguments: [String]) throws -> [String: Double] {
        let result = try VecheBinary.run(arguments, timeout: .seconds(240))
        guard result.status == 0 else { throw CrashTestFailure("veche \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)") }
        let lines = result.stdout.split(separator: "\n")
        guard lines.count == 1, let object = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any] else {
            throw CrashTestFailure("not one JSON object: \(result.stdout)")
        }
        var figures: [String: Double] = [:]
        for (key, value) in object {
            guard let number = value as? NSNumber else { throw CrashTestFailure("\(key) is not a number") }
            figures[key] = number.doubleValue
        }
        return figures
    }

    static func checkRatio(_ figures: [String: Double]) {
        let ingest = figures["ingest_per_s"] ?? 0
        let verify = figures["verify_per_s_single_core"] ?? 0
        let cores = figures["cores"] ?? 0
        #expect(ingest > 0 && verify > 0 && cores >= 1)
        let expected = ingest / (cores * verify)
        #expect(abs((figures["ratio"] ?? -1) - expected) <= expected * 0.01 + 0.0001, "ratio \(figures["ratio"] ?? -1) is not \(expected)")
    }

    @Test func benchIngestPrintsExactlyItsKeysAndTheLargeLedgerFigures() async throws {
        let figures = try await onThread {
            try Self.json(["bench", "ingest", "--ballots", "300", "--entries", "3050", "--openssl-seconds", "1", "--json"])
        }
        #expect(Set(figures.keys) == ["ingest_per_s", "verify_per_s_single_core", "cores", "ratio", "open_s", "proof_ms", "peak_rss_mib"])
        Self.checkRatio(figures)
        #expect((figures["open_s"] ?? 0) > 0)
        #expect((figures["proof_ms"] ?? 0) > 0)
        #expect((figures["peak_rss_mib"] ?? 0) > 1)
    }

    @Test func benchHTTPPrintsExactlyItsKeys() async throws {
        let figures = try await onThread {
            try Self.json(["bench", "http", "--ballots", "300", "--seconds", "1", "--connections", "8", "--openssl-seconds", "1", "--json"])
        }
        #expect(Set(figures.keys) == ["ingest_per_s", "verify_per_s_single_core", "cores", "ratio", "checkpoint_rps", "checkpoint_p99_ms"])
        Self.checkRatio(figures)
        #expect((figures["checkpoint_rps"] ?? 0) > 0)
        #expect((figures["checkpoint_p99_ms"] ?? 0) > 0)
    }

    @Test func benchHTTPAgainstAServerNeedsTheRegistrarKey() async throws {
        let result = try await onThread {
            try VecheBinary.run(["bench", "http", "--server", "http://127.0.0.1:9"])
        }
        #expect(result.status == 2)
        #expect(result.stderr.contains("--registrar-key"))
    }
}
