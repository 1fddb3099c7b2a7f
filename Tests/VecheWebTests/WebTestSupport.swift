import Foundation
import Testing
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

/// Serves the web folder with `StaticFileServer`, opens `path` in a new page of the shared
/// Chromium, runs `body`; always closes the page and stops the server. On failure the
/// page's console is attached to the error. Each call serves on a new port, so pages of
/// different tests share no storage (IndexedDB and localStorage are per origin).
func withPage<T: Sendable>(
    _ path: String = "/selftest.html",
    _ body: (BrowserPage, StaticFileServer) async throws -> T
) async throws -> T {
    try requireChromium()
    let server = try StaticFileServer(folder: webFolder)
    do {
        let result = try await inNewPage(server.baseURL + path) { try await body($0, server) }
        await server.shutdown()
        return result
    } catch {
        await server.shutdown()
        throw error
    }
}

/// Opens `path` of a real server (`LiveServer`) in a new page of the shared Chromium and
/// runs `body`; always closes the page (the caller owns the server). On failure the
/// page's console is attached to the error.
func withPage<T: Sendable>(
    on server: LiveServer, _ path: String = "/",
    _ body: (BrowserPage) async throws -> T
) async throws -> T {
    try requireChromium()
    return try await inNewPage(server.baseURL + path, body)
}

/// Opens `url` in a new page (waiting for the modules when it is the self-test page), runs
/// `body`, and closes the page whatever happens.
private func inNewPage<T: Sendable>(_ url: String, _ body: (BrowserPage) async throws -> T) async throws -> T {
    let page = try await HeadlessChromium.shared().newPage()
    do {
        try await page.navigate(to: url)
        if url.hasSuffix("/selftest.html") {
            _ = try await page.evaluate("window.vecheModulesReady")
        }
        let result = try await body(page)
        await page.close()
        return result
    } catch {
        let console = (try? await page.consoleMessages()) ?? []
        await page.close()
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

/// `Specs/screens/`, where the screenshots README shows are kept (the end-to-end test
/// rewrites them on every run).
let checkedInScreens = Vectors.repositoryRoot.appendingPathComponent("Specs/screens")

/// Scrolls `elementID` to the top of the viewport and saves a viewport screenshot as
/// `<name>.png` in `folder`; checks it is a PNG of the phone's device size and returns it.
@discardableResult
func snap(_ browser: BrowserPage, _ elementID: String, _ name: String, into folder: URL = screenshotFolder) async throws -> [UInt8] {
    _ = try await browser.evaluate("document.getElementById(\(jsString(elementID))).scrollIntoView({block: 'start'})")
    let png = try await browser.screenshot()
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let file = folder.appendingPathComponent("\(name).png")
    try Data(png).write(to: file)
    #expect(try Data(contentsOf: file) == Data(png))
    let info = PNGInfo(png)
    #expect(info != nil, "\(name).png does not start as a PNG")
    // A complete PNG ends with the empty IEND chunk (length 0, type, CRC).
    #expect(png.suffix(12) == [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82], "\(name).png is truncated")
    #expect(info?.width == HeadlessChromium.phone.width * HeadlessChromium.phone.deviceScaleFactor)
    #expect(info?.height == HeadlessChromium.phone.height * HeadlessChromium.phone.deviceScaleFactor)
    return png
}
