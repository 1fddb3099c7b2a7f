/// The `veche` command line: finds the verb and runs it with uniform exit codes.
///
/// Exit codes: 0 ok, 1 verification or rule failure, 2 usage error.
public enum CLI {
    /// Every verb, in the order `veche --help` lists them.
    static var verbs: [any Verb.Type] { [
        DemoVerb.self,
        InitVerb.self,
        ServeVerb.self,
        SubmitVerb.self,
        RegisterImportVerb.self,
        TallyVerb.self,
        ProtocolVerb.self,
        ExportVerb.self,
        KeygenVerb.self,
        KeyShowVerb.self,
        CanonVerb.self,
        SignVerb.self,
        VerifyVerb.self,
        BenchVerifyVerb.self,
        BenchIngestVerb.self,
        BenchHTTPVerb.self,
    ] }

    /// Runs `veche` with `arguments` (without the program name).
    public static func run(_ arguments: [String], console: Console = .standard) -> Int32 {
        guard let first = arguments.first, first != "--help", first != "-h", first != "help" else {
            console.writeOut(Array(overview.utf8))
            return arguments.isEmpty ? 2 : 0
        }
        // The longest verb name that prefixes the arguments wins (`key show` before `key`).
        let match = verbs
            .filter { arguments.starts(with: $0.name) }
            .max { $0.name.count < $1.name.count }
        guard let verb = match else {
            let group = verbs.filter { $0.name.first == first }
            if !group.isEmpty {
                console.err("veche \(first): expected one of: \(group.map { $0.name.joined(separator: " ") }.joined(separator: ", "))")
            } else {
                console.err("veche: unknown verb '\(first)'; see veche --help")
            }
            return 2
        }
        let rest = Array(arguments.dropFirst(verb.name.count))
        do {
            let parsed = try ParsedArguments(rest, options: verb.options)
            if parsed.wantsHelp {
                console.writeOut(Array(verb.helpText.utf8))
                return 0
            }
            return try verb.run(parsed, console: console)
        } catch let error as UsageError {
            console.err("veche \(verb.name.joined(separator: " ")): \(error.message)")
            console.err("usage: veche \(verb.usage)")
            return 2
        } catch let failure as CLIFailure {
            console.err("veche \(verb.name.joined(separator: " ")): \(failure.message)")
            return failure.exitCode
        } catch {
            console.err("veche \(verb.name.joined(separator: " ")): \(error)")
            return 1
        }
    }

    static var overview: String {
        var text = "usage: veche <verb> [options]\n\nVeche — exact, verifiable general meetings of owners.\n\nverbs:\n"
        for verb in verbs {
            let name = verb.name.joined(separator: " ")
            text += "  \(name.padding(toLength: max(name.count, 18), withPad: " ", startingAt: 0))  \(verb.summary)\n"
        }
        text += "\nveche <verb> --help shows each verb's options.\n"
        return text
    }
}
