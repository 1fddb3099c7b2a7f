import Foundation

/// Reads LF-terminated lines from a file in bounded memory.
public final class LineReader {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    /// Lines longer than this are an error (they are never held whole).
    public let maxLineBytes: Int
    /// Lines read so far.
    public private(set) var lineCount = 0
    /// Bytes consumed so far.
    public private(set) var bytesRead: Int64 = 0

    /// A line, and whether it ended with LF (false only for a final unterminated line).
    public struct Line {
        public let bytes: [UInt8]
        public let terminated: Bool
    }

    /// Why reading stopped.
    public struct ReadError: Error, CustomStringConvertible {
        public let line: Int
        public let message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// Opens `path` for reading.
    public init(path: String, maxLineBytes: Int = ElectionRecord.maxLineBytes) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: path, NSLocalizedDescriptionKey: "\(path) is a directory"])
        }
        self.handle = handle
        self.maxLineBytes = maxLineBytes
    }

    deinit { try? handle.close() }

    /// The next line, or nil at the end of the file.
    public func next() throws -> Line? {
        var line: [UInt8] = []
        while true {
            if position < buffer.count {
                let slice = buffer[position...]
                if let newline = slice.firstIndex(of: 0x0A) {
                    line += buffer[position..<newline]
                    bytesRead += Int64(newline - position + 1)
                    position = newline + 1
                    lineCount += 1
                    return Line(bytes: line, terminated: true)
                }
                line += slice
                bytesRead += Int64(slice.count)
                position = buffer.count
                if line.count > maxLineBytes {
                    throw ReadError(line: lineCount + 1, message: "line longer than \(maxLineBytes) bytes")
                }
            }
            if atEnd {
                if line.isEmpty { return nil }
                lineCount += 1
                return Line(bytes: line, terminated: false)
            }
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { atEnd = true }
            buffer = [UInt8](chunk)
            position = 0
        }
    }
}
