import Foundation
import Glibc
import Synchronization

/// A headless Chromium driven over the DevTools protocol, for browser tests of the web page.
///
/// ```swift
/// let browser = try await HeadlessChromium.shared()
/// let page = try await browser.newPage()
/// try await page.navigate(to: "http://127.0.0.1:\(port)/")
/// let title = try await page.evaluate("document.title")
/// await page.close()
/// ```
/// Launch: `chromium --headless=new --no-sandbox --disable-gpu --remote-debugging-port=0
/// --user-data-dir=<temp>`; the DevTools URL is read from stderr. Each page is a target of
/// its own, driven through its own WebSocket. Every call has a timeout. `close()` (also run
/// by `with`, by `deinit`, and at process exit for the shared browser) kills the whole
/// process group and removes the profile, so no Chromium outlives a test, failed or not.
///
/// Blocking socket work runs on dedicated threads, never on the cooperative pool, so a
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

    let process: ChromiumProcess
    /// The browser-level DevTools connection (creates and closes targets).
    let control: ConnectionSlot
    /// The DevTools port the browser listens on.
    public let debuggingPort: Int
    /// Default time limit of one call.
    public let timeout: Duration

    /// Launches Chromium; throws `missingMessage` without a browser.
    public static func launch(timeout: Duration = .seconds(20)) async throws -> HeadlessChromium {
        try await offPool { try HeadlessChromium(timeout: timeout) }
    }

    /// The process-wide browser, launched on first use (and again if it died), killed when
    /// the process exits. Tests share it to pay Chromium's start-up once per run; each test
    /// opens its own page, and pages of different origins share no storage.
    public static func shared() async throws -> HeadlessChromium {
        try await SharedBrowser.store.get()
    }

    /// Launches a browser, opens a page, runs `body`, and closes both whatever happens.
    public static func with<T: Sendable>(timeout: Duration = .seconds(20), _ body: (BrowserPage) async throws -> T) async throws -> T {
        let browser = try await launch(timeout: timeout)
        do {
            let page = try await browser.newPage()
            let result = try await body(page)
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
            control = ConnectionSlot(try CDPConnection(url: browserURL, timeout: timeout))
        } catch {
            process.terminate()
            throw error
        }
    }

    deinit {
        control.connection.withLock { $0?.close() }
        process.terminate()
    }

    /// Opens a new blank page (its own target and WebSocket).
    public func newPage() async throws -> BrowserPage {
        let limit = timeout
        let port = debuggingPort
        return try await offPool { [control, process] in
            let targetID: String = try control.connection.withLock { connection in
                guard let connection else { throw CDPError("the browser was closed") }
                let created = try connection.call("Target.createTarget", ["url": "about:blank"], timeout: limit)
                guard let id = created["targetId"] as? String else { throw CDPError("Target.createTarget returned no targetId") }
                return id
            }
            do {
                let connection = try CDPConnection(url: "ws://127.0.0.1:\(port)/devtools/page/\(targetID)", timeout: limit)
                try connection.call("Page.enable", timeout: limit)
                try connection.call("Runtime.enable", timeout: limit)
                try connection.call("Log.enable", timeout: limit)
                return BrowserPage(browser: self, targetID: targetID, connection: connection)
            } catch {
                if process.hasExited { throw CDPError("\(error) — and the browser exited; stderr:\n\(String(process.stderrText.suffix(2000)))") }
                throw error
            }
        }
    }

    /// Closes the DevTools connection and kills the browser; safe to call twice.
    public func close() async {
        await offPoolNonThrowing { [control, process] in
            control.connection.withLock { connection in
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

    /// Closes a target (best effort: a browser already gone has no targets).
    func closeTarget(_ targetID: String) {
        let limit = timeout
        control.connection.withLock { connection in
            _ = try? connection?.call("Target.closeTarget", ["targetId": targetID], timeout: limit)
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

/// A DevTools connection behind a lock; a class so closures on other threads can share it.
final class ConnectionSlot: Sendable {
    let connection: Mutex<CDPConnection?>

    init(_ connection: sending CDPConnection) {
        self.connection = Mutex(connection)
    }
}

/// The process-wide browser of `HeadlessChromium.shared()`.
actor SharedBrowser {
    static let store = SharedBrowser()
    private var browser: HeadlessChromium?

    func get() async throws -> HeadlessChromium {
        if let browser, browser.isRunning { return browser }
        if let browser { await browser.close() }
        let fresh = try await HeadlessChromium.launch()
        browser = fresh
        SharedBrowser.registerExitCleanup(pid: fresh.processID, profile: fresh.profileDirectory)
        return fresh
    }

    /// The shared browser's group and profile, for the exit hook (which cannot reach actors).
    private static let atExit = Mutex<(pid: Int32, profile: String, registered: Bool)>((0, "", false))

    private static func registerExitCleanup(pid: Int32, profile: String) {
        let register = atExit.withLock { state in
            state.pid = pid
            state.profile = profile
            defer { state.registered = true }
            return !state.registered
        }
        guard register else { return }
        atexit {
            let (pid, profile, _) = SharedBrowser.atExit.withLock { $0 }
            guard pid > 0 else { return }
            // The leader is our unreaped child, so the group id is still ours to signal.
            _ = kill(-pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
            try? FileManager.default.removeItem(atPath: profile)
        }
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
