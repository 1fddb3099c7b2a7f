public import Foundation

/// Locates the repository's `Specs/` folder so tests can load the vector files.
public enum Vectors {
    /// The repository root, found from this source file's path.
    public static let repositoryRoot: URL = {
        URL(fileURLWithPath: #filePath)  // …/Sources/VecheTestSupport/Vectors.swift
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .deletingLastPathComponent()
    }()

    /// `Specs/vectors/<relativePath>`.
    public static func url(_ relativePath: String) -> URL {
        repositoryRoot.appendingPathComponent("Specs/vectors").appendingPathComponent(relativePath)
    }

    /// The bytes of `Specs/vectors/<relativePath>`.
    public static func data(_ relativePath: String) throws -> Data {
        try Data(contentsOf: url(relativePath))
    }

    /// The files directly inside `Specs/vectors/<directory>` whose names end with `suffix`, sorted.
    public static func files(in directory: String, suffix: String = ".json") throws -> [URL] {
        let folder = url(directory)
        return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.lastPathComponent.hasSuffix(suffix) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }
}
