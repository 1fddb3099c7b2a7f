import Foundation
import Synchronization
public import VecheCore
import VecheCrypto
public import VecheHTTP
import VecheLedger
public import VecheStore

/// The Veche HTTP API of WIRE.md "HTTP" over a `LedgerStore`.
///
/// Every refusal is an RFC 9457 problem with the WIRE.md status; `field` names the JSON
/// pointer at fault when there is one.
public final class VecheAPI: Sendable {
    public let store: LedgerStore
    private let web: WebAssets
    private let requestCounts = Mutex<[String: Int]>([:])
    private let clock: @Sendable () -> Timestamp

    public init(store: LedgerStore, clock: @escaping @Sendable () -> Timestamp = SystemClock.now) {
        self.store = store
        self.clock = clock
        self.web = WebAssets()
    }

    /// The HTTP server configuration WIRE.md asks for (1 MiB bodies) on `host:port`.
    public static func serverConfiguration(host: String, port: Int) -> HTTPServer.Configuration {
        var configuration = HTTPServer.Configuration(host: host, port: port)
        configuration.maxBodyBytes = 1 << 20
        return configuration
    }

    /// Answers one request.
    public func handle(_ request: HTTPRequest) async -> HTTPResponse {
        let response: HTTPResponse
        let route: String
        do {
            (route, response) = try await dispatch(request)
        } catch let problem as Problem {
            route = problem.route
            response = problem.response
        } catch let error as StoreError {
            // A read that failed in the store (or a renderer that reports through it) keeps its status.
            route = "error"
            response = Self.problem(error.status, error.code.rawValue, nil, error.message)
        } catch {
            route = "error"
            response = Self.problem(500, "internal-error", "Internal Server Error", "\(error)")
        }
        requestCounts.withLock { $0["\(route)|\(response.status.code)", default: 0] += 1 }
        return response
    }

    private func dispatch(_ request: HTTPRequest) async throws -> (String, HTTPResponse) {
        guard let segments = request.pathSegments else {
            throw Problem(route: "unknown", response: Self.problem(404, "not-found", "Not Found", "the path does not decode"))
        }
        let method = request.method == "HEAD" ? "GET" : request.method
        func only(_ allowed: String, _ route: String) throws {
            guard method == allowed else {
                var response = Self.problem(405, "method-not-allowed", "Method Not Allowed", "\(request.method) is not allowed here; use \(allowed)")
                response.headers.set(name: "Allow", value: allowed == "GET" ? "GET, HEAD" : allowed)
                throw Problem(route: route, response: response)
            }
        }
        switch segments {
        case ["v1", "commands"]:
            try only("POST", "commands")
            return ("commands", await submit(request))
        case ["v1", "checkpoint"]:
            try only("GET", "checkpoint")
            try noQuery(request, "checkpoint")
            return ("checkpoint", HTTPResponse(status: .ok, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array(store.latestCheckpoint.text.utf8)))
        case ["v1", "entries"]:
            try only("GET", "entries")
            return ("entries", try entries(request))
        case ["v1", "proofs", "inclusion"]:
            try only("GET", "inclusion")
            return ("inclusion", try inclusion(request))
        case ["v1", "proofs", "consistency"]:
            try only("GET", "consistency")
            return ("consistency", try consistency(request))
        case let path where path.count == 3 && path[0] == "v1" && path[1] == "buildings":
            try only("GET", "building")
            try noQuery(request, "building")
            return ("building", try building(path[2]))
        case let path where path.count == 3 && path[0] == "v1" && path[1] == "meetings":
            try only("GET", "meeting")
            try noQuery(request, "meeting")
            return ("meeting", try meeting(path[2]))
        case let path where path.count == 4 && path[0] == "v1" && path[1] == "meetings" && path[3] == "result":
            try only("GET", "result")
            try noQuery(request, "result")
            return ("result", try result(path[2]))
        case let path where path.count == 4 && path[0] == "v1" && path[1] == "meetings" && path[3] == "protocol":
            try only("GET", "protocol")
            return ("protocol", try protocolDocument(path[2], request))
        case let path where path.count == 4 && path[0] == "v1" && path[1] == "meetings" && path[3] == "record":
            try only("GET", "record")
            try noQuery(request, "record")
            return ("record", try record(path[2]))
        case ["healthz"]:
            try only("GET", "healthz")
            return ("healthz", .text("ok"))
        case ["metrics"]:
            try only("GET", "metrics")
            return ("metrics", HTTPResponse(status: .ok, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"], body: Array(metricsText().utf8)))
        case let path where path.count == 1:
            // Existence first: 404 is for unknown resources whatever the method, 405 only for known ones.
            let name = path[0].isEmpty ? "index.html" : path[0]
            guard let asset = web.asset(name) else {
                throw Problem(route: "unknown", response: Self.problem(404, "not-found", "Not Found", "no resource at \(request.path)"))
            }
            try only("GET", "web")
            return ("web", HTTPResponse(status: .ok, headers: ["Content-Type": asset.contentType, "Cache-Control": "no-cache"], body: asset.bytes))
        default:
            throw Problem(route: "unknown", response: Self.problem(404, "not-found", "Not Found", "no resource at \(request.path)"))
        }
    }

    // MARK: - commands

    private func submit(_ request: HTTPRequest) async -> HTTPResponse {
        // Step 1: the HTTP server already answered 413 for bodies over 1 MiB.
        let contentType = request.headers.values(for: "Content-Type").first ?? ""
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard mediaType == "application/json" else {
            return Self.problem(415, "unsupported-media-type", "Unsupported Media Type", "Content-Type must be application/json, got \(contentType.isEmpty ? "none" : contentType)")
        }
        do {
            switch try await store.submit(body: request.body) {
            case .accepted(let receipt):
                return .json(receipt.canonicalBytes, status: .created)
            case .repeated(let receipt):
                return .json(receipt.canonicalBytes, status: .ok)
            }
        } catch let error as EnvelopeError {
            return Self.problem(error.status, error.status == 403 ? "bad-signature" : "malformed", nil, error.message, field: error.field.description)
        } catch let error as LedgerError {
            return Self.problem(error.status, error.reason, nil, error.message, field: error.field)
        } catch let error as StoreError {
            var response = Self.problem(error.status, error.code.rawValue, nil, error.message)
            if error.status == 503 { response.headers.set(name: "Retry-After", value: "1") }
            return response
        } catch {
            return Self.problem(500, "internal-error", nil, "\(error)")
        }
    }

    // MARK: - ledger

    private func entries(_ request: HTTPRequest) throws -> HTTPResponse {
        let query = try Query(request, allowed: ["from", "limit"], route: "entries")
        let from = try query.integer("from", default: 0, range: 0...Int(JSONValue.maxSafeInteger))
        let limit = try query.integer("limit", default: 100, range: 1...1000)
        var body: [UInt8] = []
        for entry in try store.entries(from: from, limit: limit) {
            body += entry
            body.append(0x0A)
        }
        return HTTPResponse(status: .ok, headers: ["Content-Type": "application/x-ndjson"], body: body)
    }

    private func inclusion(_ request: HTTPRequest) throws -> HTTPResponse {
        let query = try Query(request, allowed: ["seq", "size"], route: "inclusion")
        let current = store.size
        let size = try query.integer("size", default: current, range: 1...current)
        guard query.values["seq"] != nil else { throw query.bad("seq", "is required") }
        let seq = try query.integer("seq", default: 0, range: 0...(size - 1))
        let path = try store.inclusionProof(seq: seq, size: size)
        let body: JSONValue = [
            "seq": .integer(Int64(seq)), "size": .integer(Int64(size)), "leaf": .string(Hex.encode(try store.leaf(seq: seq))),
            "path": .array(path.map { .string(Hex.encode($0)) }),
        ]
        return .json(CanonicalJSON.serialize(body))
    }

    private func consistency(_ request: HTTPRequest) throws -> HTTPResponse {
        let query = try Query(request, allowed: ["from", "to"], route: "consistency")
        let current = store.size
        let to = try query.integer("to", default: current, range: 1...current)
        guard query.values["from"] != nil else { throw query.bad("from", "is required") }
        let from = try query.integer("from", default: 1, range: 1...to)
        let path = try store.consistencyProof(from: from, to: to)
        let body: JSONValue = ["from": .integer(Int64(from)), "to": .integer(Int64(to)), "path": .array(path.map { .string(Hex.encode($0)) })]
        return .json(CanonicalJSON.serialize(body))
    }

    // MARK: - buildings and meetings

    private func notFound(_ what: String, route: String) -> Problem {
        Problem(route: route, response: Self.problem(404, "not-found", "Not Found", what))
    }

    private func building(_ id: String) throws -> HTTPResponse {
        guard Identifier.isValid(id), let building = try store.building(id) else {
            throw notFound("building \(id) is not registered", route: "building")
        }
        let body: JSONValue = [
            "building": building.registerCommand,
            "register": .string(Hex.encode(building.registerLeaf)),
            "administrator": building.administrator?.command ?? .null,
            "meetings": .array(building.meetings.map { .string($0) }),
        ]
        return .json(CanonicalJSON.serialize(body))
    }

    private func knownMeeting(_ id: String, route: String) throws -> MeetingRecord {
        guard Identifier.isValid(id), let meeting = try store.meeting(id) else {
            throw notFound("meeting \(id) does not exist", route: route)
        }
        return meeting
    }

    private func meeting(_ id: String) throws -> HTTPResponse {
        let meeting = try knownMeeting(id, route: "meeting")
        var body: [String: JSONValue] = [
            "meeting": meeting.createCommand,
            "status": .string(meeting.status(at: clock()).rawValue),
            "register": .string(Hex.encode(meeting.registerLeaf)),
        ]
        if let result = meeting.result {
            body["total"] = result["total"]
            body["participating"] = result["participating"]
            body["quorum"] = result["quorum"]
            body["ballots"] = result["ballots"]
        } else if let live = try store.liveFigures(id) {
            body["total"] = .string(live.total.exactString)
            body["participating"] = .string(live.participating.exactString)
            body["quorum"] = ["required": .string(live.quorumRequired.exactString), "reached": .bool(live.quorumReached)]
            body["ballots"] = .integer(Int64(live.ballots))
        }
        return .json(CanonicalJSON.serialize(.object(body)))
    }

    private func result(_ id: String) throws -> HTTPResponse {
        let meeting = try knownMeeting(id, route: "result")
        if meeting.cancelledSeq != nil {
            throw Problem(route: "result", response: Self.problem(410, "meeting-cancelled", "Gone", "meeting \(id) was cancelled; it has no result"))
        }
        guard let result = meeting.result else {
            throw notFound("meeting \(id) is not closed yet; its result appears after closes_at", route: "result")
        }
        return .json(CanonicalJSON.serialize(result))
    }

    private func protocolDocument(_ id: String, _ request: HTTPRequest) throws -> HTTPResponse {
        let query = try Query(request, allowed: ["format"], route: "protocol")
        let format = query.values["format"] ?? "html"
        guard ["html", "md", "json", "csv"].contains(format) else { throw query.bad("format", "must be html, md, json or csv") }
        _ = try knownMeeting(id, route: "protocol")
        let (contentType, body) = try ProtocolRendering.render(meeting: id, format: format, store: store)
        return HTTPResponse(status: .ok, headers: ["Content-Type": contentType], body: body)
    }

    private func record(_ id: String) throws -> HTTPResponse {
        _ = try knownMeeting(id, route: "record")
        var body: [UInt8] = []
        _ = try store.exportRecord { body += $0 }
        return HTTPResponse(status: .ok, headers: ["Content-Type": "application/x-ndjson", "Content-Disposition": "attachment; filename=\"record.jsonl\""], body: body)
    }

    private func noQuery(_ request: HTTPRequest, _ route: String) throws {
        _ = try Query(request, allowed: [], route: route)
    }

    // MARK: - metrics

    /// Prometheus text exposition.
    public func metricsText() -> String {
        var lines: [String] = []
        lines.append("# HELP veche_http_requests_total HTTP requests by route and status.")
        lines.append("# TYPE veche_http_requests_total counter")
        for (key, count) in requestCounts.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: "|")
            lines.append("veche_http_requests_total{route=\"\(parts[0])\",status=\"\(parts[1])\"} \(count)")
        }
        let ingest = store.ingestMetrics
        lines.append("# HELP veche_commands_total Commands by type and outcome (accepted, repeated, or the refusal reason).")
        lines.append("# TYPE veche_commands_total counter")
        for (type, outcomes) in ingest.commands.sorted(by: { $0.key < $1.key }) {
            for (outcome, count) in outcomes.sorted(by: { $0.key < $1.key }) {
                lines.append("veche_commands_total{type=\"\(Self.label(type))\",outcome=\"\(Self.label(outcome))\"} \(count)")
            }
        }
        lines.append("# HELP veche_ledger_entries Entries in the ledger.")
        lines.append("# TYPE veche_ledger_entries gauge")
        lines.append("veche_ledger_entries \(store.size)")
        lines.append("# HELP veche_group_commits_total Group commits (one transaction and one fsync each).")
        lines.append("# TYPE veche_group_commits_total counter")
        lines.append("veche_group_commits_total \(ingest.commits)")
        lines.append("# HELP veche_group_commit_commands_total Commands decided in group commits.")
        lines.append("# TYPE veche_group_commit_commands_total counter")
        lines.append("veche_group_commit_commands_total \(ingest.committedCommands)")
        lines.append("# HELP veche_group_commit_largest Largest group so far.")
        lines.append("# TYPE veche_group_commit_largest gauge")
        lines.append("veche_group_commit_largest \(ingest.largestGroup)")
        lines.append("# HELP veche_group_commit_seconds_total Time spent in group commits.")
        lines.append("# TYPE veche_group_commit_seconds_total counter")
        lines.append("veche_group_commit_seconds_total \(ingest.commitMicroseconds / 1_000_000).\(String(format: "%06d", Int(ingest.commitMicroseconds % 1_000_000)))")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A label value escaped as the Prometheus text format requires (backslash, quote, LF).
    private static func label(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    // MARK: - problems

    /// A problem+json response; `type` is a URN naming the stable reason.
    static func problem(_ status: Int, _ reason: String, _ title: String?, _ detail: String, field: String? = nil) -> HTTPResponse {
        var members: [String: JSONValue] = [
            "type": .string("urn:veche:problem:\(reason)"),
            "title": .string(title ?? HTTPStatus.standardPhrase(for: status)),
            "status": .integer(Int64(status)),
            "detail": .string(detail),
        ]
        if let field, !field.isEmpty { members["field"] = .string(field) }
        return HTTPResponse(status: HTTPStatus(code: status), headers: ["Content-Type": "application/problem+json"], body: CanonicalJSON.serialize(.object(members)))
    }
}

/// A response thrown out of routing.
private struct Problem: Error {
    let route: String
    let response: HTTPResponse
}

/// Strict query parsing: only known parameters, each at most once, integers in range.
private struct Query {
    let values: [String: String]
    let route: String

    init(_ request: HTTPRequest, allowed: Set<String>, route: String) throws {
        self.route = route
        var values: [String: String] = [:]
        for item in request.queryItems {
            guard allowed.contains(item.name) else {
                throw Problem(route: route, response: VecheAPI.problem(400, "bad-query", nil, "unknown query parameter '\(item.name)'"))
            }
            guard values[item.name] == nil else {
                throw Problem(route: route, response: VecheAPI.problem(400, "bad-query", nil, "query parameter '\(item.name)' given twice"))
            }
            values[item.name] = item.value
        }
        self.values = values
    }

    func bad(_ name: String, _ reason: String) -> Problem {
        Problem(route: route, response: VecheAPI.problem(400, "bad-query", nil, "query parameter '\(name)' \(reason)"))
    }

    func integer(_ name: String, default defaultValue: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = values[name] else {
            guard range.contains(defaultValue) else { throw bad(name, "is out of range") }
            return defaultValue
        }
        guard !text.isEmpty, text.count <= 16, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int(text),
            text == String(value)
        else { throw bad(name, "must be a non-negative integer without leading zeros, got '\(text)'") }
        guard range.contains(value) else { throw bad(name, "must be in \(range.lowerBound)…\(range.upperBound), got \(value)") }
        return value
    }
}

/// The voting page's files, loaded from the bundle once.
private struct WebAssets: Sendable {
    struct Asset: Sendable {
        let contentType: String
        let bytes: [UInt8]
    }

    let assets: [String: Asset]

    init() {
        var assets: [String: Asset] = [:]
        if let folder = Bundle.module.url(forResource: "Web", withExtension: nil),
            let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path)
        {
            for name in names {
                guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) else { continue }
                assets[name] = Asset(contentType: Self.contentType(name), bytes: [UInt8](data))
            }
        }
        self.assets = assets
    }

    func asset(_ name: String) -> Asset? { assets[name] }

    static func contentType(_ name: String) -> String {
        switch (name as NSString).pathExtension.lowercased() {
        case "html": "text/html; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "svg": "image/svg+xml"
        case "json": "application/json"
        case "webmanifest": "application/manifest+json"
        case "png": "image/png"
        default: "application/octet-stream"
        }
    }
}
