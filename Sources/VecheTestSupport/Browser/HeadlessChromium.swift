public import Foundation
import Synchronization

/// A headless Chromium driven over the DevTools protocol, for browser tests of the web page.
///
/// ```swift
/// try await HeadlessChromium.with { browser in
///     try await browser.navigate(to: "http://127.0.0.1:\(port)/")
///     let title = try await browser.evaluate("document.title")
/// }
/// ```
/// Launch: `chromium --headless=new --no-sandbox --disable-gpu --remote-debugging-port=0
/// --user-data-dir=<temp>`; the DevTools URL is read from stderr. One page target is
/// created and driven through its own WebSocket. Every call has a timeout; `close()`
/// (also run by `with` and by `deinit`) kills the whole process group and removes the
/// profile, so no Chromium outlives a test, failed or not.
///
/// Blocking socket work runs on a dedicated thread, never on the cooperative pool, so a
/// page talking to an in-process `HTTPServer` cannot starve that server's handlers.
public final class HeadlessChromium: Sendable {
    /// The phone viewport of the tests: 390 × 844 CSS pixels at device scale factor 2.
    public static let phone = Viewport(width: 390, height: 844, deviceScaleFactor: 2, mobile: true)

    /// A device metrics override (`Emulation.setDeviceMetricsOverride`).
    public struct Viewport: Sendable, Equatable {
        /// Width in CSS pixels.
        public var width: Int
        /// Height in CSS pixels.
        public var height: Int
        /// Device pixels per CSS pixel (an integer here so screenshot sizes are exact).
        public var deviceScaleFactor: Int
        /// Whether to emulate a mobile device (meta viewport, touch).
        public var mobile: Bool

        /// A viewport from its parts.
        public init(width: Int, height: Int, deviceScaleFactor: Int, mobile: Bool) {
            self.width = width
            self.height = height
            self.deviceScaleFactor = deviceScaleFactor
            self.mobile = mobile
        }
    }

    /// The message tests fail with when no Chromium is installed.
    public static let missingMessage =
        "Chromium is not installed: the browser tests need it. Install it with `apt-get install chromium` "
        + "(or set VECHE_CHROMIUM to the browser's path)."

    /// The browser executable: `$VECHE_CHROMIUM`, else the first of the usual paths that exists.
    public static func executablePath() -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let configured = environment["VECHE_CHROMIUM"], !configured.isEmpty {
            return FileManager.default.isExecutableFile(atPath: configured) ? configured : nil
        }
        let candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private let process: ChromiumProcess
    private let page: PageSlot
    /// The DevTools port the browser listens on.
    public let debuggingPort: Int
    /// Default time limit of one call.
    public let timeout: Duration

    /// Launches Chromium and opens a blank page target; throws `missingMessage` without a browser.
    public static func launch(timeout: Duration = .seconds(20)) async throws -> HeadlessChromium {
        try await offPool { try HeadlessChromium(timeout: timeout) }
    }

    /// Launches a browser, runs `body`, and closes the browser whatever happens.
    public static func with<T: Sendable>(timeout: Duration = .seconds(20), _ body: (HeadlessChromium) async throws -> T) async throws -> T {
        let browser = try await launch(timeout: timeout)
        do {
            let result = try await body(browser)
            await browser.close()
            return result
        } catch {
            await browser.close()
            throw error
        }
    }

    private init(timeout: Duration) throws {
        guard let executable = Self.executablePath() else { throw CDPError(Self.missingMessage) }
        self.timeout = timeout
        process = try ChromiumProcess(executable: executable) { profile in
            [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
                "--user-data-dir=\(profile)",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-sync",
                "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
                "--hide-scrollbars", "--mute-audio", "--password-store=basic", "--use-mock-keychain",
                "about:blank",
            ]
        }
        do {
            let browserURL = try Self.waitForDevToolsURL(process, timeout: timeout)
            guard let port = Self.port(of: browserURL) else { throw CDPError("no port in the DevTools URL \(browserURL)") }
            debuggingPort = port
            // Create our own page target and drive it through its own WebSocket.
            let browser = try CDPConnection(url: browserURL, timeout: timeout)
            defer { browser.close() }
            let created = try browser.call("Target.createTarget", ["url": "about:blank"], timeout: timeout)
            guard let targetID = created["targetId"] as? String else { throw CDPError("Target.createTarget returned no targetId") }
            let connection = try CDPConnection(url: "ws://127.0.0.1:\(port)/devtools/page/\(targetID)", timeout: timeout)
            try connection.call("Page.enable", timeout: timeout)
            try connection.call("Runtime.enable", timeout: timeout)
            try connection.call("Log.enable", timeout: timeout)
            page = PageSlot(connection)
        } catch {
            process.terminate()
            throw error
        }
    }

    deinit {
        page.connection.withLock { $0?.close() }
        process.terminate()
    }

    /// Closes the page connection and kills the browser; safe to call twice.
    public func close() async {
        await offPoolNonThrowing { [page, process] in
            page.connection.withLock { connection in
                connection?.close()
                connection = nil
            }
            process.terminate()
        }
    }

    /// Whether the browser process is still running.
    public var isRunning: Bool { !process.hasExited }

    /// The browser's process id (its process group id too).
    public var processID: Int32 { process.pid }

    /// The temporary profile directory, removed by `close()`.
    public var profileDirectory: String { process.profileDirectory }

    /// The tail of the browser's stderr, for failure messages.
    public var stderrTail: String { String(process.stderrText.suffix(4000)) }

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
    public func setViewport(_ viewport: Viewport) async throws {
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

    /// Sends any DevTools command to the page target (for what this type does not wrap).
    public func send(_ method: String, _ paramsJSON: String = "{}", timeout: Duration? = nil) async throws -> JSValue {
        try await session(timeout) { connection, limit in
            let params = try JSONSerialization.jsonObject(with: Data(paramsJSON.utf8)) as? [String: Any] ?? [:]
            let result = try connection.call(method, params, timeout: limit)
            return try JSValue(json: try JSONSerialization.data(withJSONObject: result))
        }
    }

    private func session<T: Sendable>(_ timeout: Duration? = nil, _ work: @escaping @Sendable (CDPConnection, Duration) throws -> T) async throws -> T {
        let limit = timeout ?? self.timeout
        return try await offPool { [page, process] in
            try page.connection.withLock { connection in
                guard let connection else { throw CDPError("the browser was closed") }
                do {
                    return try work(connection, limit)
                } catch {
                    if process.hasExited { throw CDPError("\(error) — and the browser exited; stderr:\n\(String(process.stderrText.suffix(2000)))") }
                    throw error
                }
            }
        }
    }

    private static func waitForDevToolsURL(_ process: ChromiumProcess, timeout: Duration) throws -> String {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let marker = "DevTools listening on "
        while true {
            let text = process.stderrText
            if let range = text.range(of: marker) {
                let rest = text[range.upperBound...]
                if let end = rest.firstIndex(where: { $0 == "\n" || $0 == "\r" }) {
                    return String(rest[..<end])
                }
            }
            if process.hasExited {
                throw CDPError("Chromium exited before DevTools was listening; stderr:\n\(String(text.suffix(2000)))")
            }
            guard ContinuousClock.now < deadline else {
                throw CDPError("Chromium did not print its DevTools URL within \(timeout); stderr:\n\(String(text.suffix(2000)))")
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    private static func port(of url: String) -> Int? {
        guard url.hasPrefix("ws://") else { return nil }
        let authority = url.dropFirst(5).prefix { $0 != "/" }
        guard let colon = authority.lastIndex(of: ":") else { return nil }
        return Int(authority[authority.index(after: colon)...])
    }
}

/// Runs blocking work on a fresh thread, so Swift's cooperative pool (two threads on CI)
/// stays free for the server tasks a page under test talks to.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.name = "veche-browser"
        thread.start()
    }
}

/// `offPool` for work that cannot fail.
func offPoolNonThrowing(_ body: @escaping @Sendable () -> Void) async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let thread = Thread {
            body()
            continuation.resume()
        }
        thread.start()
    }
}

/// The page's DevTools connection behind a lock; a class so closures on other threads can share it.
final class PageSlot: Sendable {
    let connection: Mutex<CDPConnection?>

    init(_ connection: sending CDPConnection) {
        self.connection = Mutex(connection)
    }
}
