import VecheLedger

/// `veche canon [FILE]`: the canonical (RFC 8785) form of a JSON document.
struct CanonVerb: Verb {
    static let name = ["canon"]
    static let summary = "print the canonical JSON (RFC 8785) form of a document"
    static let usage = "canon [FILE]"
    static let discussion = """
        Reads a JSON document from FILE (standard input when FILE is absent or -) and writes
        its canonical form to standard output: members sorted by UTF-16 code units, no
        whitespace, minimal escapes. No newline is added, so the output is exactly the bytes
        that are signed or hashed (`veche canon x.json | sha256sum`).
        The document must keep to Veche's canonical subset: integers only (|n| ≤ 2^53−1), no
        null, no duplicate keys, valid UTF-8, at most 1 MiB. Otherwise the exit code is 1 and
        standard error names the byte offset and the reason.
        """
    static let options: [OptionSpec] = []

    static func run(_ arguments: ParsedArguments, console: Console) throws -> Int32 {
        try arguments.expectPositionals(0...1, what: "FILE")
        let limits = JSONLimits.default
        let input = try BoundedInput.read(arguments.positionals.first, limit: limits.maxDocumentBytes, console: console)
        let value: JSONValue
        do {
            value = try CanonicalJSON.parse(input.bytes, limits: limits)
        } catch {
            throw CLIFailure("\(input.name): invalid \(error.description)")
        }
        console.writeOut(CanonicalJSON.serialize(value))
        return 0
    }
}
