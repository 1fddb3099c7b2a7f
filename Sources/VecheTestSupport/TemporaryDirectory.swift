public import Foundation

/// A fresh directory under the system temp dir, removed by `remove()`.
public struct TemporaryDirectory: Sendable {
    public let url: URL
    public var path: String { url.path }

    /// Creates `…/veche-<label>-<uuid>` (the directory itself is created unless `create` is false).
    public init(_ label: String, create: Bool = true) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("veche-\(label)-\(UUID().uuidString)")
        if create { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
    }

    /// A path inside it.
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Deletes it and everything inside.
    public func remove() { try? FileManager.default.removeItem(at: url) }
}
