import Foundation
import Synchronization
import VecheCore
import VecheCrypto
import VecheHTTP
import VecheLedger
import VecheServer
import VecheStore

/// `veche demo`: a whole general meeting through a real server, from register to verified record.
struct DemoVerb: Verb {
    static let name = ["demo"]
    static let summary = "run a whole meeting on the bundled sample building through a real server"
    static let usage = "demo [--dir DIR]"
    static let discussion = """
        In a new data directory (a temporary one unless --dir names an absent or empty one):
        veche init; a real HTTP server on a free loopback port; the sample register
        (Samples/building.csv: 121 premises with shared, joint, municipal and non-residential
        ownership) imported from CSV and signed by the registrar; owners' keys bound; the
        managing company set as administrator; a ru-zhk-2024 meeting with one item per
        threshold; about 90 owners voting over HTTP with signed ballots (a proxy, an owner
        overriding the proxy, a paper ballot with a double mark, refused repeats); the
        automatic close; the protocol and the election record written; veche verify run on it.
        The legal 10-day notice and 14-day vote are compressed: the demo's ledger runs on a
        clock it moves forward, which the record shows as ledger times in the future.
        """
    static let options = [OptionSpec("--dir", .value, valueName: "DIR", help: "where to keep the data, protocol and record")]

    static let origin = "demo.veche.local/16"
    static let meetingID = "M-2026-17"
    static let buildingID = "b-demo-17"

    static func run(_ arguments: ParsedArguments, console: Console) throws -> Int32 {
        try arguments.expectPositionals(0...0, what: "nothing")
        let started = ContinuousClock.now
        let base = arguments.value("--dir") ?? FileManager.default.temporaryDirectory.appendingPathComponent("veche-demo-\(UUID().uuidString.prefix(8))").path
        let data = (base as NSString).appendingPathComponent("data")
        let say = { (line: String) in console.out(line) }
        say("Veche — демонстрация общего собрания собственников")
        say("")

        // 1. A new ledger.
        let created: LedgerStore.Initialized
        do {
            try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
            let existing = try FileManager.default.contentsOfDirectory(atPath: base)
            guard existing.isEmpty else { throw CLIFailure("\(base) is not empty") }
            created = try LedgerStore.initialize(directory: data, origin: origin)
        } catch let error as StoreError {
            throw CLIFailure(error.message)
        }
        let registrar = try SigningKey.load(from: (data as NSString).appendingPathComponent(LedgerStore.Files.registrarKey))
        say("1. veche init: \(data)")
        say("   журнал \(origin), ключ оператора \(created.operatorKey.string)")

        // 2. A real server on a free loopback port, on the demo's movable clock.
        let clock = DemoClock()
        var configuration = LedgerStore.Configuration()
        configuration.clock = { clock.now() }
        configuration.closeCheckInterval = .milliseconds(100)
        let store = try LedgerStore(directory: data, configuration: configuration)
        let api = VecheAPI(store: store, clock: { clock.now() })
        let server = HTTPServer(configuration: VecheAPI.serverConfiguration(host: "127.0.0.1", port: 0), handler: { await api.handle($0) })
        do {
            try server.start()
        } catch {
            store.close()
            throw CLIFailure("cannot start the server: \(error)")
        }
        defer {
            server.beginShutdown(gracePeriod: .seconds(2))
            server.blockUntilStopped()
            store.close()
        }
        let url = "http://127.0.0.1:\(server.port)"
        say("2. сервер: \(url) (GET /healthz → ok)")
        let client = HTTPClient(host: "127.0.0.1", port: server.port)
        defer { client.close() }
        let verifier = try NoteVerifier(name: origin, publicKey: created.operatorKey.bytes)
        var session = DemoSession(client: client, verifier: verifier)

        // 3. The register from CSV, signed by the registrar.
        let register = try DemoSample.loadSampleRegister()
        let registerCommand = try registerCommand(register)
        let registerReceipt = try session.submit(registerCommand, by: registrar)
        say("3. реестр собственников из Samples/building.csv: помещений \(register.premises.count), собственников \(register.stakesByOwner.count)")
        say("   building.register подписан регистратором → seq \(registerReceipt.seq), квитанция проверена")

        // 4. Keys for the owners (bound by the registrar) and the managing company.
        var keys: [String: SigningKey] = [:]
        for (index, owner) in register.stakesByOwner.keys.sorted().enumerated() {
            let key = try SigningKey.generate(algorithm: index % 3 == 0 ? .es256 : .ed25519)
            keys[owner] = key
            _ = try session.submit(
                session.command("owner.key", ["owner": .string(owner), "key": .string(key.publicKey.string), "action": "bind"]), by: registrar)
        }
        let company = try SigningKey.generate(algorithm: .ed25519)
        _ = try session.submit(
            session.command(
                "building.administrator",
                ["building": .string(buildingID), "keys": [.string(company.publicKey.string)], "organization": ["name": "ООО «УК Профсоюзная»", "inn": "1655123456"]]),
            by: registrar)
        say("4. ключи собственников привязаны регистратором: \(keys.count) (Ed25519 и ES256); управляющая организация назначена администратором")

        // 5. The meeting: 10 days' notice, 14 days of voting.
        let now = clock.now()
        let opens = Timestamp(milliseconds: now.milliseconds + 10 * Timestamp.millisecondsPerDay + 60_000)
        let closes = Timestamp(milliseconds: opens.milliseconds + 14 * Timestamp.millisecondsPerDay)
        let meetingCommand = session.command(
            "meeting.create",
            [
                "meeting": .string(meetingID), "building": .string(buildingID), "title": "Годовое общее собрание собственников помещений",
                "form": "electronic", "initiator": "Совет многоквартирного дома", "rules": "ru-zhk-2024", "revote": "forbidden",
                "opens_at": .string(opens.rfc3339String), "closes_at": .string(closes.rfc3339String),
                "agenda": .array(
                    DemoSample.agenda.map { item in
                        [
                            "item": .string(item.item), "title": .string(item.title),
                            "proposal": .string("Предлагается: \(item.title.prefix(1).lowercased() + item.title.dropFirst()).\nМатериалы размещены в домовом чате."),
                            "threshold": .string(item.threshold.rawValue), "basis": .string(basis(item.threshold)),
                        ]
                    }),
            ])
        _ = try session.submit(meetingCommand, by: company)
        say("5. собрание \(meetingID) (ru-zhk-2024, электронная форма): голосование с \(opens.rfc3339String) по \(closes.rfc3339String)")
        clock.advance(to: Timestamp(milliseconds: opens.milliseconds + 60_000))
        say("   часы демонстрации переведены на начало голосования (+10 дней)")

        // 6. Voting over HTTP.
        let plan = DemoSample.samplePlan(register: register)
        var accepted = 0
        var refused: [(String, String)] = []
        let scan = Hex.encode(SHA256.hash(Array("скан бюллетеня o-071".utf8)))
        for (index, step) in plan.enumerated() {
            guard let ownerKey = keys[step.owner] else { throw CLIFailure("no key for \(step.owner)") }
            var signer = ownerKey
            var command: JSONValue
            let choices: JSONValue = .object(step.choices.mapValues { choice in
                switch choice {
                case .single(let mark): .string(mark.rawValue)
                case .multiple(let marks): .array(marks.map { .string($0.rawValue) })
                }
            })
            switch step.source {
            case .own:
                command = session.command("ballot.cast", ["meeting": .string(meetingID), "owner": .string(step.owner), "choices": choices])
            case .proxy:
                let proxy = try SigningKey.generate(algorithm: .es256)
                _ = try session.submit(
                    session.command("proxy.grant", ["meeting": .string(meetingID), "owner": .string(step.owner), "proxy": .string(proxy.publicKey.string)]),
                    by: ownerKey)
                signer = proxy
                command = session.command("ballot.cast", ["meeting": .string(meetingID), "owner": .string(step.owner), "choices": choices])
            case .paper:
                signer = company
                command = session.command("ballot.paper", ["meeting": .string(meetingID), "owner": .string(step.owner), "choices": choices, "scan": .string(scan)])
            }
            do {
                _ = try session.submit(command, by: signer)
                accepted += 1
            } catch let refusal as DemoRefusal {
                refused.append((step.owner, "\(refusal.status) \(refusal.detail)"))
            }
            if let note = step.note { say("   • \(step.owner): \(note)") }
            if console.errIsTerminal { console.writeErr(Array("\r   бюллетеней отправлено: \(index + 1)/\(plan.count)".utf8)) }
        }
        if console.errIsTerminal { console.writeErr(Array("\r\u{1B}[K".utf8)) }
        say("6. бюллетеней принято: \(accepted), отклонено: \(refused.count)")
        for (owner, reason) in refused { say("   ✗ \(owner): \(reason)") }

        // 7. The end of voting and the automatic close.
        clock.advance(to: Timestamp(milliseconds: closes.milliseconds + 1))
        if let late = keys["o-090"] {
            do {
                _ = try session.submit(session.command("ballot.cast", ["meeting": .string(meetingID), "owner": "o-090", "choices": ["1": "for"]]), by: late)
                throw CLIFailure("a ballot after closes_at was accepted")
            } catch let refusal as DemoRefusal {
                say("7. часы переведены на конец голосования; опоздавший бюллетень o-090 отклонён (\(refusal.status))")
            }
        }
        let resultJSON = try session.waitForResult(meetingID, timeout: .seconds(10))
        let meeting = try session.getJSON("/v1/meetings/\(meetingID)")
        say("   сервер закрыл собрание сам (meeting.close подписан оператором), статус: \(meeting["status"]?.stringValue ?? "?")")
        say("")
        printResult(resultJSON, register: register, console: console)

        // 8. Protocol, record, verification.
        say("")
        let record = try session.getBytes("/v1/meetings/\(meetingID)/record")
        let recordPath = (base as NSString).appendingPathComponent("record.jsonl")
        try Data(record).write(to: URL(fileURLWithPath: recordPath))
        var written = [recordPath]
        for (format, file) in [("html", "protocol.html"), ("md", "protocol.md"), ("json", "protocol.json"), ("csv", "protocol.csv")] {
            guard let bytes = try? session.getBytes("/v1/meetings/\(meetingID)/protocol?format=\(format)") else { continue }
            let path = (base as NSString).appendingPathComponent(file)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            written.append(path)
        }
        let verification = CapturedConsole()
        let verified = CLI.run(["verify", recordPath, "--key", created.vkey], console: verification.console)
        say("8. veche verify \(recordPath) --key <vkey оператора>")
        say("   " + verification.stdout.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "\n", with: "\n   "))
        say("")
        say("Файлы демонстрации в \(base):")
        for path in written { say("   \(path)") }
        say("   \(data) (каталог данных; veche serve \(data) запустит сервер снова)")
        let seconds = BenchSupport.elapsedSeconds(since: started)
        say("Готово за \(String(format: "%.1f", seconds)) с.")
        return verified == 0 ? 0 : 1
    }

    static func basis(_ threshold: Threshold) -> String {
        switch threshold {
        case .participantsMajority: "ЖК РФ ст. 46 ч. 1"
        case .allMajority: "ЖК РФ ст. 44 ч. 2 п. 1.1, ст. 46 ч. 1"
        case .allTwoThirds: "ЖК РФ ст. 44 ч. 2 п. 1, ст. 46 ч. 1"
        case .allUnanimous: "ЖК РФ ст. 36 ч. 3, ст. 46 ч. 1"
        }
    }

    /// The `building.register` command for the sample register.
    static func registerCommand(_ register: Register) throws -> JSONValue {
        let premises: [JSONValue] = register.premises.map { item in
            var members: [String: JSONValue] = [
                "number": .string(item.number), "kind": .string(item.kind.rawValue), "area": .string(item.areaText),
                "stakes": .array(item.stakes.map { ["holders": .array($0.holders.map { .string($0) }), "share": .string($0.shareText)] }),
            ]
            if let cadastral = item.cadastral { members["cadastral"] = .string(cadastral) }
            return .object(members)
        }
        return [
            "type": "building.register", "id": "register-demo-17", "ledger": .string(origin), "building": .string(buildingID),
            "address": .string(DemoSample.address), "premises": .array(premises),
        ]
    }

    static func printResult(_ result: JSONValue, register: Register, console: Console) {
        func amount(_ key: String, _ object: JSONValue?) -> Rational {
            (try? Rational(exact: object?[key]?.stringValue ?? "0")) ?? .zero
        }
        let total = amount("total", result)
        let participating = amount("participating", result)
        let reached = result["quorum"]?["reached"] == .bool(true)
        console.out("Итоги собрания \(meetingID) (из записи meeting.close)")
        console.out("Всего голосов (площадь всех помещений): \(DemoSample.squareMeters(total))")
        console.out("Приняли участие: \(DemoSample.squareMeters(participating)) — \(DemoSample.percent(participating, of: total)) всех голосов; бюллетеней учтено: \(result["ballots"]?.integerValue ?? 0)")
        console.out("Кворум: \(reached ? "есть" : "нет") (нужно более 50 % всех голосов)")
        for (index, item) in (result["items"]?.arrayValue ?? []).enumerated() where index < DemoSample.agenda.count {
            let threshold = DemoSample.agenda[index].threshold
            let base = threshold == .participantsMajority ? participating : total
            console.out("\(item["item"]?.stringValue ?? ""). \(DemoSample.agenda[index].title)")
            console.out("   порог: \(DemoSample.russian(threshold))")
            console.out(
                "   за \(DemoSample.squareMeters(amount("for", item))) (\(DemoSample.percent(amount("for", item), of: base)))"
                    + " · против \(DemoSample.squareMeters(amount("against", item))) (\(DemoSample.percent(amount("against", item), of: base)))"
                    + " · воздержались \(DemoSample.squareMeters(amount("abstain", item))) (\(DemoSample.percent(amount("abstain", item), of: base)))")
            if !amount("invalid", item).isZero || !amount("blank", item).isZero {
                console.out("   недействительно \(DemoSample.squareMeters(amount("invalid", item))) · без отметки \(DemoSample.squareMeters(amount("blank", item)))")
            }
            console.out("   решение: \(item["adopted"] == .bool(true) ? "ПРИНЯТО" : "НЕ ПРИНЯТО")")
        }
        console.out("Проценты округлены до сотых только для показа; решения приняты по точным дробям (total \(total.exactString)).")
    }
}

/// A refusal the server answered with.
struct DemoRefusal: Error {
    let status: Int
    let detail: String
}

/// The demo's HTTP conversation: builds commands, signs, posts, verifies every receipt.
struct DemoSession {
    let client: HTTPClient
    let verifier: NoteVerifier
    private var counter = 0

    init(client: HTTPClient, verifier: NoteVerifier) {
        self.client = client
        self.verifier = verifier
    }

    mutating func command(_ type: String, _ fields: [String: JSONValue]) -> JSONValue {
        counter += 1
        var members = fields
        members["type"] = .string(type)
        members["id"] = .string("demo-\(counter)-" + Base64URL.encode((try? secureRandomBytes(6)) ?? [0]))
        members["ledger"] = .string(DemoVerb.origin)
        return .object(members)
    }

    /// Signs, posts, and verifies the receipt (leaf, inclusion proof, checkpoint signature).
    func submit(_ command: JSONValue, by key: SigningKey) throws -> Receipt {
        let envelope = try SignedEnvelope.sign(command: command, with: key)
        let response = try client.post("/v1/commands", body: envelope.canonicalBytes, contentType: "application/json")
        guard response.status.code == 201 || response.status.code == 200 else {
            let problem = try? CanonicalJSON.parse(response.body)
            let reason = problem?["type"]?.stringValue?.split(separator: ":").last.map(String.init) ?? ""
            throw DemoRefusal(status: response.status.code, detail: DemoSample.russianRefusal[reason] ?? problem?["detail"]?.stringValue ?? "")
        }
        let receipt = try Receipt.verify(json: try CanonicalJSON.parse(response.body), verifier: verifier)
        guard receipt.entry.command == command else { throw CLIFailure("the receipt is for another command") }
        return receipt
    }

    func getBytes(_ target: String) throws -> [UInt8] {
        let response = try client.get(target)
        guard response.status.code == 200 else { throw CLIFailure("GET \(target) answered \(response.status.code)") }
        return response.body
    }

    func getJSON(_ target: String) throws -> JSONValue {
        try CanonicalJSON.parse(try getBytes(target), limits: JSONLimits(allowsNull: true))
    }

    /// Polls the result until the server's automatic close has appended it.
    func waitForResult(_ meeting: String, timeout: Duration) throws -> JSONValue {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let response = try client.get("/v1/meetings/\(meeting)/result")
            if response.status.code == 200 { return try CanonicalJSON.parse(response.body) }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw CLIFailure("the meeting was not closed within \(timeout)")
    }
}

/// Wall-clock time shifted by an offset the demo moves forward (never back).
final class DemoClock: Sendable {
    private let offset = Mutex<Int64>(0)

    func now() -> Timestamp {
        let real = SystemClock.now().milliseconds
        return Timestamp(milliseconds: real + offset.withLock { $0 })
    }

    /// Moves the clock so that `now()` is at least `time`.
    func advance(to time: Timestamp) {
        let real = SystemClock.now().milliseconds
        offset.withLock { $0 = max($0, time.milliseconds - real) }
    }
}
