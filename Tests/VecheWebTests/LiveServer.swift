import Foundation
import Synchronization
import Testing
import VecheCore
import VecheCrypto
import VecheHTTP
import VecheLedger
import VecheReport
import VecheServer
import VecheStore
import VecheTestSupport

/// A real Veche server for one test, as `veche serve` runs it: a fresh data directory
/// (`veche init` with the fixture's registrar), the SQLite `LedgerStore` on a clock the test
/// moves, `VecheAPI` with protocol rendering, and `HTTPServer` on 127.0.0.1 at a port the
/// kernel picks. The page is loaded from it (`baseURL + "/"`) and every command the test
/// needs (registrar, administrator, other owners) goes through `POST /v1/commands`.
final class LiveServer: Sendable {
    let directory: TemporaryDirectory
    let clock: MovableClock
    let store: LedgerStore
    /// The operator's verifier key (note vkey), what an auditor pins for `veche verify --key`.
    let operatorVKey: String
    private let server: HTTPServer
    /// Builds commands: keys (registrar, administrator), fresh ids, this ledger's origin.
    private let builder: Mutex<LedgerFixture>

    /// The ledger's origin (the fixture's).
    static let origin = LedgerFixture.origin

    /// `http://127.0.0.1:<port>`.
    var baseURL: String { "http://127.0.0.1:\(server.port)" }

    /// The fixture's registrar key (named by genesis).
    var registrar: SigningKey { LedgerFixture.registrarKey }

    /// The fixture's administrator key (set per building by `setUpBuilding`).
    var administrator: SigningKey { LedgerFixture.administratorKey }

    private init(directory: TemporaryDirectory, clock: MovableClock, store: LedgerStore, operatorVKey: String, server: HTTPServer, builder: sending LedgerFixture) {
        self.directory = directory
        self.clock = clock
        self.store = store
        self.operatorVKey = operatorVKey
        self.server = server
        self.builder = Mutex(builder)
    }

    /// Initialises a data directory and starts serving it. The clock starts at the next
    /// whole hour after now (the genesis entry is stamped with the real time just before),
    /// so the times the page shows are round.
    static func start() throws -> LiveServer {
        let directory = try TemporaryDirectory("web-e2e", create: false)
        do {
            let created = try LedgerStore.initialize(directory: directory.path, origin: origin, registrars: [LedgerFixture.registrarKey.publicKey])
            let hour: Int64 = 3_600_000
            let clock = MovableClock(Timestamp(milliseconds: (SystemClock.now().milliseconds / hour + 1) * hour))
            var configuration = LedgerStore.Configuration()
            configuration.clock = { clock.now() }
            configuration.closeCheckInterval = .milliseconds(100)
            configuration.readers = 2
            let store = try LedgerStore(directory: directory.path, configuration: configuration)
            let api = VecheAPI(store: store, clock: { clock.now() })
            let server = HTTPServer(configuration: VecheAPI.serverConfiguration(host: "127.0.0.1", port: 0), handler: { await api.handle($0) })
            do {
                try server.start()
            } catch {
                store.close()
                throw error
            }
            return LiveServer(
                directory: directory, clock: clock, store: store, operatorVKey: created.vkey, server: server,
                builder: try LedgerFixture())
        } catch {
            directory.remove()
            throw error
        }
    }

    /// Starts a server, runs `body`, and always stops the server and deletes its directory.
    static func with<T: Sendable>(_ body: (LiveServer) async throws -> T) async throws -> T {
        let server = try start()
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    /// Stops serving, lets the sequencer finish, and deletes the data directory.
    func stop() async {
        await server.shutdown(gracePeriod: .seconds(2))
        await onThread { [store] in store.close() }
        directory.remove()
    }

    // MARK: - talking to it over HTTP

    /// A command of `type` with `fields`, a fresh id and this ledger's origin.
    func command(_ type: String, _ fields: [String: JSONValue]) -> JSONValue {
        builder.withLock { $0.makeCommand(type, fields) }
    }

    /// Signs `command` with `key` and posts it to `/v1/commands`.
    func post(_ command: JSONValue, by key: SigningKey) async throws -> HTTPResponse {
        try await post(body: try SignedEnvelope.sign(command: command, with: key).canonicalBytes)
    }

    /// Posts an envelope's bytes to `/v1/commands` as `application/json`.
    func post(body: [UInt8]) async throws -> HTTPResponse {
        try await request { try $0.post("/v1/commands", body: body, contentType: "application/json") }
    }

    /// Builds, signs and posts a command that must be accepted (201); returns its receipt,
    /// checked against the operator's key like any client would.
    @discardableResult
    func submit(_ type: String, _ fields: [String: JSONValue], by key: SigningKey) async throws -> Receipt {
        let command = command(type, fields)
        let response = try await post(command, by: key)
        guard response.status.code == 201 else {
            throw LiveServerError("\(type) answered \(response.status.code): \(String(decoding: response.body, as: UTF8.self))")
        }
        let verifier = try NoteVerifier(name: Self.origin, publicKey: store.operatorPublicKey.bytes)
        let receipt = try Receipt.verify(json: try CanonicalJSON.parse(response.body), verifier: verifier)
        guard receipt.entry.command == command else { throw LiveServerError("the receipt of \(type) is for another command") }
        return receipt
    }

    /// `GET target`.
    func get(_ target: String) async throws -> HTTPResponse {
        try await request { try $0.get(target) }
    }

    /// `GET target`, which must answer 200 with JSON.
    func getJSON(_ target: String) async throws -> JSONValue {
        let response = try await get(target)
        guard response.status.code == 200 else {
            throw LiveServerError("GET \(target) answered \(response.status.code): \(String(decoding: response.body, as: UTF8.self))")
        }
        return try CanonicalJSON.parse(response.body, limits: JSONLimits(allowsNull: true))
    }

    /// Polls `GET target` until it answers 200 or `timeout` passes.
    func waitFor(_ target: String, timeout: Duration = .seconds(30)) async throws -> HTTPResponse {
        let deadline = ContinuousClock.now + timeout
        while true {
            let response = try await get(target)
            if response.status.code == 200 { return response }
            guard ContinuousClock.now < deadline else {
                throw LiveServerError("GET \(target) still answered \(response.status.code) after \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// One request on a new connection, made on its own thread: the client blocks, and
    /// Swift's cooperative pool (two threads on CI) must stay free for the server's handlers.
    private func request(_ body: @escaping @Sendable (HTTPClient) throws -> HTTPResponse) async throws -> HTTPResponse {
        let port = server.port
        return try await onThread {
            let client = HTTPClient(host: "127.0.0.1", port: port, timeout: .seconds(30))
            defer { client.close() }
            return try body(client)
        }
    }

    // MARK: - a building and a meeting

    /// Registers building B1 with `premises`, binds `keys` to their owners and sets the
    /// fixture's administrator, all as the registrar through the API.
    func setUpBuilding(premises: [JSONValue], keys: [String: SigningKey]) async throws {
        try await submit("building.register", ["building": "B1", "address": "г. Казань, ул. Пушкина, д. 1", "premises": .array(premises)], by: registrar)
        for (owner, key) in keys.sorted(by: { $0.key < $1.key }) {
            try await bind(owner, key.publicKey.string)
        }
        try await submit(
            "building.administrator",
            ["building": "B1", "keys": [.string(administrator.publicKey.string)], "organization": ["name": "ООО «УК Домовой»", "inn": "1655000000"]],
            by: registrar)
    }

    /// The registrar binds `key` (a key string) to `owner`.
    @discardableResult
    func bind(_ owner: String, _ key: String) async throws -> Receipt {
        try await submit("owner.key", ["owner": .string(owner), "key": .string(key), "action": "bind"], by: registrar)
    }

    /// The administrator creates ru-zhk-2024 meeting M1 on B1 with `agenda` (item, title,
    /// threshold): electronic form, 10 days' notice, 14 days of voting. Returns its period.
    func createMeeting(agenda: [(item: String, title: String, threshold: String)], revote: String = "forbidden") async throws -> (opens: Timestamp, closes: Timestamp) {
        let day = Timestamp.millisecondsPerDay
        let now = clock.now().milliseconds
        // Opens at the first midnight (UTC) at least ten days ahead.
        let opens = Timestamp(milliseconds: ((now + 10 * day) / day + 1) * day)
        let closes = Timestamp(milliseconds: opens.milliseconds + 14 * day)
        try await submit(
            "meeting.create",
            [
                "meeting": "M1", "building": "B1", "title": "Годовое общее собрание собственников помещений",
                "form": "electronic", "initiator": "Совет многоквартирного дома", "rules": "ru-zhk-2024", "revote": .string(revote),
                "opens_at": .string(opens.rfc3339String), "closes_at": .string(closes.rfc3339String),
                "agenda": .array(
                    agenda.map { item in
                        [
                            "item": .string(item.item), "title": .string(item.title),
                            "proposal": .string("Предлагается: \(item.title.prefix(1).lowercased())\(item.title.dropFirst()).\nМатериалы размещены в домовом чате."),
                            "threshold": .string(item.threshold),
                        ]
                    }),
            ],
            by: administrator)
        return (opens, closes)
    }

    /// An owner's ballot through the API, which must be accepted.
    @discardableResult
    func cast(owner: String, _ choices: [String: String], by key: SigningKey) async throws -> Receipt {
        try await submit(
            "ballot.cast", ["meeting": "M1", "owner": .string(owner), "choices": .object(choices.mapValues { .string($0) })], by: key)
    }
}

/// The protocol renderer `veche serve` installs, built here from VecheReport directly (the
/// CLI's own is internal to VecheCLI).
/// What went wrong talking to the live server.
struct LiveServerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension LedgerFixture {
    /// The fixture's registrar key, without building a fixture.
    static let registrarKey = TestKeys.signing("registrar")
    /// The fixture's administrator key, without building a fixture.
    static let administratorKey = TestKeys.signing("administrator")
}

/// Runs blocking work on a fresh thread and awaits it.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.name = "veche-web-test"
        thread.start()
    }
}

/// `onThread` for work that cannot fail.
func onThread(_ body: @escaping @Sendable () -> Void) async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let thread = Thread {
            body()
            continuation.resume()
        }
        thread.name = "veche-web-test"
        thread.start()
    }
}
