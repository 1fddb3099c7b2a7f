import Foundation
import Synchronization

/// Where a verb writes and reads: the process's standard streams, or a capture in tests.
public struct Console: Sendable {
    /// Writes bytes to standard output.
    public var writeOut: @Sendable ([UInt8]) -> Void
    /// Writes bytes to standard error.
    public var writeErr: @Sendable ([UInt8]) -> Void
    /// Reads all of standard input.
    public var readIn: @Sendable () -> [UInt8]
    /// Whether standard error is a terminal (progress lines are drawn only then).
    public var errIsTerminal: Bool

    public init(
        writeOut: @escaping @Sendable ([UInt8]) -> Void,
        writeErr: @escaping @Sendable ([UInt8]) -> Void,
        readIn: @escaping @Sendable () -> [UInt8],
        errIsTerminal: Bool
    ) {
        self.writeOut = writeOut
        self.writeErr = writeErr
        self.readIn = readIn
        self.errIsTerminal = errIsTerminal
    }

    /// The process's own stdin, stdout and stderr.
    public static let standard = Console(
        writeOut: { FileHandle.standardOutput.write(Data($0)) },
        writeErr: { FileHandle.standardError.write(Data($0)) },
        readIn: { [UInt8](FileHandle.standardInput.readDataToEndOfFile()) },
        errIsTerminal: isatty(2) == 1)

    /// Prints a line to standard output.
    public func out(_ line: String) { writeOut(Array((line + "\n").utf8)) }

    /// Prints a line to standard error.
    public func err(_ line: String) { writeErr(Array((line + "\n").utf8)) }
}

/// A console that records what a verb wrote, for tests and for in-process callers.
public final class CapturedConsole: Sendable {
    private let state = Mutex<(out: [UInt8], err: [UInt8])>(([], []))
    private let input: [UInt8]

    public init(stdin: [UInt8] = []) { self.input = stdin }

    /// The console to hand to a verb.
    public var console: Console {
        Console(
            writeOut: { bytes in self.state.withLock { $0.out += bytes } },
            writeErr: { bytes in self.state.withLock { $0.err += bytes } },
            readIn: { self.input },
            errIsTerminal: false)
    }

    /// Everything written to standard output so far.
    public var stdoutBytes: [UInt8] { state.withLock { $0.out } }
    /// Standard output as text.
    public var stdout: String { String(decoding: stdoutBytes, as: UTF8.self) }
    /// Standard error as text.
    public var stderr: String { String(decoding: state.withLock { $0.err }, as: UTF8.self) }
}
