import Foundation

/// Reads a verb's input document: a file, or standard input for no path or `-`, refusing
/// anything larger than `limit` bytes.
enum BoundedInput {
    /// The bytes and a name for messages (`<stdin>` or the path).
    static func read(_ path: String?, limit: Int, console: Console) throws(CLIFailure) -> (bytes: [UInt8], name: String) {
        guard let path, path != "-" else {
            let bytes = console.readIn()
            guard bytes.count <= limit else {
                throw CLIFailure("<stdin>: input is larger than \(limit) bytes")
            }
            return (bytes, "<stdin>")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw CLIFailure(exists ? "\(path): cannot be read" : "\(path): no such file")
        }
        defer { try? handle.close() }
        let data: Data?
        do {
            data = try handle.read(upToCount: limit + 1)
        } catch {
            throw CLIFailure("\(path): cannot be read: \(error.localizedDescription)")
        }
        let bytes = [UInt8](data ?? Data())
        guard bytes.count <= limit else {
            throw CLIFailure("\(path): larger than \(limit) bytes")
        }
        return (bytes, path)
    }
}
