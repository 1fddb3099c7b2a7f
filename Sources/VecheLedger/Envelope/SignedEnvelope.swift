public import VecheCrypto

/// A signed command as clients post it: `{"command": {...}, "signer": "<key>", "signature": "<b64u>"}`.
///
/// The signature covers `veche/command/v1` LF JCS(command). `parse(body:)` performs WIRE.md's
/// HTTP checks 2 and 3 and nothing else: nothing inside `command` is looked at before the
/// signature has verified. Every member is immutable and `Sendable`, so envelopes can be
/// parsed and verified on many threads at once, ahead of the single sequencer.
public struct SignedEnvelope: Sendable, Hashable {
    /// The command object, exactly as signed.
    public let command: JSONValue
    /// The signer's public key.
    public let signer: PublicKey
    /// The 64-byte signature (Ed25519, or ES256 raw r‖s).
    public let signature: [UInt8]
    /// JCS(`command`): the signed bytes after the context line, kept so the sequencer, the
    /// fingerprint and the entry reuse them instead of serialising the command again.
    public let canonicalCommand: [UInt8]
    /// The signer's canonical key string.
    public let signerString: String
    /// The signature as canonical b64u.
    public let signatureString: String

    /// The domain separation prefix of the signing input.
    public static let signingContext = "veche/command/v1"

    /// An envelope from its parts, NOT verified; check `isSignatureValid` before trusting it.
    public init(command: JSONValue, signer: PublicKey, signature: [UInt8]) {
        self.init(
            command: command, canonicalCommand: CanonicalJSON.serialize(command), signer: signer, signerString: signer.string,
            signature: signature, signatureString: Base64URL.encode(signature))
    }

    /// An envelope whose derived forms the caller already holds (they must be exactly
    /// JCS(command), `signer.string` and the canonical b64u of `signature`).
    init(command: JSONValue, canonicalCommand: [UInt8], signer: PublicKey, signerString: String, signature: [UInt8], signatureString: String) {
        self.command = command
        self.canonicalCommand = canonicalCommand
        self.signer = signer
        self.signerString = signerString
        self.signature = signature
        self.signatureString = signatureString
    }

    /// The bytes that are signed: ASCII `veche/command/v1`, 0x0A, then JCS(`command`).
    public static func signingInput(command: JSONValue) -> [UInt8] {
        signingInput(canonicalCommand: CanonicalJSON.serialize(command))
    }

    /// The signing input around bytes that are already JCS(command).
    static func signingInput(canonicalCommand: [UInt8]) -> [UInt8] {
        var input: [UInt8] = []
        input.reserveCapacity(signingContext.utf8.count + 1 + canonicalCommand.count)
        input += signingContext.utf8
        input.append(0x0A)
        input += canonicalCommand
        return input
    }

    /// Signs `command` (which must be an object) with `key`.
    public static func sign(command: JSONValue, with key: SigningKey) throws -> SignedEnvelope {
        guard case .object = command else {
            throw EnvelopeError(.malformedEnvelope, field: JSONPointer(["command"]), "command must be a JSON object")
        }
        let canonical = CanonicalJSON.serialize(command)
        let signature = try key.sign(signingInput(canonicalCommand: canonical))
        let signer = key.publicKey
        return SignedEnvelope(
            command: command, canonicalCommand: canonical, signer: signer, signerString: signer.string, signature: signature,
            signatureString: Base64URL.encode(signature))
    }

    /// Whether the signature verifies for `signer` over `command`.
    public var isSignatureValid: Bool {
        signer.isValidSignature(signature, for: Self.signingInput(canonicalCommand: canonicalCommand))
    }

    /// The three fields as a JSON object, for writing.
    public var json: JSONValue {
        .object([
            "command": command,
            "signer": .string(signerString),
            "signature": .string(signatureString),
        ])
    }

    /// The canonical bytes of `json` (no trailing newline):
    /// `{"command":…,"signature":"…","signer":"…"}`, keys in JCS order.
    public var canonicalBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(canonicalCommand.count + signerString.utf8.count + signatureString.utf8.count + 40)
        out += #"{"command":"#.utf8
        out += canonicalCommand
        out += #","signature":"#.utf8
        CanonicalJSON.writeString(signatureString, into: &out)
        out += #","signer":"#.utf8
        CanonicalJSON.writeString(signerString, into: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Parses and verifies a posted body (WIRE.md HTTP steps 2 and 3).
    ///
    /// Step 2 (400): the body must parse in the canonical subset and be an object of exactly
    /// `command` (an object), `signer` (a string) and `signature` (a string). Step 3 (403):
    /// the signer must be a valid key string, the signature canonical b64u of 64 bytes that
    /// verifies over `veche/command/v1` LF JCS(command). The body size limit (step 1, 413)
    /// belongs to the HTTP layer; `limits.maxDocumentBytes` is a second fence.
    public static func parse(body: some Collection<UInt8>, limits: JSONLimits = .default) throws(EnvelopeError) -> SignedEnvelope {
        let value: JSONValue
        do {
            value = try CanonicalJSON.parse(body, limits: limits)
        } catch {
            throw EnvelopeError(.invalidJSON, field: error.pointer, "invalid JSON \(error.description)", jsonError: error)
        }
        guard case .object(let members) = value else {
            throw EnvelopeError(.malformedEnvelope, field: .root, "the envelope must be a JSON object")
        }
        for key in CanonicalJSON.sortedMembers(members).map(\.key) where !fieldNames.contains(key) {
            throw EnvelopeError(
                .malformedEnvelope, field: JSONPointer([key]),
                "unknown field; an envelope has exactly command, signer and signature")
        }
        guard let command = members["command"] else {
            throw EnvelopeError(.malformedEnvelope, field: JSONPointer(["command"]), "missing field")
        }
        guard case .object = command else {
            throw EnvelopeError(.malformedEnvelope, field: JSONPointer(["command"]), "command must be a JSON object")
        }
        guard let signerValue = members["signer"] else {
            throw EnvelopeError(.malformedEnvelope, field: JSONPointer(["signer"]), "missing field")
        }
        guard case .string(let signer) = signerValue else {
            throw EnvelopeError(.malformedEnvelope, field: JSONPointer(["signer"]), "signer must be a key string")
        }
        guard let signatureValue = members["signature"] else {
            throw EnvelopeError(.malformedEnvelope, field: JSONPointer(["signature"]), "missing field")
        }
        guard case .string(let signature) = signatureValue else {
            throw EnvelopeError(.malformedEnvelope, field: JSONPointer(["signature"]), "signature must be a base64url string")
        }
        return try verified(command: command, signer: signer, signature: signature)
    }

    private static let fieldNames: Set<String> = ["command", "signer", "signature"]

    /// Verifies a command, key string and b64u signature taken from an envelope or a ledger
    /// entry (WIRE.md HTTP step 3; every failure is 403).
    ///
    /// `field` is the pointer of the object that holds `signer` and `signature` (the root for
    /// an envelope), so errors name the right place in an entry too.
    public static func verified(
        command: JSONValue, signer: String, signature: String, in field: JSONPointer = .root
    ) throws(EnvelopeError) -> SignedEnvelope {
        let canonical = CanonicalJSON.serialize(command)
        let (key, bytes) = try verify(canonicalCommand: canonical, signer: signer, signature: signature, in: field)
        // `verify` refuses non-canonical b64u (decoding is byte-wise), so `signature` is the
        // canonical text of `bytes`.
        return SignedEnvelope(command: command, canonicalCommand: canonical, signer: key, signerString: key.string, signature: bytes, signatureString: signature)
    }

    /// Step 3 over the command's canonical bytes, when the caller already has them (the
    /// auditor takes them straight from a canonical record line): returns the parsed key and
    /// signature bytes, or throws the 403 naming the field.
    @discardableResult
    public static func verify(
        canonicalCommand: [UInt8], signer: String, signature: String, in field: JSONPointer = .root
    ) throws(EnvelopeError) -> (signer: PublicKey, signature: [UInt8]) {
        let key: PublicKey
        do {
            key = try PublicKey(string: signer)
        } catch {
            throw EnvelopeError(.invalidSigner, field: field.appending("signer"), "signer is not a valid key: \(error.message)")
        }
        let bytes: [UInt8]
        do {
            bytes = try Base64URL.decode(signature)
        } catch {
            throw EnvelopeError(.invalidSignature, field: field.appending("signature"), "signature is not canonical base64url: \(error.message)")
        }
        guard bytes.count == 64 else {
            throw EnvelopeError(.invalidSignature, field: field.appending("signature"), "a signature is 64 bytes, got \(bytes.count)")
        }
        guard key.isValidSignature(bytes, for: signingInput(canonicalCommand: canonicalCommand)) else {
            throw EnvelopeError(.invalidSignature, field: field.appending("signature"), "signature is not valid for signer over this command")
        }
        return (key, bytes)
    }
}
