import Foundation
import VecheStore

/// `veche export DIR --out FILE`: the election record.
struct ExportVerb: Verb {
    static let name = ["export"]
    static let summary = "write the election record (JSON Lines + checkpoint) of a data directory"
    static let usage = "export DIR --out FILE"
    static let discussion = """
        Writes every entry up to the latest checkpoint, one canonical JSON line each, then the
        checkpoint line. Reads one consistent snapshot, so it is safe while veche serve runs on
        the same directory. FILE must not exist (use - for standard output).
        """
    static let options = [OptionSpec("--out", .value, valueName: "FILE", help: "the record file to create (- for standard output)")]

    static func run(_ arguments: ParsedArguments, console: Console) throws -> Int32 {
        try arguments.expectPositionals(1...1, what: "DIR")
        let out = try arguments.required("--out")
        do {
            let reader = try LedgerReader(directory: arguments.positionals[0])
            if out == "-" {
                _ = try reader.exportRecord { console.writeOut($0) }
                return 0
            }
            guard !FileManager.default.fileExists(atPath: out) else { throw CLIFailure("\(out) exists; refusing to overwrite") }
            guard FileManager.default.createFile(atPath: out, contents: nil), let handle = FileHandle(forWritingAtPath: out) else {
                throw CLIFailure("cannot create \(out)")
            }
            defer { try? handle.close() }
            let size = try reader.exportRecord { try handle.write(contentsOf: $0) }
            try handle.synchronize()
            console.err("wrote \(size) entries and the checkpoint to \(out)")
            return 0
        } catch let error as StoreError {
            throw CLIFailure(error.message)
        }
    }
}
