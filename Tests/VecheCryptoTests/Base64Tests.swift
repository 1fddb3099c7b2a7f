import Foundation
import Testing
import VecheCrypto

@Suite struct Base64Tests {
    /// RFC 4648 §10 test vectors.
    static let rfc4648: [(String, String, String)] = [
        ("", "", ""), ("f", "Zg==", "Zg"), ("fo", "Zm8=", "Zm8"), ("foo", "Zm9v", "Zm9v"),
        ("foob", "Zm9vYg==", "Zm9vYg"), ("fooba", "Zm9vYmE=", "Zm9vYmE"), ("foobar", "Zm9vYmFy", "Zm9vYmFy"),
    ]

    @Test func rfc4648VectorsEncodeAndDecode() throws {
        for (plain, padded, url) in Self.rfc4648 {
            #expect(Base64.encode(Array(plain.utf8)) == padded)
            #expect(Base64URL.encode(Array(plain.utf8)) == url)
            #expect(try Base64.decode(padded) == Array(plain.utf8))
            #expect(try Base64URL.decode(url) == Array(plain.utf8))
        }
    }

    @Test func urlAlphabetUsesDashAndUnderscore() throws {
        let bytes: [UInt8] = [0xfb, 0xff, 0xbf]
        #expect(Base64.encode(bytes) == "+/+/")
        #expect(Base64URL.encode(bytes) == "-_-_")
        #expect(try Base64URL.decode("-_-_") == bytes)
        #expect(throws: CryptoError.self) { try Base64URL.decode("+/+/") }
        #expect(throws: CryptoError.self) { try Base64.decode("-_-_") }
    }

    @Test(arguments: ["Zg==", "Zg=", "Z", "Zg Zg", " Zg", "Zg\n", "Zm9v\n", "Zm!v", "Zm9vYg=", "Zh", "Zm9", "Zm8A="])
    func base64urlRefusesNonCanonicalText(_ text: String) {
        // Padding, whitespace, bad characters, impossible lengths and non-zero trailing bits
        // ("Zh" has the bit pattern of "Zg" plus a stray low bit; "Zm9" leaves two stray bits).
        #expect(throws: CryptoError.self) { try Base64URL.decode(text) }
    }

    @Test(arguments: ["Zg", "Zg=", "Zg===", "Zh==", "Zm9=", "Zm9v Zm9v", "=Zm9", "Zm=v", "Zm9vYg=\n", "Zm9v====", "Z==="])
    func base64RefusesNonCanonicalText(_ text: String) {
        #expect(throws: CryptoError.self) { try Base64.decode(text) }
    }

    @Test func randomBytesRoundTripAndMatchFoundation() throws {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let padded = Base64.encode(bytes)
            // Foundation's encoder is an independent implementation of the same RFC.
            #expect(padded == Data(bytes).base64EncodedString())
            #expect(try Base64.decode(padded) == bytes)
            let url = Base64URL.encode(bytes)
            #expect(!url.contains("=") && !url.contains("+") && !url.contains("/"))
            #expect(url == padded.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: ""))
            #expect(try Base64URL.decode(url) == bytes)
        }
    }

    @Test func everyNonCanonicalLastCharacterIsRefused() throws {
        // For a 1-byte value only 4 of the 64 last characters have zero unused bits.
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var accepted = 0
        for character in alphabet {
            let text = "Z" + String(character)
            if let bytes = try? Base64URL.decode(text) {
                accepted += 1
                #expect(Base64URL.encode(bytes) == text)
            }
        }
        #expect(accepted == 4)
    }
}

@Suite struct HexTests {
    @Test func encodesLowercaseAndDecodesStrictly() throws {
        #expect(Hex.encode([0x00, 0xab, 0xff, 0x10]) == "00abff10")
        #expect(try Hex.decode("00abff10") == [0x00, 0xab, 0xff, 0x10])
        #expect(try Hex.decode("") == [])
    }

    @Test(arguments: ["0", "abc", "0g", "AB", "0A", " 00", "00 ", "0x00", "+1"])
    func refusesMalformedHex(_ text: String) {
        #expect(throws: CryptoError.self) { try Hex.decode(text) }
    }
}
