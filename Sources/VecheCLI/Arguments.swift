/// How an option takes its value.
public enum OptionKind: Sendable {
    /// `--json`: present or not.
    case flag
    /// `--out FILE` or `--out=FILE`, at most once.
    case value
    /// `--registrar KEY`, any number of times.
    case repeated
}

/// One option a verb accepts.
public struct OptionSpec: Sendable {
    public let name: String
    public let kind: OptionKind
    public let valueName: String
    public let help: String

    public init(_ name: String, _ kind: OptionKind, valueName: String = "VALUE", help: String) {
        self.name = name
        self.kind = kind
        self.valueName = valueName
        self.help = help
    }
}

/// A usage error: wrong arguments. Exits 2 with the verb's usage line.
public struct UsageError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A failure a verb reports with its own exit code (1: verification or rule failure).
public struct CLIFailure: Error, CustomStringConvertible, Sendable {
    public let exitCode: Int32
    public let message: String
    public init(exitCode: Int32 = 1, _ message: String) {
        self.exitCode = exitCode
        self.message = message
    }
    public var description: String { message }
}

/// Arguments after the verb, split into positionals, option values and flags.
///
/// Options may come before or after positionals (WIRE.md "CLI facts"); `--` ends options;
/// a lone `-` is a positional (standard input).
public struct ParsedArguments: Sendable {
    public private(set) var positionals: [String] = []
    private var values: [String: [String]] = [:]
    private var flags: Set<String> = []
    /// Whether `--help` or `-h` was given.
    public private(set) var wantsHelp = false

    public init(_ arguments: [String], options: [OptionSpec]) throws(UsageError) {
        let byName = Dictionary(options.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var index = 0
        var onlyPositionals = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if onlyPositionals || argument == "-" || !argument.hasPrefix("-") {
                positionals.append(argument)
                continue
            }
            if argument == "--" {
                onlyPositionals = true
                continue
            }
            if argument == "--help" || argument == "-h" {
                wantsHelp = true
                continue
            }
            var name = argument
            var inlineValue: String?
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            guard let spec = byName[name] else {
                throw UsageError("unknown option \(name)")
            }
            switch spec.kind {
            case .flag:
                guard inlineValue == nil else { throw UsageError("\(name) takes no value") }
                flags.insert(name)
            case .value, .repeated:
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else {
                    guard index < arguments.count else { throw UsageError("\(name) needs a \(spec.valueName)") }
                    value = arguments[index]
                    index += 1
                }
                if spec.kind == .value, values[name] != nil {
                    throw UsageError("\(name) given more than once")
                }
                values[name, default: []].append(value)
            }
        }
    }

    /// The value of a single-valued option.
    public func value(_ name: String) -> String? { values[name]?.last }

    /// All values of a repeated option, in order.
    public func values(_ name: String) -> [String] { values[name] ?? [] }

    /// Whether a flag was given.
    public func flag(_ name: String) -> Bool { flags.contains(name) }

    /// The value of a required option.
    public func required(_ name: String) throws(UsageError) -> String {
        guard let value = value(name) else { throw UsageError("missing \(name)") }
        return value
    }

    /// Checks the number of positionals.
    public func expectPositionals(_ range: ClosedRange<Int>, what: String) throws(UsageError) {
        guard range.contains(positionals.count) else {
            if positionals.count < range.lowerBound { throw UsageError("missing \(what)") }
            throw UsageError("unexpected argument \(positionals[range.upperBound])")
        }
    }

    /// An integer option value within bounds, or the default.
    public func integer(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws(UsageError) -> Int {
        guard let text = value(name) else { return defaultValue }
        guard let number = Int(text), range.contains(number) else {
            throw UsageError("\(name) must be an integer in \(range.lowerBound)...\(range.upperBound), got \(text)")
        }
        return number
    }
}
