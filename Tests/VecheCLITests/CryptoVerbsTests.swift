import Foundation
import Testing
import VecheCrypto
import VecheLedger
import VecheTestSupport
@testable import VecheCLI

@Suite struct CryptoVerbsTests {
    struct Run {
        let code: Int32
        let stdout: String
        let stdoutBytes: [UInt8]
        let stderr: String
    }

    private func run(_ arguments: [String], stdin: [UInt8] = []) -> Run {
        let capture = CapturedConsole(stdin: stdin)
        let code = CLI.run(arguments, console: capture.console)
        return Run(code: code, stdout: capture.stdout, stdoutBytes: capture.stdoutBytes, stderr: capture.stderr)
    }

    private func temporaryDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("veche-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    private struct EnvelopeFile: Decodable {
        struct Key: Decodable { let pemFile: String; let publicKey: String; let vkey: String? }
        struct Envelope: Decodable { let algorithm: String; let body: String; let canonical: String }
        let origin: String
        let keys: [String: Key]
        let envelopes: [Envelope]
    }

    private func vectors() throws -> EnvelopeFile {
        try JSONDecoder().decode(EnvelopeFile.self, from: Vectors.data("envelope/envelopes.json"))
    }

    private func keyPath(_ algorithm: String) throws -> String {
        Vectors.url("envelope/" + (try vectors()).keys[algorithm]!.pemFile).path
    }

    // MARK: keygen

    @Test(arguments: SigningAlgorithm.allCases)
    func keygenWritesA0600KeyAndPrintsItsPublicKey(_ algorithm: SigningAlgorithm) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/k.pem"
        let result = run(["keygen", "--out", path, "--alg", algorithm.rawValue])
        #expect(result.code == 0, "\(result.stderr)")
        let printed = result.stdout.trimmingCharacters(in: .newlines)
        #expect(result.stdout == printed + "\n")
        #expect(try PublicKey(string: printed).algorithm == algorithm)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        #expect(try SigningKey.load(from: path).publicKey.string == printed)
        #expect(run(["key", "show", path]).stdout == printed + "\n")
    }

    @Test func keygenDefaultsToEd25519AndRefusesToOverwrite() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/k.pem"
        let first = run(["keygen", "--out=\(path)"])
        #expect(first.code == 0)
        #expect(first.stdout.hasPrefix("ed25519:"))
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let second = run(["keygen", "--out", path, "--alg", "es256"])
        #expect(second.code == 1)
        #expect(second.stderr.contains("refusing to overwrite"))
        #expect(second.stdout.isEmpty)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func keygenUsageErrorsExitTwo() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for arguments in [["keygen"], ["keygen", "--out", directory + "/a", "--alg", "rsa"], ["keygen", "--out", directory + "/b", "extra"], ["keygen", "--bogus"]] {
            let result = run(arguments)
            #expect(result.code == 2, "\(arguments)")
            #expect(result.stderr.contains("usage: veche keygen"), "\(arguments)")
        }
        #expect(!FileManager.default.fileExists(atPath: directory + "/a"))
    }

    // MARK: key show

    @Test func keyShowPrintsThePythonPublicKeysAndVkey() throws {
        let file = try vectors()
        for algorithm in ["ed25519", "es256"] {
            let result = run(["key", "show", try keyPath(algorithm)])
            #expect(result.code == 0)
            #expect(result.stdout == file.keys[algorithm]!.publicKey + "\n")
        }
        let vkey = run(["key", "show", try keyPath("ed25519"), "--vkey", file.origin])
        #expect(vkey.code == 0)
        #expect(vkey.stdout == file.keys["ed25519"]!.vkey! + "\n")
    }

    @Test func keyShowVkeyNeedsAnEd25519KeyAndAValidOrigin() throws {
        let es = run(["key", "show", try keyPath("es256"), "--vkey", "vote.example.ru/16"])
        #expect(es.code == 1)
        #expect(es.stderr.contains("Ed25519"))
        for origin in ["", "a+b", "a b"] {
            #expect(run(["key", "show", try keyPath("ed25519"), "--vkey", origin]).code == 2, "\(origin)")
        }
    }

    @Test func keyShowFailures() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let missing = run(["key", "show", directory + "/absent.pem"])
        #expect(missing.code == 1)
        #expect(missing.stderr.contains("no key file"))
        try Data("not a key".utf8).write(to: URL(fileURLWithPath: directory + "/bad.pem"))
        let bad = run(["key", "show", directory + "/bad.pem"])
        #expect(bad.code == 1)
        #expect(bad.stderr.contains("not a PEM private key"))
        #expect(run(["key", "show"]).code == 2)
        #expect(run(["key", "show", "a", "b"]).code == 2)
        #expect(run(["key"]).code == 2)
    }

    // MARK: canon

    @Test func canonWritesTheCanonicalBytesWithoutANewline() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let text = "{ \"b\": [1, 2],\n  \"a\": \"\\u0436\" }\n"
        let expected = Array("{\"a\":\"ж\",\"b\":[1,2]}".utf8)
        try Data(text.utf8).write(to: URL(fileURLWithPath: directory + "/doc.json"))
        let fromFile = run(["canon", directory + "/doc.json"])
        #expect(fromFile.code == 0)
        #expect(fromFile.stdoutBytes == expected)
        #expect(run(["canon"], stdin: Array(text.utf8)).stdoutBytes == expected)
        #expect(run(["canon", "-"], stdin: Array(text.utf8)).stdoutBytes == expected)
    }

    @Test func canonAgreesWithTheIndependentVectors() throws {
        struct File: Decodable {
            struct Vector: Decodable { let name: String; let input: String; let expected: String }
            let vectors: [Vector]
        }
        let file = try JSONDecoder().decode(File.self, from: Vectors.data("jcs/canonical.json"))
        for vector in file.vectors {
            let result = run(["canon"], stdin: Array(vector.input.utf8))
            #expect(result.code == 0, "\(vector.name)")
            #expect(result.stdoutBytes == Array(vector.expected.utf8), "\(vector.name)")
        }
    }

    @Test func canonReportsTheOffsetOfInvalidInput() throws {
        let result = run(["canon"], stdin: Array(#"{"a": 1, "a": 2}"#.utf8))
        #expect(result.code == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("at byte 9"))
        #expect(result.stderr.contains("duplicate"))
        let float = run(["canon"], stdin: Array("[1.5]".utf8))
        #expect(float.code == 1)
        #expect(float.stderr.contains("at byte 2"))
        #expect(run(["canon", "/nonexistent/file.json"]).code == 1)
        #expect(run(["canon", "a", "b"]).code == 2)
        let huge = run(["canon"], stdin: [UInt8](repeating: 0x20, count: (1 << 20) + 1))
        #expect(huge.code == 1)
    }

    // MARK: sign

    @Test func signWithThePythonEd25519KeyReproducesThePythonEnvelope() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (index, vector) in try vectors().envelopes.enumerated() where vector.algorithm == "ed25519" {
            let command = try SignedEnvelope.parse(body: Array(vector.body.utf8)).command
            let path = directory + "/command\(index).json"
            try Data(CanonicalJSON.prettyPrinted(command).utf8).write(to: URL(fileURLWithPath: path))
            let result = run(["sign", "--key", try keyPath("ed25519"), path])
            #expect(result.code == 0, "\(result.stderr)")
            #expect(result.stdoutBytes == Array(vector.canonical.utf8) + [0x0A])
        }
    }

    @Test func signWithES256ReadsStandardInputAndVerifies() throws {
        let command = #"{"choices":{"1":"for"},"id":"b-12345678","type":"ballot.cast"}"#
        let result = run(["sign", "--key", try keyPath("es256")], stdin: Array(command.utf8))
        #expect(result.code == 0, "\(result.stderr)")
        #expect(result.stdoutBytes.last == 0x0A)
        let envelope = try SignedEnvelope.parse(body: result.stdoutBytes.dropLast())
        #expect(envelope.signerString == (try vectors()).keys["es256"]!.publicKey)
        #expect(CanonicalJSON.serialize(envelope.command) == Array(command.utf8))
        #expect(CanonicalJSON.isCanonical(Array(result.stdoutBytes.dropLast())))
    }

    @Test func signFailures() throws {
        let key = try keyPath("ed25519")
        let notObject = run(["sign", "--key", key], stdin: Array("[1]".utf8))
        #expect(notObject.code == 1)
        #expect(notObject.stderr.contains("must be a JSON object"))
        let invalid = run(["sign", "--key", key], stdin: Array(#"{"a":null}"#.utf8))
        #expect(invalid.code == 1)
        #expect(invalid.stderr.contains("at byte 5"))
        let missingKey = run(["sign", "--key", "/nonexistent/key.pem"], stdin: Array("{}".utf8))
        #expect(missingKey.code == 1)
        #expect(missingKey.stderr.contains("no key file"))
        #expect(run(["sign"], stdin: Array("{}".utf8)).code == 2)
        #expect(run(["sign", "--key", key, "a.json", "b.json"]).code == 2)
    }

    @Test(arguments: [["keygen"], ["key", "show"], ["canon"], ["sign"]])
    func everyVerbHasHelp(_ name: [String]) {
        let result = run(name + ["--help"])
        #expect(result.code == 0)
        #expect(result.stdout.hasPrefix("usage: veche " + name.joined(separator: " ")))
    }
}
