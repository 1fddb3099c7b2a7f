import Foundation
import Testing
import VecheHTTP
import VecheTestSupport

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

/// Serves the web folder (plus `routes`), launches Chromium, opens `path`, runs `body`;
/// always stops both. On failure the page's console is attached to the error.
func withPage<T: Sendable>(
    _ path: String = "/selftest.html",
    routes: (@Sendable (HTTPRequest) async -> HTTPResponse?)? = nil,
    _ body: (HeadlessChromium, StaticFileServer) async throws -> T
) async throws -> T {
    try requireChromium()
    let server = try StaticFileServer(folder: webFolder, routes: routes)
    do {
        let result = try await HeadlessChromium.with { browser in
            do {
                try await browser.navigate(to: server.baseURL + path)
                if path == "/selftest.html" {
                    _ = try await browser.evaluate("window.vecheModulesReady")
                }
                return try await body(browser, server)
            } catch {
                let console = (try? await browser.consoleMessages()) ?? []
                throw PageFailure(underlying: "\(error)", console: console)
            }
        }
        await server.shutdown()
        return result
    } catch {
        await server.shutdown()
        throw error
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
func snap(_ browser: HeadlessChromium, _ elementID: String, _ name: String) async throws {
    _ = try await browser.evaluate("document.getElementById(\(jsString(elementID))).scrollIntoView({block: 'start'})")
    let png = try await browser.screenshot()
    try Data(png).write(to: screenshotFolder.appendingPathComponent("\(name).png"))
    let info = PNGInfo(png)
    #expect(info?.width == HeadlessChromium.phone.width * HeadlessChromium.phone.deviceScaleFactor)
    #expect(info?.height == HeadlessChromium.phone.height * HeadlessChromium.phone.deviceScaleFactor)
}
