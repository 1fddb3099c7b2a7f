import Foundation

/// Standard base64 with padding (RFC 4648 §4), as signed notes, checkpoints and
/// tlog-proofs use it — canonical only.
///
/// Decoding refuses any text that does not re-encode to itself (missing padding, nonzero
/// padding bits, whitespace), so every value has exactly one spelling: a flipped bit in
/// a signature or hash line can never decode to the same bytes.
enum NoteBase64 {
    /// The canonical encoding of `bytes`.
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }

    /// The bytes of `text`, or nil unless it is canonical, non-empty base64.
    static func decode(_ text: Substring) -> [UInt8]? {
        guard !text.isEmpty, text.utf8.allSatisfy(isAlphabet) else { return nil }
        let string = String(text)
        guard let data = Data(base64Encoded: string), data.base64EncodedString() == string else { return nil }
        return [UInt8](data)
    }

    private static func isAlphabet(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="):
            return true
        default:
            return false
        }
    }
}
