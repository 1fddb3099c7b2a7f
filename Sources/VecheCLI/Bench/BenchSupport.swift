import Foundation
import VecheCrypto
import VecheLedger

/// Shared measurements for the `veche bench` verbs. Benchmarks report ratios against a
/// reference measured in the same run, because machines are noisy.
enum BenchSupport {
    /// Processors available to this process.
    static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// This machine's single-core Ed25519 verifications per second, measured by `openssl speed`
    /// (falling back to timing OpenSSL through our own wrapper when the binary is missing).
    static func ed25519VerifyRate(seconds: Int = 3) -> (rate: Double, source: String) {
        if let output = run("/usr/bin/openssl", ["speed", "-seconds", String(seconds), "-mr", "ed25519"]) {
            // Machine-readable line: +F6:<n>:253:Ed25519:<sign/s>:<verify/s>
            for line in output.split(separator: "\n") where line.hasPrefix("+F6:") {
                let fields = line.split(separator: ":")
                if fields.count >= 6, let rate = Double(fields[5]) { return (rate, "openssl speed ed25519") }
            }
        }
        return (inProcessVerifyRate(seconds: Double(seconds)), "OpenSSL via Veche's wrapper")
    }

    private static func inProcessVerifyRate(seconds: Double) -> Double {
        let key = try! Ed25519.PrivateKey(seed: SHA256.hash(Array("bench".utf8)))
        let message = Array("veche bench".utf8)
        let signature = try! key.sign(message)
        let start = ContinuousClock.now
        var count = 0
        while ContinuousClock.now - start < .seconds(seconds) {
            for _ in 0..<100 where Ed25519.verify(publicKey: key.publicKey, signature: signature, message: message) { count += 1 }
        }
        return Double(count) / elapsedSeconds(since: start)
    }

    /// Runs a program and returns its standard output, or nil if it cannot run or fails.
    static func run(_ path: String, _ arguments: [String]) -> String? {
        guard FileManager.default.isExecutableFile(atPath: path) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Seconds since `start`.
    static func elapsedSeconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Peak resident memory of this process (VmHWM) in MiB.
    static func peakResidentMiB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kib = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kib / 1024
        }
        return 0
    }

    /// Resets the peak-memory mark so the next phase is measured alone (Linux ≥ 4.0).
    static func resetPeakResident() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    /// A figure with two decimals.
    static func fixed(_ value: Double, _ places: Int = 2) -> String { String(format: "%.\(places)f", value) }

    /// Prints the figures as one JSON object (numbers as JSON numbers with fractions: this is
    /// an output for tracking, not signed data).
    static func printJSON(_ pairs: [(String, Double)], console: Console) {
        let body = pairs.map { key, value in
            value == value.rounded() && abs(value) < 1e15 ? "\"\(key)\":\(Int64(value))" : "\"\(key)\":\(fixed(value, 4))"
        }.joined(separator: ",")
        console.out("{\(body)}")
    }
}
