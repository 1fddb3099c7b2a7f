import Foundation
import Testing
import VecheCrypto
import VecheLedger
import VecheTestSupport

struct CanonicalVector: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let input: String
    let expected: String
    var testDescription: String { name }

    static func all() throws -> [CanonicalVector] {
        struct File: Decodable { let vectors: [CanonicalVector] }
        return try JSONDecoder().decode(File.self, from: Vectors.data("jcs/canonical.json")).vectors
    }
}

struct RejectVector: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let inputHex: String
    let kind: String
    let offset: Int
    var testDescription: String { name }

    static func all() throws -> [RejectVector] {
        struct File: Decodable { let vectors: [RejectVector] }
        return try JSONDecoder().decode(File.self, from: Vectors.data("jcs/reject.json")).vectors
    }
}

/// The vectors in Specs/vectors/jcs were made by an independent Python JCS (generate.py there).
@Suite struct CanonicalJSONVectorTests {
    @Test(arguments: try CanonicalVector.all())
    func inputSerializesToTheIndependentCanonicalForm(_ vector: CanonicalVector) throws {
        let value = try CanonicalJSON.parse(Array(vector.input.utf8))
        let canonical = CanonicalJSON.serialize(value)
        #expect(canonical == Array(vector.expected.utf8))
        #expect(CanonicalJSON.isCanonical(Array(vector.expected.utf8)))
        // The canonical form is a fixed point.
        #expect(CanonicalJSON.serialize(try CanonicalJSON.parse(canonical)) == canonical)
        if vector.input != vector.expected {
            #expect(!CanonicalJSON.isCanonical(Array(vector.input.utf8)))
        }
    }

    @Test(arguments: try RejectVector.all())
    func inputIsRefusedWithItsKindAndOffset(_ vector: RejectVector) throws {
        let bytes = try Hex.decode(vector.inputHex)
        let error = #expect(throws: JSONParseError.self) { try CanonicalJSON.parse(bytes) }
        #expect(error?.kind.rawValue == vector.kind, "\(error?.description ?? "")")
        #expect(error?.offset == vector.offset, "\(error?.description ?? "")")
        #expect(!CanonicalJSON.isCanonical(bytes))
    }

    @Test func vectorSetsCoverTheRequiredCases() throws {
        let names = try CanonicalVector.all().map(\.name).joined(separator: "\n")
        #expect(names.contains("U+FFFF"))
        let kinds = Set(try RejectVector.all().map(\.kind))
        for required: JSONParseError.Kind in [
            .invalidUTF8, .duplicateKey, .loneSurrogate, .fraction, .exponent, .negativeZero, .leadingZero,
            .integerOutOfRange, .null, .trailingGarbage, .controlCharacter, .invalidEscape, .tooDeep, .byteOrderMark,
        ] {
            #expect(kinds.contains(required.rawValue), "\(required)")
        }
    }
}
