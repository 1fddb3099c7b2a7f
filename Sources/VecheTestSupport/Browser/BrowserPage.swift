public import Foundation

/// One page (DevTools target) of a `HeadlessChromium`: navigation, evaluation, viewport
/// emulation and screenshots, each call bounded by a timeout.
public final class BrowserPage: Sendable {
    /// The browser this page belongs to (kept alive as long as the page).
    public let browser: HeadlessChromium
    /// The DevTools target id.
    public let targetID: String
    private let slot: ConnectionSlot

    init(browser: HeadlessChromium, targetID: String, connection: sending CDPConnection) {
        self.browser = browser
        self.targetID = targetID
        slot = ConnectionSlot(connection)
    }

    deinit {
        slot.connection.withLock { $0?.close() }
    }

    /// Default time limit of one call (the browser's).
    public var timeout: Duration { browser.timeout }

    /// Closes the page's connection and its target; safe to call twice.
    public func close() async {
        await offPoolNonThrowing { [slot, browser, targetID] in
            let wasOpen = slot.connection.withLock { connection in
                defer { connection = nil }
                connection?.close()
                return connection != nil
            }
            if wasOpen { browser.closeTarget(targetID) }
        }
    }

    /// Console messages, uncaught exceptions and log entries of the page seen so far.
    public func consoleMessages() async throws -> [String] {
        try await session { connection, _ in connection.console }
    }

    /// Navigates and waits for the load event; throws on a network error page.
    public func navigate(to url: String, timeout: Duration? = nil) async throws {
        try await session(timeout) { connection, limit in
            connection.discardEvents()
            let result = try connection.call("Page.navigate", ["url": url], timeout: limit)
            if let error = result["errorText"] as? String, !error.isEmpty { throw CDPError("navigation to \(url) failed: \(error)") }
            _ = try connection.waitForEvent("Page.loadEventFired", timeout: limit)
        }
    }

    /// Evaluates `expression` (awaiting a promise) and returns its value as JSON.
    ///
    /// A thrown exception or rejected promise becomes a `CDPError` carrying the JavaScript
    /// error's description.
    public func evaluate(_ expression: String, timeout: Duration? = nil) async throws -> JSValue {
        try await session(timeout) { connection, limit in
            let result = try connection.call(
                "Runtime.evaluate",
                ["expression": expression, "awaitPromise": true, "returnByValue": true, "userGesture": true],
                timeout: limit)
            if let details = result["exceptionDetails"] as? [String: Any] {
                let exception = details["exception"] as? [String: Any] ?? [:]
                let text = exception["description"] as? String ?? (exception["value"].map { "\($0)" }) ?? details["text"] as? String ?? "exception"
                throw CDPError("evaluate threw: \(text)")
            }
            guard let remote = result["result"] as? [String: Any] else { throw CDPError("evaluate returned no result") }
            guard let value = remote["value"] else {
                if remote["type"] as? String == "undefined" { return JSValue.null }
                throw CDPError("evaluate returned a value that is not JSON: \(remote["description"] as? String ?? "?")")
            }
            let data = try JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed])
            return try JSValue(json: data)
        }
    }

    /// Evaluates `expression` and decodes its JSON value as `T`.
    public func evaluate<T: Decodable & Sendable>(_ expression: String, as type: T.Type, timeout: Duration? = nil) async throws -> T {
        let value = try await evaluateJSON(expression, timeout: timeout)
        return try JSONDecoder().decode(T.self, from: value)
    }

    /// Evaluates `expression` and returns its value as JSON bytes.
    public func evaluateJSON(_ expression: String, timeout: Duration? = nil) async throws -> Data {
        let text = try await evaluate("(async () => JSON.stringify(await (\(expression))))()", timeout: timeout)
        guard let json = text.string else { throw CDPError("the expression's value has no JSON form") }
        return Data(json.utf8)
    }

    /// Polls `condition` (a JavaScript boolean expression) until true or the timeout.
    public func waitUntil(_ condition: String, timeout: Duration? = nil, what: String = "") async throws {
        let limit = timeout ?? self.timeout
        let deadline = ContinuousClock.now.advanced(by: limit)
        while true {
            if try await evaluate("Boolean(\(condition))").bool == true { return }
            guard ContinuousClock.now < deadline else {
                throw CDPError("timed out after \(limit) waiting for \(what.isEmpty ? condition : what)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Emulates a device's viewport.
    public func setViewport(_ viewport: HeadlessChromium.Viewport) async throws {
        try await session { connection, limit in
            try connection.call(
                "Emulation.setDeviceMetricsOverride",
                ["width": viewport.width, "height": viewport.height, "deviceScaleFactor": viewport.deviceScaleFactor, "mobile": viewport.mobile],
                timeout: limit)
            try connection.call("Emulation.setTouchEmulationEnabled", ["enabled": viewport.mobile, "maxTouchPoints": 5], timeout: limit)
        }
    }

    /// A PNG screenshot of the viewport (or the whole page when `fullPage`).
    public func screenshot(fullPage: Bool = false) async throws -> [UInt8] {
        try await session { connection, limit in
            var params: [String: Any] = ["format": "png"]
            if fullPage { params["captureBeyondViewport"] = true }
            let result = try connection.call("Page.captureScreenshot", params, timeout: limit)
            guard let text = result["data"] as? String, let data = Data(base64Encoded: text) else {
                throw CDPError("Page.captureScreenshot returned no image")
            }
            return [UInt8](data)
        }
    }

    /// Sends any DevTools command to this page's target (for what this type does not wrap).
    public func send(_ method: String, _ paramsJSON: String = "{}", timeout: Duration? = nil) async throws -> JSValue {
        try await session(timeout) { connection, limit in
            let params = try JSONSerialization.jsonObject(with: Data(paramsJSON.utf8)) as? [String: Any] ?? [:]
            let result = try connection.call(method, params, timeout: limit)
            return try JSValue(json: try JSONSerialization.data(withJSONObject: result))
        }
    }

    private func session<T: Sendable>(_ timeout: Duration? = nil, _ work: @escaping @Sendable (CDPConnection, Duration) throws -> T) async throws -> T {
        let limit = timeout ?? self.timeout
        return try await offPool { [slot, browser] in
            try slot.connection.withLock { connection in
                guard let connection else { throw CDPError("the page was closed") }
                do {
                    return try work(connection, limit)
                } catch {
                    if !browser.isRunning { throw CDPError("\(error) — and the browser exited; stderr:\n\(String(browser.stderrTail.suffix(2000)))") }
                    throw error
                }
            }
        }
    }
}
