import Foundation
import Glibc
import Synchronization
import Testing
@testable import VecheHTTP
import VecheCore
import VecheCrypto
import VecheLedger
import VecheServer
import VecheStore
import VecheTestSupport

/// A real Veche server: a fresh data directory, `LedgerStore`, `VecheAPI` and `HTTPServer`
/// on an ephemeral loopback port. Nothing is mocked; the SQLite file is real.
final class LiveServer: Sendable {
    let directory: TemporaryDirectory
    let store: LedgerStore
    let api: VecheAPI
    let server: HTTPServer
    let initialized: LedgerStore.Initialized
    /// The checkpoint verifier of this ledger (operator key under the origin).
    let verifier: NoteVerifier

    var port: Int { server.port }
    var url: String { "http://127.0.0.1:\(port)" }

    /// Starts a server whose registrar is `LedgerFixture`'s (or, with `registrars: []`, one
    /// written to `registrar.key` in the data directory). Blocking (keys, SQLite, fsync):
    /// call it off the cooperative pool, as `withLiveServer` does.
    init(
        _ label: String,
        registrars: [PublicKey],
        storeConfiguration: LedgerStore.Configuration,
        httpConfiguration: HTTPServer.Configuration,
        responseFilter: (@Sendable (HTTPRequest, HTTPResponse) -> HTTPResponse)?
    ) throws {
        directory = try TemporaryDirectory("api-\(label)", create: false)
        initialized = try LedgerStore.initialize(directory: directory.path, origin: LedgerFixture.origin, registrars: registrars)
        store = try LedgerStore(directory: directory.path, configuration: storeConfiguration)
        api = VecheAPI(store: store)
        let api = self.api
        server = HTTPServer(configuration: httpConfiguration, handler: { request in
            let response = await api.handle(request)
            return responseFilter?(request, response) ?? response
        })
        try server.start()
        verifier = try NoteVerifier(name: LedgerFixture.origin, publicKey: store.operatorPublicKey.bytes)
    }

    /// The operator's signing key, as `initialize` wrote it.
    func operatorKey() throws -> SigningKey {
        try SigningKey.load(from: directory.path(LedgerStore.Files.operatorKey))
    }

    /// Shuts the server down, closes the store and removes the directory (the blocking
    /// part off the cooperative pool).
    func stop() async {
        await server.shutdown(gracePeriod: .seconds(2))
        let store = self.store
        let directory = self.directory
        _ = try? await offPool {
            store.close()
            directory.remove()
        }
    }

    /// A keep-alive client of this server.
    func client(timeout: Duration = .seconds(10)) -> APIClient {
        APIClient(port: port, timeout: timeout)
    }
}

/// Runs `body` with a live server and always stops it.
func withLiveServer(
    _ label: String,
    registrars: [PublicKey] = [TestKeys.signing("registrar").publicKey],
    store adjustStore: (inout LedgerStore.Configuration) -> Void = { _ in },
    http adjustHTTP: (inout HTTPServer.Configuration) -> Void = { _ in },
    responseFilter: (@Sendable (HTTPRequest, HTTPResponse) -> HTTPResponse)? = nil,
    _ body: (LiveServer) async throws -> Void
) async throws {
    var storeConfiguration = LedgerStore.Configuration()
    adjustStore(&storeConfiguration)
    var httpConfiguration = VecheAPI.serverConfiguration(host: "127.0.0.1", port: 0)
    httpConfiguration.headerReadTimeout = .seconds(5)
    httpConfiguration.bodyReadTimeout = .seconds(5)
    httpConfiguration.idleTimeout = .seconds(10)
    httpConfiguration.writeTimeout = .seconds(5)
    httpConfiguration.lingerTimeout = .milliseconds(300)
    adjustHTTP(&httpConfiguration)
    let (storeSettings, httpSettings) = (storeConfiguration, httpConfiguration)
    let live = try await offPool {
        try LiveServer(
            label, registrars: registrars, storeConfiguration: storeSettings,
            httpConfiguration: httpSettings, responseFilter: responseFilter)
    }
    do {
        try await body(live)
    } catch {
        await live.stop()
        throw error
    }
    await live.stop()
}

/// A blocking keep-alive `HTTPClient` used from async tests through `offPool`.
final class APIClient: Sendable {
    private let connection: Mutex<HTTPClient>

    init(port: Int, timeout: Duration) {
        connection = Mutex(HTTPClient(host: "127.0.0.1", port: port, timeout: timeout))
    }

    /// Sends one request and reads its response.
    func send(_ request: HTTPClientRequest) async throws -> HTTPResponse {
        try await offPool { try self.connection.withLock { client throws(HTTPError) in try client.send(request) } }
    }

    /// `GET target`.
    func get(_ target: String) async throws -> HTTPResponse {
        try await send(HTTPClientRequest(method: "GET", target: target))
    }

    /// `POST /v1/commands` with raw bytes and a Content-Type (nil: no Content-Type at all).
    func post(_ body: [UInt8], contentType: String? = "application/json", target: String = "/v1/commands") async throws -> HTTPResponse {
        var headers = HTTPHeaders()
        if let contentType { headers.add(name: "Content-Type", value: contentType) }
        return try await send(HTTPClientRequest(method: "POST", target: target, headers: headers, body: body))
    }

    /// Posts a signed envelope as canonical JSON.
    func submit(_ envelope: SignedEnvelope) async throws -> HTTPResponse {
        try await post(envelope.canonicalBytes)
    }

    /// Signs `command` with `key` and posts it.
    func submit(_ command: JSONValue, by key: SigningKey) async throws -> HTTPResponse {
        try await submit(try SignedEnvelope.sign(command: command, with: key))
    }
}

extension HTTPResponse {
    /// The body as UTF-8 text.
    var text: String { String(decoding: body, as: UTF8.self) }

    /// The media type of Content-Type, lowercased, without parameters.
    var mediaType: String {
        (headers["Content-Type"] ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
    }

    /// The body parsed as JSON (Veche's own responses may hold `null`).
    func json() throws -> JSONValue {
        try CanonicalJSON.parse(body, limits: JSONLimits(maxDocumentBytes: 64 << 20, allowsNull: true))
    }
}

/// Checks an RFC 9457 problem: status, media type, members, and `field` when given.
func expectProblem(
    _ response: HTTPResponse, _ status: Int, field: String? = nil, _ comment: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(response.status.code == status, "\(comment): \(response.text)", sourceLocation: sourceLocation)
    #expect(response.mediaType == "application/problem+json", "\(comment)", sourceLocation: sourceLocation)
    guard let problem = try? response.json(), case .object(let members) = problem else {
        Issue.record("\(comment): the problem body is not a JSON object: \(response.text)", sourceLocation: sourceLocation)
        return
    }
    #expect(members["type"]?.stringValue?.isEmpty == false, "\(comment): type", sourceLocation: sourceLocation)
    #expect(members["title"]?.stringValue?.isEmpty == false, "\(comment): title", sourceLocation: sourceLocation)
    #expect(members["detail"]?.stringValue?.isEmpty == false, "\(comment): detail", sourceLocation: sourceLocation)
    #expect(members["status"] == .integer(Int64(status)), "\(comment): status member", sourceLocation: sourceLocation)
    #expect(Set(members.keys).subtracting(["type", "title", "status", "detail", "field"]).isEmpty, "\(comment): extra members", sourceLocation: sourceLocation)
    if let field {
        #expect(members["field"]?.stringValue == field, "\(comment): field \(members["field"].map { "\($0)" } ?? "absent") ≠ \(field)", sourceLocation: sourceLocation)
    }
}

/// Keys of the tests' owners, derived from labels so every run has the same ones.
func ownerKey(_ owner: String) -> SigningKey { TestKeys.signing("owner/\(owner)") }

/// Test-only builder of commands for `LedgerFixture.origin` with fresh ids.
struct Commands {
    var fixture: LedgerFixture

    init() throws { fixture = try LedgerFixture() }

    var registrar: SigningKey { fixture.registrar }
    var administrator: SigningKey { fixture.administrator }
    var operatorKey: SigningKey { fixture.operatorSigningKey }

    mutating func make(_ type: String, _ fields: [String: JSONValue]) -> JSONValue {
        fixture.makeCommand(type, fields)
    }

    mutating func register(_ building: String = "B1", premises: [JSONValue]) -> JSONValue {
        make("building.register", ["building": .string(building), "address": "г. Казань, ул. Пушкина, д. 1", "premises": .array(premises)])
    }

    mutating func bind(_ owner: String, _ key: SigningKey) -> JSONValue {
        make("owner.key", ["owner": .string(owner), "key": .string(key.publicKey.string), "action": "bind"])
    }

    mutating func administrator(_ building: String = "B1", keys: [SigningKey]? = nil) -> JSONValue {
        make("building.administrator", [
            "building": .string(building),
            "keys": .array((keys ?? [administrator]).map { .string($0.publicKey.string) }),
            "organization": ["name": "ООО «УК Домовой»", "inn": "1655000000"],
        ])
    }

    /// A generic meeting open from a minute ago until `closesIn` milliseconds from now.
    mutating func meeting(
        _ id: String = "M1", building: String = "B1", closesIn: Int64, opensIn: Int64 = -60_000, revote: String = "forbidden",
        items: [(item: String, threshold: String)] = [("1", "participants-majority")], quorum: String? = "1/2"
    ) -> JSONValue {
        let now = SystemClock.now().milliseconds
        let fields = fixture.meetingFields(
            meeting: id, building: building, rules: "generic", revote: revote,
            opensAt: Timestamp(milliseconds: now + opensIn), closesAt: Timestamp(milliseconds: now + closesIn), items: items, quorum: quorum)
        return make("meeting.create", fields)
    }

    mutating func cast(_ meeting: String = "M1", owner: String, _ choices: [String: String]) -> JSONValue {
        make("ballot.cast", ["meeting": .string(meeting), "owner": .string(owner), "choices": .object(choices.mapValues { .string($0) })])
    }

    mutating func grant(_ meeting: String = "M1", owner: String, proxy: SigningKey, document: String? = nil) -> JSONValue {
        var fields: [String: JSONValue] = ["meeting": .string(meeting), "owner": .string(owner), "proxy": .string(proxy.publicKey.string)]
        if let document { fields["document"] = .string(document) }
        return make("proxy.grant", fields)
    }

    mutating func paper(_ meeting: String = "M1", owner: String, _ choices: [String: JSONValue]) -> JSONValue {
        make("ballot.paper", [
            "meeting": .string(meeting), "owner": .string(owner), "choices": .object(choices),
            "scan": .string(String(repeating: "5c", count: 32)),
        ])
    }
}

/// Submits and requires a 201 receipt; returns the receipt JSON.
@discardableResult
func accept(
    _ client: APIClient, _ command: JSONValue, by key: SigningKey, sourceLocation: SourceLocation = #_sourceLocation
) async throws -> JSONValue {
    let response = try await client.submit(command, by: key)
    #expect(response.status.code == 201, "\(command["type"]?.stringValue ?? "?") \(command["id"]?.stringValue ?? "?"): \(response.text)", sourceLocation: sourceLocation)
    return try response.json()
}

/// Polls until `condition` holds or `timeout` passes.
func eventually(timeout: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

/// Integer query-free helpers over JSON values.
extension JSONValue {
    var int: Int? { integerValue.map { Int($0) } }
}
