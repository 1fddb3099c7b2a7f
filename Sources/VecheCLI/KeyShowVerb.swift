import VecheCrypto

/// `veche key show FILE [--vkey ORIGIN]`: the public key of a key file.
struct KeyShowVerb: Verb {
    static let name = ["key", "show"]
    static let summary = "print the public key string (or note verifier key) of a key file"
    static let usage = "key show FILE [--vkey ORIGIN]"
    static let discussion = """
        Prints the public key string (ed25519:… or es256:…) of the private key in FILE.
        With --vkey ORIGIN, prints instead the C2SP signed-note verifier key that checkpoint
        verifiers use: ORIGIN+<8 hex key ID>+<base64(0x01 ‖ public key)>, where the key ID is
        the first 4 bytes of SHA-256(ORIGIN ‖ 0x0A ‖ 0x01 ‖ public key). Only Ed25519 keys sign
        checkpoints, so --vkey with an es256 key exits 1.
        """
    static let options = [
        OptionSpec("--vkey", .value, valueName: "ORIGIN", help: "print the note verifier key for this origin"),
    ]

    static func run(_ arguments: ParsedArguments, console: Console) throws -> Int32 {
        try arguments.expectPositionals(1...1, what: "FILE")
        let origin = arguments.value("--vkey")
        if let origin {
            // C2SP signed-note: a key name is non-empty, has no whitespace and no '+'.
            guard !origin.isEmpty,
                !origin.unicodeScalars.contains(where: { $0 == "+" || $0.properties.isWhitespace || $0.value < 0x20 })
            else {
                throw UsageError("--vkey ORIGIN must be non-empty without spaces or '+', got \(origin.debugDescription)")
            }
        }
        let key: SigningKey
        do {
            key = try SigningKey.load(from: arguments.positionals[0])
        } catch {
            throw CLIFailure(error.message)
        }
        guard let origin else {
            console.out(key.publicKey.string)
            return 0
        }
        guard case .ed25519(let bytes) = key.publicKey else {
            throw CLIFailure("--vkey needs an Ed25519 key: checkpoints are signed with Ed25519 (C2SP signed-note), this key is es256")
        }
        console.out(noteVerifierKey(name: origin, ed25519PublicKey: bytes))
        return 0
    }

    /// `<name>+<hex key ID>+<base64(0x01 ‖ key)>` (C2SP signed-note, Go `note` vkey form).
    static func noteVerifierKey(name: String, ed25519PublicKey key: [UInt8]) -> String {
        let typedKey = [UInt8(0x01)] + key
        let keyID = SHA256.hash(Array(name.utf8) + [0x0A] + typedKey).prefix(4)
        return "\(name)+\(Hex.encode(keyID))+\(Base64.encode(typedKey))"
    }
}
