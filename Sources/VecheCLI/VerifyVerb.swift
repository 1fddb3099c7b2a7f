import Foundation
import VecheLedger

/// `veche verify RECORD [--key KEY]`: the auditor's tool.
struct VerifyVerb: Verb {
    static let name = ["verify"]
    static let summary = "re-verify an election record from scratch, trusting nobody"
    static let usage = "verify RECORD [--key VKEY_OR_KEY] [--json]"
    static let discussion = """
        Checks every line of the record: canonical JSON, the prev hash chain, the Merkle root
        against the checkpoint and its signature (by the genesis operator key, and by --key
        when given), every command signature, every authority and rule decision (by replaying
        the same state machine the server uses), and recomputes every meeting.close result.
        Prints every failure on its own line (`seq N: …`, `checkpoint: …`, `record: …`) and a
        summary. Exit 0 when everything holds, 1 on any failure, 2 on usage errors or an
        unreadable file. --key takes the operator key itself: a note vkey
        (`origin+keyid+base64`) or `ed25519:…`.
        """
    static let options: [OptionSpec] = [
        OptionSpec("--key", .value, valueName: "KEY", help: "the trusted operator key (note vkey or ed25519:…)"),
        OptionSpec("--json", .flag, help: "print the summary as one JSON object"),
    ]

    static func run(_ arguments: ParsedArguments, console: Console) throws -> Int32 {
        try arguments.expectPositionals(1...1, what: "RECORD")
        let path = arguments.positionals[0]
        var trusted: TrustedKey?
        if let key = arguments.value("--key") {
            do {
                trusted = try TrustedKey(key)
            } catch {
                throw UsageError("--key is neither a note vkey nor an ed25519: key string: \(error)")
            }
        }
        let reader: LineReader
        do {
            reader = try LineReader(path: path)
        } catch {
            throw CLIFailure(exitCode: 2, "cannot read \(path): \(error.localizedDescription)")
        }
        let totalBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? nil
        let started = ContinuousClock.now
        var lastDraw = started
        var linesDone = 0
        let report: VerificationReport
        do {
            report = try RecordVerifier(trustedKey: trusted).verify(
                nextLine: { try reader.next().map { ($0.bytes, $0.terminated) } },
                progress: { count in
                    linesDone += count
                    guard console.errIsTerminal, ContinuousClock.now - lastDraw > .milliseconds(200) else { return }
                    lastDraw = ContinuousClock.now
                    let percent = totalBytes.map { $0 > 0 ? " (\(reader.bytesRead * 100 / $0) %)" : "" } ?? ""
                    console.writeErr(Array("\r  verifying: \(linesDone) lines\(percent)   ".utf8))
                })
        } catch let error as LineReader.ReadError {
            throw CLIFailure(exitCode: 2, "cannot read \(path): \(error)")
        }
        if console.errIsTerminal && linesDone > 0 { console.writeErr(Array("\r\u{1B}[K".utf8)) }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        for failure in report.failures { console.out(failure.description) }
        if arguments.flag("--json") {
            let summary: JSONValue = [
                "valid": .bool(report.isValid), "entries": .integer(Int64(report.entries)),
                "meetings": .integer(Int64(report.meetings)), "ballots": .integer(Int64(report.ballots)),
                "results_recomputed": .integer(Int64(report.closes)), "failures": .integer(Int64(report.failures.count)),
                "milliseconds": .integer(Int64(seconds * 1000)),
            ]
            console.writeOut(CanonicalJSON.serialize(summary) + [0x0A])
        } else {
            let verdict = report.isValid ? "OK" : "FAILED (\(report.failures.count) failure\(report.failures.count == 1 ? "" : "s"))"
            let origin = report.origin.map { " of \($0)" } ?? ""
            console.out(
                "\(verdict): \(report.entries) entries\(origin), \(report.meetings) meetings, \(report.ballots) ballots, "
                    + "\(report.closes) results recomputed, in \(String(format: "%.2f", seconds)) s")
        }
        return report.isValid ? 0 : 1
    }
}
