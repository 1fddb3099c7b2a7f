import Testing
@testable import VecheCLI

@Suite struct ArgumentsTests {
    let options = [
        OptionSpec("--out", .value, help: "file"),
        OptionSpec("--registrar", .repeated, help: "key"),
        OptionSpec("--json", .flag, help: "json"),
    ]

    @Test func optionsMayFollowPositionals() throws {
        let parsed = try ParsedArguments(["DIR", "--out", "x", "--json", "--registrar=a", "--registrar", "b"], options: options)
        #expect(parsed.positionals == ["DIR"])
        #expect(parsed.value("--out") == "x")
        #expect(parsed.flag("--json"))
        #expect(parsed.values("--registrar") == ["a", "b"])
    }

    @Test func unknownOptionIsUsageError() {
        #expect(throws: UsageError.self) { try ParsedArguments(["--nope"], options: options) }
    }

    @Test func singleValueOptionTwiceIsUsageError() {
        #expect(throws: UsageError.self) { try ParsedArguments(["--out", "a", "--out", "b"], options: options) }
    }

    @Test func doubleDashEndsOptions() throws {
        let parsed = try ParsedArguments(["--", "--json", "-"], options: options)
        #expect(parsed.positionals == ["--json", "-"])
        #expect(!parsed.flag("--json"))
    }

    @Test func unknownVerbExitsTwo() {
        let capture = CapturedConsole()
        #expect(CLI.run(["frobnicate"], console: capture.console) == 2)
        #expect(capture.stderr.contains("unknown verb"))
    }

    @Test func verbHelpExitsZeroWithUsage() {
        let capture = CapturedConsole()
        #expect(CLI.run(["demo", "--help"], console: capture.console) == 0)
        #expect(capture.stdout.hasPrefix("usage: veche demo"))
    }
}
