import Foundation
import Testing
import VecheCrypto
import VecheTestSupport

@Suite struct SigningKeyTests {
    static let p384PEM = """
        -----BEGIN PRIVATE KEY-----
        MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDAAAAAAAAAAAAAAAAAA
        AAAAK+iIBYUvzq5eYnJAd8mngHx18X191mQ9VfZD9Q3T26qhZANiAAREknNN/9L5
        BLxMu5zORAJEcFQ0iYzvruc6/rYEHbStdre1qShWuzacQQVfQ4TZfQgcDmhInmla
        dMMcmMLmA6HDm4gYY9GLWwP6g96n4MKf6uxNVJVRrleThUVa7wP7WEw=
        -----END PRIVATE KEY-----

        """
    static let x25519PEM = """
        -----BEGIN PRIVATE KEY-----
        MC4CAQAwBQYDK2VuBCIEIPIjGrE+76p27Nal4Zgm9zIdAPCEUuY0vLm+pW1EdVDp
        -----END PRIVATE KEY-----

        """
    static let encryptedPEM = """
        -----BEGIN ENCRYPTED PRIVATE KEY-----
        MIH0MF8GCSqGSIb3DQEFDTBSMDEGCSqGSIb3DQEFDDAkBBBgFbYzGkwfi6L+bMm2
        WgyLAgIIADAMBggqhkiG9w0CCQUAMB0GCWCGSAFlAwQBKgQQ4Lbn6Ka0a/XiuD94
        IUhcmASBkH1u/9R+CUEt2D9DnrJAelZlzrcauzFghb2dClztbEbXrPG7K3NAZDR9
        YMy9sTlnsdtuS5scyOugEUfWRl97rM0/8TbfQfqK93PZ+rHvao2EgBv82ymtQiuk
        ojgB7S2LNUoBJPfebFU//SAJZv45byf+WuXn8hIQnVHZI72Tsbah2UyCn0xJQHA7
        Ga2TImesNQ==
        -----END ENCRYPTED PRIVATE KEY-----

        """

    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("veche-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test(arguments: SigningAlgorithm.allCases)
    func pemRoundTripKeepsTheKey(_ algorithm: SigningAlgorithm) throws {
        let key = try SigningKey.generate(algorithm: algorithm)
        let pem = try key.pemString()
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        #expect(pem.hasSuffix("-----END PRIVATE KEY-----\n"))
        let loaded = try SigningKey(pem: pem)
        #expect(loaded.publicKey == key.publicKey)
        #expect(loaded.algorithm == algorithm)
        let message = Array("signed after reload".utf8)
        #expect(key.publicKey.isValidSignature(try loaded.sign(message), for: message))
    }

    @Test func pythonWrittenPEMsGiveThePythonPublicKeys() throws {
        struct File: Decodable {
            struct Key: Decodable { let pemFile: String; let publicKey: String }
            let keys: [String: Key]
        }
        let file = try JSONDecoder().decode(File.self, from: Vectors.data("envelope/envelopes.json"))
        for (algorithm, entry) in file.keys {
            let key = try SigningKey.load(from: Vectors.url("envelope/" + entry.pemFile).path)
            #expect(key.algorithm.rawValue == algorithm)
            #expect(key.publicKey.string == entry.publicKey)
        }
    }

    @Test func writeCreatesMode0600AndNeverOverwrites() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("operator.key").path
        let key = try SigningKey.generate(algorithm: .ed25519)
        try key.write(to: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))

        let other = try SigningKey.generate(algorithm: .es256)
        let error = #expect(throws: CryptoError.self) { try other.write(to: path) }
        #expect(error?.code == .fileExists)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == original)
        #expect(try SigningKey.load(from: path).publicKey == key.publicKey)
    }

    @Test func writeIntoAMissingDirectoryFailsClearly() throws {
        let key = try SigningKey.generate(algorithm: .ed25519)
        let error = #expect(throws: CryptoError.self) { try key.write(to: "/nonexistent-veche-dir/k.pem") }
        #expect(error?.code == .keyFile)
        #expect(error?.message.contains("/nonexistent-veche-dir/k.pem") == true)
    }

    @Test func loadNamesWhatIsWrong() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func write(_ name: String, _ text: String) throws -> String {
            let path = directory.appendingPathComponent(name).path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
        let missing = #expect(throws: CryptoError.self) { try SigningKey.load(from: directory.appendingPathComponent("absent.pem").path) }
        #expect(missing?.code == .fileNotFound)

        let garbage = #expect(throws: CryptoError.self) { try SigningKey.load(from: try write("garbage.pem", "hello\n")) }
        #expect(garbage?.code == .keyFile)
        #expect(garbage?.message.contains("not a PEM private key") == true)

        let publicOnly = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----\n"
        let notPrivate = #expect(throws: CryptoError.self) { try SigningKey.load(from: try write("public.pem", publicOnly)) }
        #expect(notPrivate?.code == .keyFile)

        for (name, pem) in [("p384.pem", Self.p384PEM), ("x25519.pem", Self.x25519PEM)] {
            let unsupported = #expect(throws: CryptoError.self) { try SigningKey.load(from: try write(name, pem)) }
            #expect(unsupported?.code == .unsupportedAlgorithm, "\(name)")
        }

        let encrypted = #expect(throws: CryptoError.self) { try SigningKey.load(from: try write("enc.pem", Self.encryptedPEM)) }
        #expect(encrypted?.message.contains("encrypted") == true)

        let directoryError = #expect(throws: CryptoError.self) { try SigningKey.load(from: directory.path) }
        #expect(directoryError?.code == .keyFile)
    }

    @Test func errorsNeverEchoKeyMaterial() throws {
        let pem = try SigningKey.generate(algorithm: .es256).pemString()
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }
        // Corrupt the base64 body so parsing fails after reading it.
        let corrupted = pem.replacingOccurrences(of: String(body[0].prefix(8)), with: "!!!!!!!!")
        let error = #expect(throws: CryptoError.self) { try SigningKey(pem: corrupted) }
        for line in body {
            #expect(error?.description.contains(line.dropFirst(8).prefix(16)) == false)
        }
    }

    @Test func ed25519SigningIsDeterministicAndMatchesRFC8032() throws {
        let vector = try RFC8032Vector.all()[1]
        let key = SigningKey.ed25519(try Ed25519.PrivateKey(seed: Hex.decode(vector.secretKey)))
        let message = try Hex.decode(vector.message)
        #expect(try key.sign(message) == (try Hex.decode(vector.signature)))
        #expect(try SigningKey(pem: key.pemString()).sign(message) == (try Hex.decode(vector.signature)))
    }
}
