import Foundation
import Synchronization
import VecheCore
import VecheCrypto
import VecheHTTP
import VecheLedger
import VecheTestSupport

/// A stand-in for `veche serve` over an in-memory ledger, speaking WIRE.md "HTTP" for the
/// routes the page uses, so the page's whole flow can be driven before the real server
/// lands. Refusals come from the real ledger rules; only the HTTP shell is ours.
final class FakeVecheAPI: Sendable {
    let fixture: Mutex<LedgerFixture>

    init(_ fixture: sending LedgerFixture) {
        self.fixture = Mutex(fixture)
    }

    /// The route handler for `StaticFileServer`.
    var routes: @Sendable (HTTPRequest) async -> HTTPResponse? {
        { [self] request in self.answer(request) }
    }

    func answer(_ request: HTTPRequest) -> HTTPResponse? {
        let path = request.path
        guard path.hasPrefix("/v1/") else { return nil }
        return fixture.withLock { fixture -> HTTPResponse in
            do {
                switch (request.method, path) {
                case ("POST", "/v1/commands"):
                    return try submit(request, &fixture)
                case ("GET", "/v1/checkpoint"):
                    var response = HTTPResponse.text(try fixture.ledger.checkpoint().text)
                    response.headers.set(name: "Content-Type", value: "text/plain; charset=utf-8")
                    return response
                case ("GET", "/v1/entries"):
                    let from = Int(request.queryValue("from") ?? "0") ?? -1
                    let limit = Int(request.queryValue("limit") ?? "100") ?? -1
                    guard from >= 0, (1...1000).contains(limit) else { return problem(400, "bad-query", "from ≥ 0, limit 1–1000") }
                    let entries = fixture.ledger.canonicalEntries
                    var body: [UInt8] = []
                    if from < entries.count {
                        for entry in entries[from..<min(entries.count, from + limit)] { body += entry + [0x0A] }
                    }
                    return HTTPResponse(headers: ["Content-Type": "application/x-ndjson"], body: body)
                default:
                    break
                }
                let parts = path.split(separator: "/").map(String.init)
                if request.method == "GET", parts.count >= 3, parts[0] == "v1", parts[1] == "meetings" {
                    guard let record = fixture.ledger.state.meeting(parts[2]), let tally = fixture.ledger.state.tally(ofMeeting: parts[2]) else {
                        return problem(404, "not-found", "no meeting \(parts[2])")
                    }
                    if parts.count == 3 {
                        guard case .object(let live) = ResultJSON.encode(tally.result()) else { return problem(500, "internal", "") }
                        let body: JSONValue = .object([
                            "meeting": record.createCommand,
                            "status": .string(record.status(at: fixture.now).rawValue),
                            "register": .string(Hex.encode(record.registerLeaf)),
                            "total": live["total"]!, "participating": live["participating"]!,
                            "quorum": live["quorum"]!, "ballots": live["ballots"]!,
                        ])
                        return .json(CanonicalJSON.serialize(body))
                    }
                    if parts.count == 4, parts[3] == "result" {
                        guard let result = record.result else { return problem(404, "not-found", "not closed yet") }
                        return .json(CanonicalJSON.serialize(result))
                    }
                }
                return problem(404, "not-found", "no such resource")
            } catch {
                return problem(500, "internal", "\(error)")
            }
        }
    }

    private func submit(_ request: HTTPRequest, _ fixture: inout LedgerFixture) throws -> HTTPResponse {
        guard let type = request.headers["Content-Type"], type.lowercased().hasPrefix("application/json") else {
            return problem(415, "unsupported-media-type", "Content-Type must be application/json")
        }
        do {
            let envelope = try SignedEnvelope.parse(body: request.body)
            let outcome = try fixture.ledger.submit(envelope, at: fixture.now)
            let (seq, status): (Int, HTTPStatus) =
                switch outcome {
                case .appended(let seq): (seq, .created)
                case .repeated(let seq): (seq, .ok)
                }
            return .json(CanonicalJSON.serialize(try fixture.ledger.receipt(seq: seq).json), status: status)
        } catch let error as EnvelopeError {
            return problem(error.status, error.code.rawValue, error.message, field: error.field.description)
        } catch let error as LedgerError {
            return problem(error.status, error.reason, error.message, field: error.field)
        }
    }

    private func problem(_ status: Int, _ reason: String, _ detail: String, field: String? = nil) -> HTTPResponse {
        var response = HTTPResponse.problem(
            status: HTTPStatus(code: status), detail: detail, type: "https://veche.example/problems/\(reason)")
        if let field {
            // `problem` takes only literal extensions; splice the field in before the closing brace.
            var body = response.body
            body.removeLast()
            body += Array(",\"field\":".utf8) + CanonicalJSON.serialize(.string(field)) + [0x7D]
            response.body = body
        }
        return response
    }
}
