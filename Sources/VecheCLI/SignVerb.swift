import VecheCrypto
import VecheLedger

/// `veche sign --key FILE [COMMAND.json]`: a signed envelope for a command.
struct SignVerb: Verb {
    static let name = ["sign"]
    static let summary = "sign a command and print the envelope"
    static let usage = "sign --key FILE [COMMAND.json]"
    static let discussion = """
        Reads a command object from COMMAND.json (standard input when absent or -), signs
        `veche/command/v1` LF JCS(command) with the key in FILE, and prints the envelope
        {"command", "signer", "signature"} as canonical JSON followed by a newline, ready to
        POST to /v1/commands. The command must keep to the canonical subset (see veche canon).
        """
    static let options = [
        OptionSpec("--key", .value, valueName: "FILE", help: "the private key (PKCS#8 PEM) to sign with"),
    ]

    static func run(_ arguments: ParsedArguments, console: Console) throws -> Int32 {
        try arguments.expectPositionals(0...1, what: "COMMAND.json")
        let keyPath = try arguments.required("--key")
        let limits = JSONLimits.default
        let input = try BoundedInput.read(arguments.positionals.first, limit: limits.maxDocumentBytes, console: console)
        let command: JSONValue
        do {
            command = try CanonicalJSON.parse(input.bytes, limits: limits)
        } catch {
            throw CLIFailure("\(input.name): invalid \(error.description)")
        }
        guard case .object = command else {
            throw CLIFailure("\(input.name): a command must be a JSON object")
        }
        let key: SigningKey
        do {
            key = try SigningKey.load(from: keyPath)
        } catch {
            throw CLIFailure(error.message)
        }
        let envelope = try SignedEnvelope.sign(command: command, with: key)
        console.writeOut(envelope.canonicalBytes + [0x0A])
        return 0
    }
}
