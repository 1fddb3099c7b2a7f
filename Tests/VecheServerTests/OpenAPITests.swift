import Foundation
import Testing
@testable import VecheHTTP
import VecheCore
import VecheCrypto
import VecheLedger
import VecheStore
import VecheTestSupport

/// `Specs/openapi.yaml` read with `MiniYAML`, once, off the cooperative pool.
func openAPIDocument() async throws -> JSONValue {
    try await offPool { try parsedOpenAPI.get() }
}

private let parsedOpenAPI: Result<JSONValue, any Error> = Result {
    let text = String(decoding: try Data(contentsOf: Vectors.repositoryRoot.appendingPathComponent("Specs/openapi.yaml")), as: UTF8.self)
    return try MiniYAML.parse(text)
}

/// A request built to produce one documented status, and the server it goes to.
struct Probe: Sendable {
    enum Target: Sendable {
        /// The server with the full world of buildings and meetings.
        case world
        /// A second, nearly empty server.
        case bare
        /// The bare server with every connection slot taken.
        case saturated
    }

    let operation: String
    let status: Int
    let request: HTTPClientRequest
    var target: Target = .world
}

@Suite struct OpenAPITests {
    static let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    @Test func theYAMLReaderAgreesWithTheJSONTwin() async throws {
        let yaml = try await openAPIDocument()
        let json = try CanonicalJSON.parse(
            try Data(contentsOf: Vectors.repositoryRoot.appendingPathComponent("Specs/openapi.json")),
            limits: JSONLimits(maxDocumentBytes: 4 << 20, allowsNull: true))
        #expect(yaml == json, "Specs/openapi.json is stale or MiniYAML misreads the spec: run Specs/openapi-json.py")
        #expect(yaml["openapi"] == "3.1.0")
    }

    @Test(arguments: [
        ("a: 1\na: 2\n", "duplicate key"),
        ("a: &x 1\n", "anchors"),
        ("a: *x\n", "anchors"),
        ("a: !tag x\n", "anchors"),
        ("a: b # comment\n", "inline comments"),
        ("a: [b, [c]]\n", "nested flow"),
        ("a: {b: c}\n", "flow mappings"),
        ("a: yes\n", "boolean"),
        ("a: 1.5\n", "float"),
        ("a: 'open\n", "unterminated"),
        ("a:\n\tb: c\n", "tabs"),
        ("a: \"\\x41\"\n", "escape"),
        ("a:\n  b: 1\n c: 2\n", "indent"),
    ])
    func theYAMLReaderRefusesWhatIsNotInItsSubset(text: String, reason: String) {
        do {
            let value = try MiniYAML.parse(text)
            Issue.record("accepted \(text.debugDescription) as \(value)")
        } catch {
            #expect("\(error)".contains(reason), "\(error)")
        }
    }

    @Test func theYAMLReaderReadsItsSubset() throws {
        let text = """
            # comment
            a: plain text, with commas
            b: 'it''s: quoted'
            c: "tab\\tand \\"quote\\""
            d: [x, 'y, z', 3, true]
            e:
              - 1
              - k: v
                l:
                  - m
            f: |
              line one
                indented

              after blank
            g: >
              folded
              together

              paragraph
            h: {}
            i: []
            j:
            '400': ~
            """
        let value = try MiniYAML.parse(text)
        #expect(value["a"] == "plain text, with commas")
        #expect(value["b"] == "it's: quoted")
        #expect(value["c"] == "tab\tand \"quote\"")
        #expect(value["d"] == ["x", "y, z", 3, true])
        #expect(value["e"] == [1, ["k": "v", "l": ["m"]]])
        #expect(value["f"] == "line one\n  indented\n\nafter blank\n")
        #expect(value["g"] == "folded together\nparagraph\n")
        #expect(value["h"] == .object([:]))
        #expect(value["i"] == [])
        #expect(value["j"] == .null)
        #expect(value["400"] == .null)
    }

    @Test func theSchemaValidatorCatchesWhatTheSchemasForbid() async throws {
        let validator = SchemaValidator(document: try await openAPIDocument())
        let problem = try #require(validator.resolve("#/components/schemas/Problem"))
        #expect(validator.errors(["type": "about:blank", "title": "Bad Request", "status": 400, "detail": "x"], problem).isEmpty)
        #expect(!validator.errors(["type": "about:blank", "title": "Bad Request", "status": 400], problem).isEmpty, "missing detail")
        #expect(!validator.errors(["type": "about:blank", "title": "t", "status": 400, "detail": "x", "extra": 1], problem).isEmpty)
        #expect(!validator.errors(["type": "about:blank", "title": "t", "status": 200, "detail": "x"], problem).isEmpty)
        let exact = try #require(validator.resolve("#/components/schemas/Exact"))
        for good in ["0", "7", "2469/2"] { #expect(validator.errors(.string(good), exact).isEmpty, "\(good)") }
        for bad in ["01", "1.5", "/2", "1/0", "-1"] { #expect(!validator.errors(.string(bad), exact).isEmpty, "\(bad)") }
        let paper = try #require(validator.resolve("#/components/schemas/BallotPaper"))
        let ballot: JSONValue = [
            "type": "ballot.paper", "id": "paper-0001", "ledger": "vote.example.ru/16", "meeting": "M1", "owner": "o1",
            "choices": ["1": ["for", "against"], "2": "abstain"], "scan": .string(String(repeating: "ab", count: 32)),
        ]
        #expect(validator.errors(ballot, paper).isEmpty, "\(validator.errors(ballot, paper))")
        #expect(!validator.errors(RefusalWorld.with(ballot, "choices", ["1": ["for"]]), paper).isEmpty)
        #expect(!validator.errors(RefusalWorld.with(ballot, "choices", ["1": ["for", "for"]]), paper).isEmpty)
        let command = try #require(validator.resolve("#/components/schemas/Command"))
        #expect(validator.errors(ballot, command).isEmpty)
        #expect(!validator.errors(RefusalWorld.with(ballot, "type", "ballot.cast"), command).isEmpty)
        let text = try #require(validator.resolve("#/components/schemas/Text"))
        #expect(validator.errors("Совет дома", text).isEmpty)
        #expect(!validator.errors("a\u{07}b", text).isEmpty)
        #expect(!validator.errors("a\nb", text).isEmpty)
        let proposal = try #require(validator.resolve("#/components/schemas/Proposal"))
        #expect(validator.errors("a\nb", proposal).isEmpty)
        #expect(!validator.errors(["type": "x"], ["type": "object", "unevaluatedProperties": false]).isEmpty, "unknown keyword")
    }

    /// Every documented path, operation and status is produced by a request against a running
    /// server, with the documented media type and a body that conforms to the documented schema.
    @Test func everyDocumentedStatusIsWhatTheServerAnswers() async throws {
        let document = try await openAPIDocument()
        let validator = SchemaValidator(document: document)
        try await withLiveServer("openapi") { world in
            try await withLiveServer("openapi-bare", http: { $0.maxConnections = 2 }) { bare in
                let probes = try await Self.probes(world: world, bare: bare)
                // Documented and probed must be the same set.
                var documented: Set<String> = []
                for (path, item) in document["paths"]?.objectValue ?? [:] {
                    for method in Self.methods {
                        guard let operation = item[method] else { continue }
                        for status in (operation["responses"]?.objectValue ?? [:]).keys {
                            documented.insert("\(method.uppercased()) \(path) \(status)")
                        }
                    }
                }
                let probed = Set(probes.map { "\($0.operation) \($0.status)" })
                #expect(documented.subtracting(probed).isEmpty, "documented but never produced: \(documented.subtracting(probed).sorted())")
                #expect(probed.subtracting(documented).isEmpty, "produced but not documented: \(probed.subtracting(documented).sorted())")

                for probe in probes {
                    let parts = probe.operation.split(separator: " ")
                    let operation = try #require(document["paths"]?[String(parts[1])]?[parts[0].lowercased()])
                    var response = try #require(operation["responses"]?[String(probe.status)], "\(probe.operation) \(probe.status)")
                    if let reference = response["$ref"]?.stringValue { response = try #require(validator.resolve(reference)) }
                    let answer = try await Self.send(probe, world: world, bare: bare)
                    let label = "\(probe.operation) \(probe.status) (\(probe.request.method) \(probe.request.target))"
                    #expect(answer.status.code == probe.status, "\(label): \(answer.text.prefix(300))")
                    let content = response["content"]?.objectValue ?? [:]
                    guard let media = content[answer.mediaType] else {
                        Issue.record("\(label): Content-Type \(answer.headers["Content-Type"] ?? "none") is not documented (\(content.keys.sorted()))")
                        continue
                    }
                    for (name, _) in response["headers"]?.objectValue ?? [:] {
                        #expect(answer.headers[name].flatMap { Int($0) } != nil, "\(label): header \(name)")
                    }
                    guard let schema = media["schema"], probe.request.method != "HEAD" else { continue }
                    let body: JSONValue
                    if answer.mediaType == "application/json" || answer.mediaType.hasSuffix("+json") {
                        guard let parsed = try? answer.json() else {
                            Issue.record("\(label): the body is not JSON")
                            continue
                        }
                        body = parsed
                    } else {
                        body = .string(answer.text)
                    }
                    // Validation is CPU work: off the cooperative pool, which serves the handlers.
                    let bytes = answer.body
                    let isLines = answer.mediaType == "application/x-ndjson"
                    let errors = try await offPool { () -> [String] in
                        let validator = SchemaValidator(document: document)
                        var errors = validator.errors(body, schema)
                        if isLines, let entry = validator.resolve("#/components/schemas/Entry") {
                            for line in bytes.split(separator: 0x0A) {
                                guard let value = try? CanonicalJSON.parse(Array(line)) else {
                                    errors.append("a line is not canonical JSON")
                                    continue
                                }
                                if value["checkpoint"] != nil { continue }
                                errors += validator.errors(value, entry)
                            }
                        }
                        return errors
                    }
                    #expect(errors.isEmpty, "\(label): \(errors.prefix(10))")
                }
            }
        }
    }

    /// Integer query parameters: the documented bounds hold and one beyond is 400; enums
    /// accept each value and refuse others; required parameters are required.
    @Test func documentedParameterBoundsAreTheServers() async throws {
        let document = try await openAPIDocument()
        let validator = SchemaValidator(document: document)
        try await withLiveServer("openapi-bounds") { live in
            let client = live.client()
            var commands = try Commands()
            try await accept(client, commands.register(premises: ResponseShapeTests.premises), by: commands.registrar)
            try await accept(client, commands.meeting("M1", closesIn: 3_600_000), by: commands.registrar)
            let concrete = ["{id}": "M1", "{asset}": "index.html"]
            var checked = 0
            for (path, item) in document["paths"]?.objectValue ?? [:] {
                guard let operation = item["get"] else { continue }
                var base = path
                for (placeholder, value) in concrete { base = base.replacingOccurrences(of: placeholder, with: value) }
                if path.hasPrefix("/v1/buildings/") { base = "/v1/buildings/B1" }
                let parameters = (operation["parameters"]?.arrayValue ?? []).compactMap { parameter -> JSONValue? in
                    let resolved = parameter["$ref"]?.stringValue.flatMap(validator.resolve) ?? parameter
                    return resolved["in"] == "query" ? resolved : nil
                }
                // The smallest valid value of every required parameter.
                var required: [String: String] = [:]
                for parameter in parameters where parameter["required"] == true {
                    let name = try #require(parameter["name"]?.stringValue)
                    required[name] = String(parameter["schema"]?["minimum"]?.integerValue ?? 0)
                    let omitted = required.filter { $0.key != name }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
                    expectProblem(try await client.get(base + (omitted.isEmpty ? "" : "?" + omitted)), 400, "\(path) without \(name)")
                }
                func target(_ name: String, _ value: String) -> String {
                    var query = required
                    query[name] = value
                    return base + "?" + query.sorted(by: { $0.key < $1.key }).map { "\($0.key)=\($0.value)" }.joined(separator: "&")
                }
                for parameter in parameters {
                    let name = try #require(parameter["name"]?.stringValue)
                    let schema = try #require(parameter["schema"])
                    if let minimum = schema["minimum"]?.integerValue {
                        #expect(try await client.get(target(name, String(minimum))).status == .ok, "\(path) \(name)=\(minimum)")
                        expectProblem(try await client.get(target(name, String(minimum - 1))), 400, "\(path) \(name)=\(minimum - 1)")
                        checked += 1
                    }
                    if let maximum = schema["maximum"]?.integerValue {
                        #expect(try await client.get(target(name, String(maximum))).status == .ok, "\(path) \(name)=\(maximum)")
                        expectProblem(try await client.get(target(name, String(maximum + 1))), 400, "\(path) \(name)=\(maximum + 1)")
                        checked += 1
                    }
                    for value in schema["enum"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
                        #expect(try await client.get(target(name, value)).status == .ok, "\(path) \(name)=\(value)")
                        checked += 1
                    }
                    if schema["enum"] != nil { expectProblem(try await client.get(target(name, "x")), 400, "\(path) \(name)=x") }
                    if schema["type"] == "integer" { expectProblem(try await client.get(target(name, "x")), 400, "\(path) \(name)=x") }
                }
                if path.hasPrefix("/v1/") {
                    expectProblem(try await client.get(target("undocumented", "1")), 400, "\(path) with an undocumented parameter")
                }
            }
            #expect(checked >= 12, "\(checked) bounds checked")
        }
    }

    // MARK: - the probes

    static func send(_ probe: Probe, world: LiveServer, bare: LiveServer) async throws -> HTTPResponse {
        switch probe.target {
        case .world: return try await world.client().send(probe.request)
        case .bare: return try await bare.client().send(probe.request)
        case .saturated:
            // Take both connection slots with idle keep-alive connections, then ask.
            let port = bare.port
            return try await offPool {
                var held: [HTTPClient] = []
                // Connections of earlier probes may still be closing: retry until both slots are ours.
                for _ in 0..<100 where held.count < 2 {
                    let client = HTTPClient(host: "127.0.0.1", port: port, timeout: .seconds(5))
                    if (try? client.get("/healthz"))?.status == .ok, client.isConnected {
                        held.append(client)
                    } else {
                        client.close()
                        usleep(20_000)
                    }
                }
                let response = try HTTPClient(host: "127.0.0.1", port: port, timeout: .seconds(5)).send(probe.request)
                for client in held { client.close() }
                usleep(50_000)
                return response
            }
        }
    }

    /// Builds the world and one request for every (operation, status) the server can answer.
    static func probes(world: LiveServer, bare: LiveServer) async throws -> [Probe] {
        let client = world.client()
        var commands = try Commands()
        let register = try SignedEnvelope.sign(command: commands.register(premises: ResponseShapeTests.premises), with: commands.registrar)
        #expect(try await client.submit(register).status.code == 201)
        try await accept(client, commands.administrator(), by: commands.registrar)
        for owner in ["o1", "o2"] { try await accept(client, commands.bind(owner, ownerKey(owner)), by: commands.registrar) }
        try await accept(client, commands.meeting("M-open", closesIn: 3_600_000), by: commands.administrator)
        try await accept(client, commands.meeting("M-cancelled", closesIn: 3_600_000), by: commands.administrator)
        try await accept(client, commands.make("meeting.cancel", ["meeting": "M-cancelled", "reason": "перенос"]), by: commands.administrator)
        try await accept(client, commands.meeting("M-closed", closesIn: 3_000), by: commands.administrator)
        try await accept(client, commands.cast("M-closed", owner: "o1", ["1": "for"]), by: ownerKey("o1"))
        try await accept(client, commands.cast("M-open", owner: "o1", ["1": "for"]), by: ownerKey("o1"))
        #expect(try await eventually(timeout: .seconds(10)) { try await client.get("/v1/meetings/M-closed/result").status == .ok })
        // The bare server: one building and one meeting.
        let bareClient = bare.client()
        var bareCommands = try Commands()
        try await accept(bareClient, bareCommands.register(premises: ResponseShapeTests.premises), by: bareCommands.registrar)
        try await accept(bareClient, bareCommands.meeting("M-closed", closesIn: 3_600_000), by: bareCommands.registrar)

        func get(_ operation: String, _ status: Int, _ target: String, on server: Probe.Target = .world) -> Probe {
            Probe(operation: "GET \(operation)", status: status, request: HTTPClientRequest(method: "GET", target: target), target: server)
        }
        func post(_ status: Int, _ body: [UInt8], contentType: String = "application/json", on server: Probe.Target = .world) -> Probe {
            Probe(
                operation: "POST /v1/commands", status: status,
                request: HTTPClientRequest(method: "POST", target: "/v1/commands", headers: ["Content-Type": contentType], body: body), target: server)
        }
        var tampered = try SignedEnvelope.sign(command: commands.bind("o7", ownerKey("o7")), with: commands.registrar).json.objectValue!
        tampered["signer"] = .string(ownerKey("o7").publicKey.string)

        var probes: [Probe] = [
            post(201, try SignedEnvelope.sign(command: commands.bind("o3", ownerKey("o3")), with: commands.registrar).canonicalBytes),
            post(200, register.canonicalBytes),
            post(400, Array("{\"command\":1.5}".utf8)),
            post(403, CanonicalJSON.serialize(.object(tampered))),
            post(409, try SignedEnvelope.sign(command: commands.cast("M-open", owner: "o1", ["1": "against"]), with: ownerKey("o1")).canonicalBytes),
            post(413, [UInt8](repeating: 0x20, count: 2 << 20)),
            post(415, register.canonicalBytes, contentType: "text/plain"),
            post(422, try SignedEnvelope.sign(command: commands.cast("M9", owner: "o1", ["1": "for"]), with: ownerKey("o1")).canonicalBytes),
            post(503, register.canonicalBytes, on: .saturated),
        ]
        let ids = [
            ("/v1/buildings/{id}", "/v1/buildings/B1", "/v1/buildings/B9"),
            ("/v1/meetings/{id}", "/v1/meetings/M-open", "/v1/meetings/M9"),
            ("/v1/meetings/{id}/result", "/v1/meetings/M-closed/result", "/v1/meetings/M-open/result"),
            ("/v1/meetings/{id}/protocol", "/v1/meetings/M-closed/protocol", "/v1/meetings/M9/protocol"),
            ("/v1/meetings/{id}/record", "/v1/meetings/M-closed/record", "/v1/meetings/M9/record"),
        ]
        for (operation, found, missing) in ids {
            probes.append(get(operation, 200, found))
            probes.append(get(operation, 404, missing))
            probes.append(get(operation, 400, found + "?x=1"))
            probes.append(get(operation, 503, found, on: .saturated))
        }
        for format in ["html", "md", "json", "csv"] {
            probes.append(get("/v1/meetings/{id}/protocol", 200, "/v1/meetings/M-closed/protocol?format=\(format)"))
        }
        probes += [
            get("/v1/meetings/{id}/result", 404, "/v1/meetings/M9/result"),
            get("/v1/meetings/{id}/result", 410, "/v1/meetings/M-cancelled/result"),
            get("/v1/checkpoint", 200, "/v1/checkpoint"),
            get("/v1/checkpoint", 400, "/v1/checkpoint?x=1"),
            get("/v1/checkpoint", 503, "/v1/checkpoint", on: .saturated),
            get("/v1/entries", 200, "/v1/entries"),
            get("/v1/entries", 200, "/v1/entries?from=2&limit=3"),
            get("/v1/entries", 200, "/v1/entries?from=1000"),
            get("/v1/entries", 400, "/v1/entries?limit=1001"),
            get("/v1/entries", 503, "/v1/entries", on: .saturated),
            get("/v1/proofs/inclusion", 200, "/v1/proofs/inclusion?seq=3"),
            get("/v1/proofs/inclusion", 200, "/v1/proofs/inclusion?seq=0&size=1"),
            get("/v1/proofs/inclusion", 400, "/v1/proofs/inclusion?seq=3&size=3"),
            get("/v1/proofs/inclusion", 503, "/v1/proofs/inclusion?seq=3", on: .saturated),
            get("/v1/proofs/consistency", 200, "/v1/proofs/consistency?from=2"),
            get("/v1/proofs/consistency", 200, "/v1/proofs/consistency?from=4&to=4"),
            get("/v1/proofs/consistency", 400, "/v1/proofs/consistency?from=5&to=4"),
            get("/v1/proofs/consistency", 503, "/v1/proofs/consistency?from=2", on: .saturated),
            get("/healthz", 200, "/healthz"),
            get("/healthz", 503, "/healthz", on: .saturated),
            get("/metrics", 200, "/metrics"),
            get("/metrics", 503, "/metrics", on: .saturated),
            get("/", 200, "/"),
            get("/", 503, "/", on: .saturated),
            get("/{asset}", 200, "/index.html"),
            get("/{asset}", 404, "/nope.css"),
            get("/{asset}", 503, "/index.html", on: .saturated),
            Probe(operation: "GET /v1/checkpoint", status: 200, request: HTTPClientRequest(method: "HEAD", target: "/v1/checkpoint")),
        ]
        return probes
    }
}
