import Foundation

/// Why a DevTools call failed.
public struct CDPError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, with the browser's own words where it gave any.
    public let message: String

    /// An error with `message`.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { "Chromium DevTools: \(message)" }
}

/// A Chrome DevTools Protocol session over one target's WebSocket: numbered requests,
/// responses matched by id, events kept (bounded) for waiting and diagnostics.
///
/// Not thread-safe; `HeadlessChromium` owns it behind a lock.
final class CDPConnection {
    private let socket: WebSocketClient
    private var nextID = 1
    /// Events received while waiting for responses, oldest first.
    private var events: [(method: String, params: [String: Any])] = []
    /// Console lines and uncaught exceptions of the page, for failure messages.
    private(set) var console: [String] = []

    private static let maxEvents = 1000
    private static let maxConsole = 200

    /// Connects to a target's `ws://…/devtools/page/<id>` URL.
    init(url: String, timeout: Duration) throws {
        socket = try WebSocketClient(url: url, timeout: timeout)
    }

    /// Sends `method` with `params` and returns the response's `result`.
    @discardableResult
    func call(_ method: String, _ params: [String: Any] = [:], timeout: Duration) throws -> [String: Any] {
        let id = nextID
        nextID += 1
        let message: [String: Any] = ["id": id, "method": method, "params": params]
        let data = try JSONSerialization.data(withJSONObject: message)
        try socket.send(text: String(decoding: data, as: UTF8.self))
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            let object = try receive(deadline: deadline, waitingFor: method)
            guard let responseID = object["id"] as? Int else {
                record(event: object)
                continue
            }
            guard responseID == id else { continue }
            if let error = object["error"] as? [String: Any] {
                throw CDPError("\(method): \(error["message"] as? String ?? "error") \(error["data"] as? String ?? "")")
            }
            return object["result"] as? [String: Any] ?? [:]
        }
    }

    /// Waits for an event named `method` (already received or arriving before the timeout),
    /// consuming it and every event before it.
    func waitForEvent(_ method: String, timeout: Duration) throws -> [String: Any] {
        if let index = events.firstIndex(where: { $0.method == method }) {
            let params = events[index].params
            events.removeFirst(index + 1)
            return params
        }
        events.removeAll()
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            let object = try receive(deadline: deadline, waitingFor: method)
            guard object["id"] == nil, let name = object["method"] as? String else { continue }
            record(event: object)
            if name == method {
                events.removeAll()
                return object["params"] as? [String: Any] ?? [:]
            }
        }
    }

    /// Forgets events received so far (before starting something whose event we will await).
    func discardEvents() {
        events.removeAll()
    }

    /// Closes the WebSocket.
    func close() {
        socket.close()
    }

    private func receive(deadline: ContinuousClock.Instant, waitingFor what: String) throws -> [String: Any] {
        let text: String
        do {
            text = try socket.receiveText(deadline: deadline)
        } catch {
            throw CDPError("while waiting for \(what): \(error.message)")
        }
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw CDPError("a message that is not a JSON object")
        }
        return object
    }

    private func record(event object: [String: Any]) {
        guard let method = object["method"] as? String else { return }
        let params = object["params"] as? [String: Any] ?? [:]
        if method == "Runtime.consoleAPICalled" {
            let type = params["type"] as? String ?? "log"
            let args = (params["args"] as? [[String: Any]] ?? []).map { arg in
                (arg["value"].map { "\($0)" }) ?? (arg["description"] as? String) ?? (arg["type"] as? String ?? "?")
            }
            remember("console.\(type): \(args.joined(separator: " "))")
        } else if method == "Runtime.exceptionThrown" {
            let details = params["exceptionDetails"] as? [String: Any] ?? [:]
            let exception = details["exception"] as? [String: Any] ?? [:]
            remember("exception: \(exception["description"] as? String ?? details["text"] as? String ?? "?")")
        } else if method == "Log.entryAdded" {
            let entry = params["entry"] as? [String: Any] ?? [:]
            remember("log.\(entry["level"] as? String ?? "?"): \(entry["text"] as? String ?? "") \(entry["url"] as? String ?? "")")
        }
        events.append((method, params))
        if events.count > Self.maxEvents { events.removeFirst(events.count - Self.maxEvents) }
    }

    private func remember(_ line: String) {
        console.append(line)
        if console.count > Self.maxConsole { console.removeFirst(console.count - Self.maxConsole) }
    }
}
