import VecheCrypto
import VecheStore

/// `veche init DIR --origin ORIGIN [--registrar KEY]...`: a new ledger.
struct InitVerb: Verb {
    static let name = ["init"]
    static let summary = "create a data directory: operator key, registrar key, database and genesis"
    static let usage = "init DIR --origin ORIGIN [--registrar KEY]..."
    static let discussion = """
        DIR must be absent or empty. Writes DIR/operator.key (Ed25519, mode 0600) and, unless
        --registrar names the registrars' public keys, DIR/registrar.key; then the SQLite
        database with the genesis entry (rule sets ru-zhk-2024 and generic). ORIGIN names the
        ledger (a schema-less URL such as vote.example.ru/16). Prints the operator key and the
        checkpoint verifier key (vkey) auditors pass to veche verify --key.
        """
    static let options = [
        OptionSpec("--origin", .value, valueName: "ORIGIN", help: "the ledger's origin, e.g. vote.example.ru/16"),
        OptionSpec("--registrar", .repeated, valueName: "KEY", help: "a registrar's public key string (repeatable)"),
    ]

    static func run(_ arguments: ParsedArguments, console: Console) throws -> Int32 {
        try arguments.expectPositionals(1...1, what: "DIR")
        let origin = try arguments.required("--origin")
        var registrars: [PublicKey] = []
        for text in arguments.values("--registrar") {
            do {
                registrars.append(try PublicKey(string: text))
            } catch {
                throw UsageError("--registrar \(text) is not a public key string: \(error.message)")
            }
        }
        let created: LedgerStore.Initialized
        do {
            created = try LedgerStore.initialize(directory: arguments.positionals[0], origin: origin, registrars: registrars)
        } catch let error as StoreError {
            throw CLIFailure(error.message)
        }
        console.out("origin     \(origin)")
        console.out("operator   \(created.operatorKey.string)")
        console.out("vkey       \(created.vkey)")
        for registrar in created.registrars { console.out("registrar  \(registrar.string)") }
        if let path = created.registrarKeyPath { console.out("registrar key written to \(path) (keep it safe)") }
        return 0
    }
}
