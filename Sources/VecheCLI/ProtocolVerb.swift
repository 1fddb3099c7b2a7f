import Foundation
import VecheHTTP
import VecheLedger
import VecheReport
import VecheStore

/// `veche protocol DIR|--server URL --meeting ID --format FORMAT [--names FILE]`.
struct ProtocolVerb: Verb {
    static let name = ["protocol"]
    static let summary = "render a meeting's protocol (Минстрой 266/пр) as html, md, json or csv"
    static let usage = "protocol (DIR | --server URL) --meeting ID [--format html|md|json|csv] [--names FILE] [--out FILE]"
    static let discussion = """
        Builds the protocol from the ledger — a data directory (read only, safe while veche
        serve runs) or a server's election record (GET /v1/meetings/ID/record) — and refuses if
        the recorded meeting.close result differs from a recount of the ballots. The document
        carries the checkpoint so a reader can verify the numbers against the ledger. Without
        --names only pseudonymous owner ids appear; --names joins names from a CSV `owner;name`
        for authorised readers. Writes to standard output unless --out names a new file.
        """
    static let options = [
        OptionSpec("--server", .value, valueName: "URL", help: "read the record from a server instead of a directory"),
        OptionSpec("--meeting", .value, valueName: "ID", help: "the meeting id"),
        OptionSpec("--format", .value, valueName: "FORMAT", help: "html (default), md, json or csv"),
        OptionSpec("--names", .value, valueName: "FILE", help: "CSV of owner;name to show names (authorised readers only)"),
        OptionSpec("--out", .value, valueName: "FILE", help: "write to this new file"),
    ]

    static func run(_ arguments: ParsedArguments, console: Console) throws -> Int32 {
        let meeting = try arguments.required("--meeting")
        let formatName = arguments.value("--format") ?? "html"
        guard let format = ProtocolFormat(rawValue: formatName) else { throw UsageError("--format must be html, md, json or csv") }
        var names: [String: String]?
        if let path = arguments.value("--names") {
            let input = try BoundedInput.read(path, limit: 16 << 20, console: console)
            do {
                names = try OwnerNames.parse(bytes: input.bytes)
            } catch {
                throw CLIFailure("\(path): \(error)")
            }
        }
        let entries: [(entry: LedgerEntry, leaf: [UInt8])]
        let checkpoint: String
        if let server = arguments.value("--server") {
            try arguments.expectPositionals(0...0, what: "nothing besides --server")
            let url: HTTPURL
            do { url = try HTTPURL(server) } catch { throw UsageError("--server: \(error.message)") }
            let client = HTTPClient(url: url, maxResponseBodyBytes: 1 << 30)
            defer { client.close() }
            let response: HTTPResponse
            do {
                response = try client.get("/v1/meetings/\(meeting)/record")
            } catch {
                throw CLIFailure("cannot reach \(url.authority): \(error.message)")
            }
            guard response.status.code == 200 else { throw CLIFailure("the server answered \(response.status.code) for meeting \(meeting)") }
            do {
                (entries, checkpoint) = try ProtocolInput.readRecord(response.body)
            } catch {
                throw CLIFailure("the server's record does not read: \(error)")
            }
        } else {
            try arguments.expectPositionals(1...1, what: "DIR or --server URL")
            do {
                let reader = try LedgerReader(directory: arguments.positionals[0])
                entries = try reader.meetingEntries(meeting)
                checkpoint = try reader.latestCheckpoint()
            } catch let error as StoreError {
                throw CLIFailure(error.message)
            }
        }
        let input: ProtocolInput
        do {
            input = try ProtocolInput(meeting: meeting, entries: entries, checkpoint: checkpoint, names: names)
        } catch {
            throw CLIFailure("\(error)")
        }
        let bytes = ProtocolRenderer.render(input, as: format)
        if let out = arguments.value("--out") {
            guard !FileManager.default.fileExists(atPath: out) else { throw CLIFailure("\(out) exists; refusing to overwrite") }
            guard FileManager.default.createFile(atPath: out, contents: Data(bytes)) else { throw CLIFailure("cannot write \(out)") }
        } else {
            console.writeOut(bytes)
        }
        return 0
    }
}
