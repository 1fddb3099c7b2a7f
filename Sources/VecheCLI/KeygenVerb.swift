import VecheCrypto

/// `veche keygen --out FILE [--alg ed25519|es256]`: makes a signing key.
struct KeygenVerb: Verb {
    static let name = ["keygen"]
    static let summary = "generate a signing key (PKCS#8 PEM, mode 0600)"
    static let usage = "keygen --out FILE [--alg ed25519|es256]"
    static let discussion = """
        Writes a new private key to FILE as unencrypted PKCS#8 PEM with mode 0600 and prints
        its public key string (ed25519:… or es256:…) on standard output. Never overwrites:
        if FILE exists, nothing is written and the exit code is 1.
        """
    static let options = [
        OptionSpec("--out", .value, valueName: "FILE", help: "where to write the new key (must not exist)"),
        OptionSpec("--alg", .value, valueName: "ALG", help: "ed25519 (default) or es256"),
    ]

    static func run(_ arguments: ParsedArguments, console: Console) throws -> Int32 {
        try arguments.expectPositionals(0...0, what: "nothing")
        let path = try arguments.required("--out")
        let algorithmName = arguments.value("--alg") ?? SigningAlgorithm.ed25519.rawValue
        guard let algorithm = SigningAlgorithm(rawValue: algorithmName) else {
            throw UsageError("--alg must be ed25519 or es256, got \(algorithmName)")
        }
        let key: SigningKey
        do {
            key = try SigningKey.generate(algorithm: algorithm)
            try key.write(to: path)
        } catch {
            throw CLIFailure(error.message)
        }
        console.out(key.publicKey.string)
        return 0
    }
}
