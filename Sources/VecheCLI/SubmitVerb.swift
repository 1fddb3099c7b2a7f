import Foundation
import VecheCrypto
import VecheHTTP
import VecheLedger

/// `veche submit --server URL FILE...`: posts signed envelopes and checks the receipts.
struct SubmitVerb: Verb {
    static let name = ["submit"]
    static let summary = "submit signed envelopes to a server and verify each receipt"
    static let usage = "submit --server URL [--key VKEY] FILE..."
    static let discussion = """
        Posts each envelope (a file made by veche sign; - reads standard input) to
        URL/v1/commands. For every receipt it checks that the entry is the one sent, that the
        entry hashes to the leaf, that the inclusion proof leads to the checkpoint, and that
        the checkpoint is signed by the operator key — given with --key (a note vkey or
        ed25519:…), or else read from the ledger's genesis entry (trust on first use) — before
        printing "accepted". A refusal prints the server's problem and makes the exit code 1.
        """
    static let options = [
        OptionSpec("--server", .value, valueName: "URL", help: "the server, e.g. http://127.0.0.1:8080"),
        OptionSpec("--key", .value, valueName: "KEY", help: "the operator's key (vkey or ed25519:…); default: from genesis"),
    ]

    static func run(_ arguments: ParsedArguments, console: Console) throws -> Int32 {
        try arguments.expectPositionals(1...Int.max, what: "FILE")
        let url: HTTPURL
        do {
            url = try HTTPURL(try arguments.required("--server"))
        } catch let error as HTTPError {
            throw UsageError("--server: \(error.message)")
        }
        let client = HTTPClient(url: url)
        defer { client.close() }
        let verifier = try operatorVerifier(arguments.value("--key"), client: client)
        var failures = 0
        for file in arguments.positionals {
            let input = try BoundedInput.read(file, limit: 1 << 20, console: console)
            let response: HTTPResponse
            do {
                response = try client.post(url.with(target: "/v1/commands").target, body: input.bytes, contentType: "application/json")
            } catch {
                throw CLIFailure("\(input.name): cannot reach \(url.authority): \(error.message)")
            }
            guard response.status.code == 201 || response.status.code == 200 else {
                failures += 1
                let problem = (try? CanonicalJSON.parse(response.body, limits: JSONLimits(allowsNull: true)))
                let detail = problem?["detail"]?.stringValue ?? String(decoding: response.body.prefix(500), as: UTF8.self)
                let field = problem?["field"]?.stringValue.map { " at \($0)" } ?? ""
                console.out("\(input.name): refused \(response.status.code)\(field): \(detail)")
                continue
            }
            do {
                let receipt = try Receipt.verify(json: try CanonicalJSON.parse(response.body), verifier: verifier)
                let sent = try SignedEnvelope.parse(body: input.bytes)
                guard CanonicalJSON.serialize(receipt.entry.command) == CanonicalJSON.serialize(sent.command),
                    receipt.entry.signer == sent.signerString
                else { throw CLIFailure("the receipt's entry is not the command that was sent") }
                let state = response.status.code == 201 ? "accepted" : "already accepted"
                console.out("\(input.name): \(state) seq \(receipt.seq) leaf \(Hex.encode(receipt.leaf)) (receipt verified against checkpoint \(receipt.proof.checkpoint.checkpoint.size))")
                console.writeOut(CanonicalJSON.serialize(receipt.json) + [0x0A])
            } catch let failure as CLIFailure {
                throw failure
            } catch {
                throw CLIFailure("\(input.name): the server's receipt does not verify: \(error)")
            }
        }
        return failures == 0 ? 0 : 1
    }

    /// The checkpoint verifier: from --key, or from the genesis entry the server serves.
    static func operatorVerifier(_ key: String?, client: HTTPClient) throws -> NoteVerifier {
        let origin: String
        do {
            let checkpoint = try client.get("/v1/checkpoint")
            guard checkpoint.status.code == 200, let line = String(decoding: checkpoint.body, as: UTF8.self).split(separator: "\n").first else {
                throw CLIFailure("the server gives no checkpoint (status \(checkpoint.status.code))")
            }
            origin = String(line)
        } catch let error as HTTPError {
            throw CLIFailure("cannot reach the server: \(error.message)")
        }
        if let key {
            do {
                switch try TrustedKey(key) {
                case .vkey(let verifier): return verifier
                case .ed25519(let bytes): return try NoteVerifier(name: origin, publicKey: bytes)
                }
            } catch {
                throw UsageError("--key is neither a note vkey nor an ed25519: key: \(error)")
            }
        }
        do {
            let response = try client.get("/v1/entries?from=0&limit=1")
            let line = response.body.split(separator: 0x0A).first.map(Array.init) ?? []
            let genesis = try LedgerEntry(json: try CanonicalJSON.parse(line))
            guard case .string(let operatorText)? = genesis.command["operator"], case .ed25519(let bytes) = try PublicKey(string: operatorText) else {
                throw CLIFailure("the ledger's genesis names no Ed25519 operator key")
            }
            return try NoteVerifier(name: origin, publicKey: bytes)
        } catch let failure as CLIFailure {
            throw failure
        } catch {
            throw CLIFailure("cannot read the genesis entry: \(error)")
        }
    }
}
