import Foundation
import Testing
import VecheCLI
import VecheCrypto
import VecheHTTP
import VecheLedger
import VecheServer
import VecheStore
import VecheTestSupport

@Suite(.serialized) struct ServerVerbsTests {
    @Test func demoRunsAWholeMeetingAndItsRecordVerifies() throws {
        let directory = try TemporaryDirectory("demo", create: false)
        defer { directory.remove() }
        let capture = CapturedConsole()
        #expect(CLI.run(["demo", "--dir", directory.path], console: capture.console) == 0, "\(capture.stderr)")
        #expect(capture.stdout.contains("OK: "))
        #expect(capture.stdout.contains("решение: ПРИНЯТО"))
        #expect(capture.stdout.contains("опоздавший бюллетень o-090 отклонён (409)"))
        // The record it wrote verifies again, and export/tally agree with it.
        let record = directory.path("record.jsonl")
        #expect(CLI.run(["verify", record], console: CapturedConsole().console) == 0)
        let exported = directory.path("export.jsonl")
        #expect(CLI.run(["export", directory.path("data"), "--out", exported], console: CapturedConsole().console) == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: exported)) == Data(contentsOf: URL(fileURLWithPath: record)))
        #expect(CLI.run(["export", directory.path("data"), "--out", exported], console: CapturedConsole().console) == 1)
        let tally = CapturedConsole()
        #expect(CLI.run(["tally", directory.path("data"), "--meeting", "M-2026-17"], console: tally.console) == 0)
        #expect(tally.stdout.contains("recorded meeting.close result: identical"))
        #expect(CLI.run(["tally", directory.path("data"), "--meeting", "nope"], console: CapturedConsole().console) == 1)

        // The protocol from the directory equals the one the demo fetched from the server; names only on request.
        let markdown = CapturedConsole()
        #expect(CLI.run(["protocol", directory.path("data"), "--meeting", "M-2026-17", "--format", "md"], console: markdown.console) == 0)
        #expect(markdown.stdoutBytes == [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory.path("protocol.md")))))
        #expect(!markdown.stdout.contains("Иванов"))
        let names = directory.path("names.csv")
        try "owner;name\no-001;Иванов Иван Иванович\n".write(toFile: names, atomically: true, encoding: .utf8)
        let named = CapturedConsole()
        #expect(CLI.run(["protocol", directory.path("data"), "--meeting", "M-2026-17", "--format", "md", "--names", names], console: named.console) == 0)
        #expect(named.stdout.contains("Иванов Иван Иванович"))
        #expect(CLI.run(["protocol", directory.path("data"), "--meeting", "M-2026-17", "--format", "pdf"], console: CapturedConsole().console) == 2)
    }

    @Test func initRefusesNonEmptyDirectoriesAndHonoursRegistrars() throws {
        let directory = try TemporaryDirectory("init-cli", create: false)
        defer { directory.remove() }
        let registrar = TestKeys.signing("registrar").publicKey.string
        let capture = CapturedConsole()
        #expect(CLI.run(["init", directory.path, "--origin", "vote.example.ru/16", "--registrar", registrar], console: capture.console) == 0)
        #expect(capture.stdout.contains("registrar  \(registrar)"))
        #expect(!FileManager.default.fileExists(atPath: directory.path("registrar.key")))
        #expect(FileManager.default.fileExists(atPath: directory.path("operator.key")))
        #expect(CLI.run(["init", directory.path, "--origin", "vote.example.ru/16"], console: CapturedConsole().console) == 1)
        #expect(CLI.run(["init", directory.path("x")], console: CapturedConsole().console) == 2)
        #expect(CLI.run(["init", directory.path("y"), "--origin", "o", "--registrar", "nonsense"], console: CapturedConsole().console) == 2)
    }

    @Test func registerImportSignAndSubmitThroughARealServer() throws {
        let directory = try TemporaryDirectory("submit", create: false)
        defer { directory.remove() }
        #expect(CLI.run(["init", directory.path, "--origin", "vote.example.ru/16"], console: CapturedConsole().console) == 0)
        let store = try LedgerStore(directory: directory.path)
        let api = VecheAPI(store: store)
        let server = HTTPServer(configuration: VecheAPI.serverConfiguration(host: "127.0.0.1", port: 0), handler: { await api.handle($0) })
        try server.start()
        defer {
            server.beginShutdown(gracePeriod: .seconds(1))
            server.blockUntilStopped()
            store.close()
        }
        let csv = directory.path("register.csv")
        try "number;kind;area;holders;share\r\n1;residential;54,3;o-1;1\r\n2;non-residential;120;o-2+o-3;1\r\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let imported = CapturedConsole()
        #expect(CLI.run(["register", "import", csv, "--building", "B1", "--address", "ул. Ленина, 1", "--ledger", "vote.example.ru/16", "--id", "register-b1-0001"], console: imported.console) == 0)
        let command = try CanonicalJSON.parse(Array(imported.stdoutBytes.dropLast()))
        #expect(command["premises"]?.arrayValue?[0]["area"] == "54.3")
        let signed = CapturedConsole(stdin: imported.stdoutBytes)
        #expect(CLI.run(["sign", "--key", directory.path("registrar.key")], console: signed.console) == 0)
        let envelopePath = directory.path("register.env")
        try Data(signed.stdoutBytes).write(to: URL(fileURLWithPath: envelopePath))
        let url = "http://127.0.0.1:\(server.port)"
        let submitted = CapturedConsole()
        #expect(CLI.run(["submit", "--server", url, envelopePath], console: submitted.console) == 0, "\(submitted.stderr)")
        #expect(submitted.stdout.contains("accepted seq 1"))
        let again = CapturedConsole()
        #expect(CLI.run(["submit", envelopePath, "--server", url], console: again.console) == 0)
        #expect(again.stdout.contains("already accepted seq 1"))
        // A pinned operator key that is not the server's makes the receipt fail verification.
        let wrong = try NoteVerifier(name: "vote.example.ru/16", publicKey: TestKeys.ed25519("impostor").publicKey).vkey
        #expect(CLI.run(["submit", "--server", url, "--key", wrong, envelopePath], console: CapturedConsole().console) == 1)
        // A command the server refuses: exit 1 with the problem.
        let bad = directory.path("bad.csv")
        try "number;kind;area;holders;share\n1;residential;50;o-1;1/2\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let refusedImport = CapturedConsole()
        #expect(CLI.run(["register", "import", bad, "--building", "B1", "--address", "x", "--ledger", "vote.example.ru/16"], console: refusedImport.console) == 1)
        #expect(refusedImport.stderr.contains("line"))
    }
}
