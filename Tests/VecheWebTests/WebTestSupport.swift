import Foundation
import Testing
import VecheHTTP
import VecheTestSupport

/// Every test that starts Chromium lives in a suite nested here, so only one browser runs
/// at a time: several at once would crowd the two CPUs CI has and disturb the timing
/// tests of other targets running in parallel.
@Suite("Browser tests (one Chromium at a time)", .serialized)
struct BrowserTests {}

/// `Sources/VecheServer/Web/`, the folder the page is served from.
let webFolder = Vectors.repositoryRoot.appendingPathComponent("Sources/VecheServer/Web")

/// A JavaScript expression for the JSON text `json` (JSON is valid JavaScript).
func jsLiteral(_ json: Data) -> String { String(decoding: json, as: UTF8.self) }

/// A JavaScript string literal for `text`.
func jsString(_ text: String) -> String {
    let data = try! JSONSerialization.data(withJSONObject: [text], options: [])
    let array = String(decoding: data, as: UTF8.self)
    return String(array.dropFirst().dropLast())
}

/// Fails the test (never skips) when Chromium is absent, saying how to install it.
func requireChromium() throws {
    guard HeadlessChromium.executablePath() != nil else {
        Issue.record(Comment(rawValue: HeadlessChromium.missingMessage))
        throw CDPError(HeadlessChromium.missingMessage)
    }
}

/// Serves the web folder (plus `routes`), opens `path` in a new page of the shared
/// Chromium, runs `body`; always closes the page and stops the server. On failure the
/// page's console is attached to the error. Each call serves on a new port, so pages of
/// different tests share no storage (IndexedDB and localStorage are per origin).
func withPage<T: Sendable>(
    _ path: String = "/selftest.html",
    routes: (@Sendable (HTTPRequest) async -> HTTPResponse?)? = nil,
    _ body: (BrowserPage, StaticFileServer) async throws -> T
) async throws -> T {
    try requireChromium()
    let server = try StaticFileServer(folder: webFolder, routes: routes)
    let page: BrowserPage
    do {
        page = try await HeadlessChromium.shared().newPage()
    } catch {
        await server.shutdown()
        throw error
    }
    do {
        try await page.navigate(to: server.baseURL + path)
        if path == "/selftest.html" {
            _ = try await page.evaluate("window.vecheModulesReady")
        }
        let result = try await body(page, server)
        await page.close()
        await server.shutdown()
        return result
    } catch {
        let console = (try? await page.consoleMessages()) ?? []
        await page.close()
        await server.shutdown()
        throw PageFailure(underlying: "\(error)", console: console)
    }
}

/// A failure inside a page, with what the page logged.
struct PageFailure: Error, CustomStringConvertible {
    let underlying: String
    let console: [String]
    var description: String {
        console.isEmpty ? underlying : underlying + "\npage console:\n" + console.suffix(30).joined(separator: "\n")
    }
}

/// Where screenshots of this run go.
let screenshotFolder: URL = {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("veche-web-screens-\(getpid())")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}()

/// Scrolls `elementID` to the top of the viewport and saves a viewport screenshot as
/// `<name>.png` in `screenshotFolder`; checks the PNG has the phone's device size.
func snap(_ browser: BrowserPage, _ elementID: String, _ name: String) async throws {
    _ = try await browser.evaluate("document.getElementById(\(jsString(elementID))).scrollIntoView({block: 'start'})")
    let png = try await browser.screenshot()
    try Data(png).write(to: screenshotFolder.appendingPathComponent("\(name).png"))
    let info = PNGInfo(png)
    #expect(info?.width == HeadlessChromium.phone.width * HeadlessChromium.phone.deviceScaleFactor)
    #expect(info?.height == HeadlessChromium.phone.height * HeadlessChromium.phone.deviceScaleFactor)
}
