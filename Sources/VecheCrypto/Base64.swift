/// Base64 (RFC 4648 §4): the standard alphabet with `=` padding.
///
/// Decoding is strict and canonical: no whitespace, no characters outside the alphabet,
/// padding exactly where and as long as the length requires, and zero bits in the unused
/// low bits of the last character. So `encode(decode(s)) == s` for every accepted `s`,
/// and a byte string has exactly one accepted text (WIRE.md relies on that for keys).
public enum Base64 {
    /// The padded base64 text of `bytes`.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        Base64Codec.standard.encode(bytes)
    }

    /// The bytes of a canonical padded base64 text; throws `.encoding` naming the first fault.
    public static func decode(_ text: some StringProtocol) throws(CryptoError) -> [UInt8] {
        try Base64Codec.standard.decode(text)
    }
}

/// Base64url (RFC 4648 §5) without padding, as WIRE.md's `b64u`.
///
/// Decoding is canonical: padding, whitespace, characters outside the URL-safe alphabet,
/// a length of 1 mod 4, and non-zero unused trailing bits are all refused, so decoding and
/// re-encoding gives back the same string.
public enum Base64URL {
    /// The unpadded base64url text of `bytes`.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        Base64Codec.url.encode(bytes)
    }

    /// The bytes of a canonical unpadded base64url text; throws `.encoding` naming the first fault.
    public static func decode(_ text: some StringProtocol) throws(CryptoError) -> [UInt8] {
        try Base64Codec.url.decode(text)
    }
}

/// Lowercase hexadecimal, as WIRE.md's `hex`.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// The lowercase hex text of `bytes`.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of a lowercase hex text of even length.
    ///
    /// Uppercase digits are refused so that a byte string has one text (decode then encode
    /// gives the same string), as for base64url.
    public static func decode(_ text: some StringProtocol) throws(CryptoError) -> [UInt8] {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else {
            throw CryptoError(.encoding, "hex text has an odd number of digits (\(utf8.count))")
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else {
                let bad = value(utf8[index]) == nil ? index : index + 1
                throw CryptoError(.encoding, "hex text has a character other than 0-9a-f at position \(bad)")
            }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func value(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}

/// One base64 alphabet and padding rule.
struct Base64Codec: Sendable {
    let alphabet: [UInt8]
    let padded: Bool
    let name: String
    /// Character → 6-bit value, 0xff for characters outside the alphabet.
    let table: [UInt8]

    init(alphabet: String, padded: Bool, name: String) {
        self.alphabet = Array(alphabet.utf8)
        self.padded = padded
        self.name = name
        var table = [UInt8](repeating: 0xff, count: 256)
        for (value, character) in self.alphabet.enumerated() { table[Int(character)] = UInt8(value) }
        self.table = table
    }

    static let standard = Base64Codec(
        alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", padded: true, name: "base64")
    static let url = Base64Codec(
        alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", padded: false, name: "base64url")

    func encode(_ bytes: some Collection<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var iterator = bytes.makeIterator()
        while let first = iterator.next() {
            let second = iterator.next()
            let third = second == nil ? nil : iterator.next()
            let chunk = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
            out.append(alphabet[Int(chunk >> 18 & 0x3f)])
            out.append(alphabet[Int(chunk >> 12 & 0x3f)])
            if second != nil {
                out.append(alphabet[Int(chunk >> 6 & 0x3f)])
            } else if padded {
                out.append(UInt8(ascii: "="))
            }
            if third != nil {
                out.append(alphabet[Int(chunk & 0x3f)])
            } else if padded {
                out.append(UInt8(ascii: "="))
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    func decode(_ text: some StringProtocol) throws(CryptoError) -> [UInt8] {
        var characters = Array(text.utf8)
        if padded {
            guard characters.count % 4 == 0 else {
                throw CryptoError(.encoding, "\(name) text length \(characters.count) is not a multiple of 4")
            }
            var padding = 0
            while padding < 2, characters.last == UInt8(ascii: "=") {
                characters.removeLast()
                padding += 1
            }
            if characters.last == UInt8(ascii: "=") {
                throw CryptoError(.encoding, "\(name) text has more than two padding characters")
            }
        }
        if characters.count % 4 == 1 {
            throw CryptoError(.encoding, "\(name) text length is impossible (one character left over)")
        }
        var out: [UInt8] = []
        out.reserveCapacity(characters.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for (position, character) in characters.enumerated() {
            let value = table[Int(character)]
            guard value != 0xff else {
                if character == UInt8(ascii: "=") {
                    throw CryptoError(.encoding, "\(name) text has padding at position \(position)\(padded ? " before the end" : "; padding is not allowed")")
                }
                throw CryptoError(.encoding, "\(name) text has a character outside its alphabet at position \(position)")
            }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        // The low bits of the last character carry no data; non-zero would give a second text
        // for the same bytes.
        if accumulator != 0 {
            throw CryptoError(.encoding, "\(name) text is not canonical: unused trailing bits are not zero")
        }
        return out
    }
}
