/// One CLI verb (or sub-verb such as `key show`), shaped like swift-argument-parser's commands.
public protocol Verb {
    /// The words that name it: `["keygen"]`, `["key", "show"]`.
    static var name: [String] { get }
    /// One line for the verb list.
    static var summary: String { get }
    /// The usage line after `veche `.
    static var usage: String { get }
    /// Longer help text after the usage line (may be empty).
    static var discussion: String { get }
    /// The options it accepts.
    static var options: [OptionSpec] { get }
    /// Runs it; returns the exit code. Throw `UsageError` for exit 2, `CLIFailure` for others.
    static func run(_ arguments: ParsedArguments, console: Console) throws -> Int32
}

extension Verb {
    public static var discussion: String { "" }

    /// The full help text.
    static var helpText: String {
        var text = "usage: veche \(usage)\n\n\(summary)\n"
        if !discussion.isEmpty { text += "\n\(discussion)\n" }
        if !options.isEmpty {
            text += "\noptions:\n"
            for option in options {
                let left = option.kind == .flag ? option.name : "\(option.name) \(option.valueName)"
                text += "  \(left.padding(toLength: max(left.count, 24), withPad: " ", startingAt: 0))  \(option.help)\n"
            }
        }
        text += "  --help                    show this help\n"
        return text
    }
}
