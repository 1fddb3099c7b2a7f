public import Foundation
public import VecheHTTP

/// Serves the files of one flat folder over `VecheHTTP.HTTPServer` on a loopback port, the
/// way `veche serve` serves `Sources/VecheServer/Web/`: each file at `/<name>`,
/// `index.html` also at `/`, content types by extension, 404 for anything else.
///
/// Extra routes (`routes`) answer before the files, so a test can stand in for an API.
public final class StaticFileServer: Sendable {
    /// The folder whose files are served.
    public let folder: URL
    private let server: HTTPServer

    /// Content types by file extension.
    public static let contentTypes: [String: String] = [
        "html": "text/html; charset=utf-8",
        "js": "text/javascript; charset=utf-8",
        "css": "text/css; charset=utf-8",
        "svg": "image/svg+xml",
        "json": "application/json",
        "webmanifest": "application/manifest+json",
        "png": "image/png",
    ]

    /// Starts serving `folder` on 127.0.0.1 at a port the kernel picks.
    public init(folder: URL, routes: (@Sendable (HTTPRequest) async -> HTTPResponse?)? = nil) throws {
        self.folder = folder
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
        configuration.headerReadTimeout = .seconds(10)
        configuration.idleTimeout = .seconds(10)
        configuration.lingerTimeout = .milliseconds(200)
        let root = folder
        server = HTTPServer(configuration: configuration) { request in
            if let routes, let answer = await routes(request) { return answer }
            return Self.file(for: request, in: root)
        }
        try server.start()
    }

    /// The bound port.
    public var port: Int { server.port }

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Stops the server.
    public func shutdown() async {
        await server.shutdown(gracePeriod: .milliseconds(500))
    }

    private static let allowedNameBytes = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-".utf8)

    /// The response for a static file request.
    static func file(for request: HTTPRequest, in folder: URL) -> HTTPResponse {
        guard request.method == "GET" || request.method == "HEAD" else {
            return HTTPResponse(status: .methodNotAllowed, headers: ["Allow": "GET, HEAD"])
        }
        let name = request.path == "/" ? "index.html" : String(request.path.dropFirst())
        // Flat folder: a plain file name only, so no path can climb out of it.
        guard !name.isEmpty, !name.hasPrefix("."),
            name.utf8.allSatisfy({ allowedNameBytes.contains($0) }),
            let type = contentTypes[(name as NSString).pathExtension.lowercased()],
            let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path)
        else {
            return .text("not found\n", status: .notFound)
        }
        return HTTPResponse(status: .ok, headers: ["Content-Type": type, "Cache-Control": "no-store"], body: [UInt8](data))
    }
}
