public import VecheCrypto

/// One signature line of a note: `— <name> <b64(key ID ‖ signature)>`.
public struct NoteSignature: Sendable, Hashable {
    /// The key name.
    public let name: String
    /// The 4-byte key ID, big-endian.
    public let keyID: UInt32
    /// The signature bytes after the key ID (64 for Ed25519; other types differ).
    public let signature: [UInt8]

    /// A signature line's parts.
    public init(name: String, keyID: UInt32, signature: [UInt8]) {
        self.name = name
        self.keyID = keyID
        self.signature = signature
    }

    /// The line, including its final LF.
    public var line: String {
        let id: [UInt8] = [UInt8(keyID >> 24), UInt8(keyID >> 16 & 0xFF), UInt8(keyID >> 8 & 0xFF), UInt8(keyID & 0xFF)]
        return "\u{2014} \(name) \(NoteBase64.encode(id + signature))\n"
    }
}

/// A C2SP signed note: a text ending in LF, a blank line, and one or more signature lines.
///
/// Parsing checks the form only; trust comes from `verify(using:)`, which checks every
/// line of a trusted (name, key ID) and ignores the rest, as C2SP requires.
public struct SignedNote: Sendable, Hashable {
    /// Largest note accepted, in bytes. A checkpoint with our signature is < 300 bytes;
    /// this leaves room for many witness cosignatures.
    public static let maxByteCount = 16 * 1024
    /// Most signature lines accepted (C2SP requires at least 16).
    public static let maxSignatureCount = 100

    /// The signed text, ending in LF (the blank separator line is not part of it).
    public let text: String
    /// The signature lines, in order.
    public let signatures: [NoteSignature]

    private init(text: String, signatures: [NoteSignature]) {
        self.text = text
        self.signatures = signatures
    }

    /// The note `text` signed by `key` under the key name `name`.
    public static func sign(text: String, name: String, key: Ed25519.PrivateKey) throws(NoteError) -> SignedNote {
        try NoteVerifier.validateName(name, field: "note.name")
        guard text.hasSuffix("\n") else { throw NoteError(.malformed, field: "note.text", "must end with LF") }
        guard !text.utf8.contains(where: { $0 < 0x20 && $0 != 0x0A }) else {
            throw NoteError(.malformed, field: "note.text", "contains a control character other than LF")
        }
        let signature: [UInt8]
        do {
            signature = try key.sign(Array(text.utf8))
        } catch {
            throw NoteError(.signingFailed, field: "note", error.description)
        }
        let line = NoteSignature(name: name, keyID: NoteVerifier.keyID(name: name, publicKey: key.publicKey), signature: signature)
        let note = SignedNote(text: text, signatures: [line])
        guard note.serialized.utf8.count <= maxByteCount else {
            throw NoteError(.tooLarge, field: "note", "longer than \(maxByteCount) bytes")
        }
        return note
    }

    /// Parses a note's bytes strictly (unverified).
    public init(parsing bytes: [UInt8]) throws(NoteError) {
        guard bytes.count <= Self.maxByteCount else {
            throw NoteError(.tooLarge, field: "note", "longer than \(Self.maxByteCount) bytes")
        }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw NoteError(.malformed, field: "note", "not valid UTF-8")
        }
        // In UTF-8 a byte below 0x20 is always that ASCII control character (CR included).
        if let offset = bytes.firstIndex(where: { $0 < 0x20 && $0 != 0x0A }) {
            throw NoteError(.malformed, field: "note", "control character 0x\(String(bytes[offset], radix: 16)) at byte \(offset)")
        }
        // The text ends at the last blank line; signature lines never contain one.
        guard let split = Self.lastBlankLine(in: bytes) else {
            throw NoteError(.malformed, field: "note", "no blank line before the signatures")
        }
        let textBytes = bytes[..<(split + 1)]
        let signatureBytes = bytes[(split + 2)...]
        guard !signatureBytes.isEmpty, signatureBytes.last == 0x0A else {
            throw NoteError(.malformed, field: "note.signatures", "missing, or not ending with LF")
        }
        var signatures: [NoteSignature] = []
        for (number, line) in signatureBytes.dropLast().split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let field = "note.signatures[\(number)]"
            guard signatures.count < Self.maxSignatureCount else {
                throw NoteError(.tooLarge, field: "note.signatures", "more than \(Self.maxSignatureCount) signature lines")
            }
            signatures.append(try Self.parseSignatureLine(line, field: field))
        }
        self.init(text: String(decoding: textBytes, as: UTF8.self), signatures: signatures)
    }

    /// Parses a note's text strictly (unverified).
    public init(parsing text: String) throws(NoteError) {
        try self.init(parsing: Array(text.utf8))
    }

    /// The note as sent: text, blank line, signature lines.
    public var serialized: String {
        text + "\n" + signatures.map(\.line).joined()
    }

    /// Checks the signatures of `verifiers` and returns those that verified.
    ///
    /// A line whose (name, key ID) matches a verifier must verify, or the whole note is
    /// refused; lines of unknown keys are ignored; at least one line must verify.
    @discardableResult
    public func verify(using verifiers: [NoteVerifier]) throws(NoteError) -> [NoteVerifier] {
        let message = Array(text.utf8)
        var verified: [NoteVerifier] = []
        for (number, line) in signatures.enumerated() {
            guard let verifier = verifiers.first(where: { $0.name == line.name && $0.keyID == line.keyID }) else { continue }
            guard verifier.verifies(line.signature, of: message) else {
                throw NoteError(.invalidSignature, field: "note.signatures[\(number)]", "signature by \(line.name) does not verify")
            }
            if !verified.contains(verifier) { verified.append(verifier) }
        }
        guard !verified.isEmpty else {
            throw NoteError(.noTrustedSignature, field: "note.signatures", "no signature by a trusted key")
        }
        return verified
    }

    private static func lastBlankLine(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        var index = bytes.count - 2
        while index >= 0 {
            if bytes[index] == 0x0A && bytes[index + 1] == 0x0A { return index }
            index -= 1
        }
        return nil
    }

    private static let dashSpace: [UInt8] = Array("\u{2014} ".utf8)

    private static func parseSignatureLine(_ line: ArraySlice<UInt8>, field: String) throws(NoteError) -> NoteSignature {
        guard line.starts(with: dashSpace) else {
            throw NoteError(.malformed, field: field, "a signature line starts with an em dash (U+2014) and a space")
        }
        let rest = line.dropFirst(dashSpace.count)
        guard let space = rest.firstIndex(of: 0x20) else {
            throw NoteError(.malformed, field: field, "expected '<name> <base64>'")
        }
        let name = String(decoding: rest[..<space], as: UTF8.self)
        try NoteVerifier.validateName(name, field: field)
        let encoded = String(decoding: rest[(space + 1)...], as: UTF8.self)
        guard let blob = NoteBase64.decode(encoded[...]) else {
            throw NoteError(.malformed, field: field, "signature is not canonical base64")
        }
        guard blob.count >= 5 else {
            throw NoteError(.malformed, field: field, "signature is shorter than a key ID and one byte")
        }
        let keyID = blob[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return NoteSignature(name: name, keyID: keyID, signature: Array(blob[4...]))
    }
}
