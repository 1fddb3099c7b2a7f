import Testing
import VecheCrypto
import VecheLedger

@Suite struct EnvelopeTests {
    let command: JSONValue = [
        "type": "ballot.cast", "id": "b-0123456789", "ledger": "vote.example.ru/16",
        "meeting": "M1", "owner": "o1", "choices": ["1": "for"],
    ]

    private func body(_ members: [String: JSONValue]) -> [UInt8] {
        CanonicalJSON.serialize(.object(members))
    }

    private func refusal(_ bytes: [UInt8]) -> EnvelopeError? {
        #expect(throws: EnvelopeError.self) { try SignedEnvelope.parse(body: bytes) }
    }

    private func refusal(_ text: String) -> EnvelopeError? {
        refusal(Array(text.utf8))
    }

    @Test func signingInputIsContextLineFeedAndCanonicalCommand() {
        let input = SignedEnvelope.signingInput(command: ["b": 1, "a": "ж"])
        #expect(input == Array("veche/command/v1\n{\"a\":\"ж\",\"b\":1}".utf8))
    }

    @Test(arguments: SigningAlgorithm.allCases)
    func signedEnvelopeParsesBackFromAnySpelling(_ algorithm: SigningAlgorithm) throws {
        let key = try SigningKey.generate(algorithm: algorithm)
        let envelope = try SignedEnvelope.sign(command: command, with: key)
        #expect(envelope.isSignatureValid)
        #expect(envelope.signer == key.publicKey)
        #expect(try SignedEnvelope.parse(body: envelope.canonicalBytes) == envelope)
        let spaced = "\n{ \"signer\" : \"\(envelope.signerString)\",\r\n\t\"signature\":\"\(envelope.signatureString)\", \"command\": "
            + CanonicalJSON.prettyPrinted(command) + " }\n"
        let parsed = try SignedEnvelope.parse(body: Array(spaced.utf8))
        #expect(parsed.canonicalBytes == envelope.canonicalBytes)
        #expect(envelope.json == .object(["command": command, "signer": .string(envelope.signerString), "signature": .string(envelope.signatureString)]))
    }

    @Test func step2RefusalsAre400WithTheField() throws {
        let key = try SigningKey.generate(algorithm: .ed25519)
        let good = try SignedEnvelope.sign(command: command, with: key)
        let signer = JSONValue.string(good.signerString)
        let signature = JSONValue.string(good.signatureString)
        let cases: [(String, [UInt8], EnvelopeError.Code, String)] = [
            ("not JSON", Array("hello".utf8), .invalidJSON, ""),
            ("float in command", Array(#"{"command":{"a":1.5},"signer":"x","signature":"y"}"#.utf8), .invalidJSON, "/command/a"),
            ("null signer", Array(#"{"command":{},"signer":null,"signature":"y"}"#.utf8), .invalidJSON, "/signer"),
            ("duplicate command", Array(#"{"command":{},"command":{},"signer":"x","signature":"y"}"#.utf8), .invalidJSON, "/command"),
            ("array", Array("[1]".utf8), .malformedEnvelope, ""),
            ("string", Array(#""envelope""#.utf8), .malformedEnvelope, ""),
            ("unknown field", body(["command": command, "signer": signer, "signature": signature, "extra": 1]), .malformedEnvelope, "/extra"),
            ("missing command", body(["signer": signer, "signature": signature]), .malformedEnvelope, "/command"),
            ("missing signer", body(["command": command, "signature": signature]), .malformedEnvelope, "/signer"),
            ("missing signature", body(["command": command, "signer": signer]), .malformedEnvelope, "/signature"),
            ("command not an object", body(["command": "x", "signer": signer, "signature": signature]), .malformedEnvelope, "/command"),
            ("command an array", body(["command": [command], "signer": signer, "signature": signature]), .malformedEnvelope, "/command"),
            ("signer not a string", body(["command": command, "signer": 5, "signature": signature]), .malformedEnvelope, "/signer"),
            ("signature not a string", body(["command": command, "signer": signer, "signature": ["x"]]), .malformedEnvelope, "/signature"),
        ]
        for (name, bytes, code, field) in cases {
            let error = refusal(bytes)
            #expect(error?.code == code, "\(name): \(error?.description ?? "")")
            #expect(error?.status == 400, "\(name)")
            #expect(error?.field.description == field, "\(name): \(error?.description ?? "")")
        }
    }

    @Test func step3RefusalsAre403WithTheField() throws {
        let key = try SigningKey.generate(algorithm: .ed25519)
        let good = try SignedEnvelope.sign(command: command, with: key)
        let stranger = try SigningKey.generate(algorithm: .ed25519).publicKey.string
        var altered = command.objectValue!
        altered["choices"] = ["1": "against"]
        let signature = good.signatureString
        let cases: [(String, [String: JSONValue], EnvelopeError.Code, String)] = [
            ("signer not a key", ["signer": "ed25519:AAAA"], .invalidSigner, "/signer"),
            ("signer unknown algorithm", ["signer": "rsa:AAAA"], .invalidSigner, "/signer"),
            ("another signer", ["signer": .string(stranger)], .invalidSignature, "/signature"),
            ("command changed", ["command": .object(altered)], .invalidSignature, "/signature"),
            ("signature padded", ["signature": .string(signature + "==")], .invalidSignature, "/signature"),
            ("signature standard base64", ["signature": .string(Base64.encode(good.signature))], .invalidSignature, "/signature"),
            ("signature 63 bytes", ["signature": .string(Base64URL.encode(good.signature.prefix(63)))], .invalidSignature, "/signature"),
            ("signature 65 bytes", ["signature": .string(Base64URL.encode(good.signature + [0]))], .invalidSignature, "/signature"),
            ("signature empty", ["signature": ""], .invalidSignature, "/signature"),
        ]
        for (name, change, code, field) in cases {
            var members = good.json.objectValue!
            for (name, value) in change { members[name] = value }
            let error = refusal(body(members))
            #expect(error?.code == code, "\(name): \(error?.description ?? "")")
            #expect(error?.status == 403, "\(name)")
            #expect(error?.field.description == field, "\(name)")
        }
    }

    @Test func nothingInsideTheCommandIsJudgedBeforeTheSignature() throws {
        // An unknown type and odd fields are a schema matter (step 4): a valid signature
        // passes here, an invalid one is 403 whatever the command says.
        let key = try SigningKey.generate(algorithm: .es256)
        let odd: JSONValue = ["type": "no.such.type", "x": [[["deep"]]], "ledger": 7]
        let envelope = try SignedEnvelope.sign(command: odd, with: key)
        #expect(try SignedEnvelope.parse(body: envelope.canonicalBytes).command == odd)
        var members = envelope.json.objectValue!
        members["signature"] = .string(Base64URL.encode([UInt8](repeating: 1, count: 64)))
        #expect(refusal(body(members))?.status == 403)
    }

    @Test func highSES256SignaturesAreAccepted() throws {
        let key = try SigningKey.generate(algorithm: .es256)
        let envelope = try SignedEnvelope.sign(command: command, with: key)
        let order: [UInt8] = try Hex.decode("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")
        var s = [UInt8](repeating: 0, count: 32)
        var borrow = 0
        for index in stride(from: 31, through: 0, by: -1) {
            var difference = Int(order[index]) - Int(envelope.signature[32 + index]) - borrow
            borrow = difference < 0 ? 1 : 0
            if difference < 0 { difference += 256 }
            s[index] = UInt8(difference)
        }
        var members = envelope.json.objectValue!
        members["signature"] = .string(Base64URL.encode(envelope.signature.prefix(32) + s))
        let other = try SignedEnvelope.parse(body: body(members))
        #expect(other.signature != envelope.signature)
        #expect(CanonicalJSON.serialize(other.command) == CanonicalJSON.serialize(envelope.command))
    }

    @Test func bodyLimitIsASecondFence() throws {
        var limits = JSONLimits.default
        limits.maxDocumentBytes = 64
        let key = try SigningKey.generate(algorithm: .ed25519)
        let envelope = try SignedEnvelope.sign(command: command, with: key)
        let error = #expect(throws: EnvelopeError.self) { try SignedEnvelope.parse(body: envelope.canonicalBytes, limits: limits) }
        #expect(error?.jsonError?.kind == .documentTooLarge)
        #expect(error?.status == 400)
    }

    @Test func signingRefusesACommandThatIsNotAnObject() throws {
        let key = try SigningKey.generate(algorithm: .ed25519)
        #expect(throws: EnvelopeError.self) { try SignedEnvelope.sign(command: ["a", "b"], with: key) }
    }

    @Test func entryFieldsAreVerifiedWithTheirPointer() throws {
        let key = try SigningKey.generate(algorithm: .ed25519)
        let envelope = try SignedEnvelope.sign(command: command, with: key)
        let base = JSONPointer(["entries", "3"])
        #expect(try SignedEnvelope.verified(command: command, signer: envelope.signerString, signature: envelope.signatureString, in: base) == envelope)
        let error = #expect(throws: EnvelopeError.self) {
            try SignedEnvelope.verified(command: ["other": 1], signer: envelope.signerString, signature: envelope.signatureString, in: base)
        }
        #expect(error?.field.description == "/entries/3/signature")
    }

    @Test func envelopesVerifyInParallel() async throws {
        let keys = try SigningAlgorithm.allCases.map { try SigningKey.generate(algorithm: $0) }
        var bodies: [([UInt8], Bool)] = []
        for index in 0..<300 {
            let key = keys[index % keys.count]
            let envelope = try SignedEnvelope.sign(command: ["type": "t", "n": .integer(Int64(index))], with: key)
            var bytes = envelope.canonicalBytes
            let valid = index % 4 != 0
            if !valid { bytes[bytes.count - 10] ^= 0x01 }
            bodies.append((bytes, valid))
        }
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
            for (index, body) in bodies.enumerated() {
                group.addTask { (index, (try? SignedEnvelope.parse(body: body.0)) != nil) }
            }
            var outcomes = [Bool](repeating: false, count: bodies.count)
            for await (index, accepted) in group { outcomes[index] = accepted }
            return outcomes
        }
        #expect(outcomes == bodies.map(\.1))
    }
}
