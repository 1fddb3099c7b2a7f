import VecheCore
import VecheLedger
import VecheStore

/// `veche tally DIR --meeting ID [--json]`: a meeting's exact count from the stored ballots.
struct TallyVerb: Verb {
    static let name = ["tally"]
    static let summary = "recompute a meeting's exact result from the stored ballots"
    static let usage = "tally DIR --meeting ID [--json]"
    static let discussion = """
        Reads the data directory (safe while veche serve runs), replays the meeting's accepted
        ballots through the counting engine and prints the result: exact fractions, and for
        people the values rounded half-up to two decimals. For a closed meeting it also checks
        the recomputation equals the result recorded in its meeting.close entry (exit 1 if not).
        """
    static let options = [
        OptionSpec("--meeting", .value, valueName: "ID", help: "the meeting id"),
        OptionSpec("--json", .flag, help: "print the WIRE.md result object"),
    ]

    static func run(_ arguments: ParsedArguments, console: Console) throws -> Int32 {
        try arguments.expectPositionals(1...1, what: "DIR")
        let id = try arguments.required("--meeting")
        let found: (meeting: MeetingRecord, tally: Tally)?
        do {
            found = try LedgerReader(directory: arguments.positionals[0]).meetingTally(id)
        } catch let error as StoreError {
            throw CLIFailure(error.message)
        }
        guard let (meeting, tally) = found else { throw CLIFailure("meeting \(id) does not exist") }
        let result = tally.result()
        let json = ResultJSON.encode(result)
        let matches = meeting.result.map { $0 == json }
        if arguments.flag("--json") {
            console.writeOut(CanonicalJSON.serialize(json) + [0x0A])
        } else {
            let status = meeting.cancelledSeq != nil ? "cancelled" : meeting.closedSeq != nil ? "closed" : "not closed yet (preliminary)"
            console.out("meeting \(id) (\(result.rules.rawValue)), \(status)")
            console.out("total votes     \(result.total.decimalString(places: 2)) m²   exact \(result.total.exactString)")
            console.out("participating   \(result.participating.decimalString(places: 2)) m² (\(result.participating.percentString(of: result.total, places: 2)) %)   exact \(result.participating.exactString)")
            console.out("quorum          \(result.quorumReached ? "reached" : "NOT reached") (more than \(result.quorumRequired.exactString) of all votes)")
            console.out("ballots         \(result.ballots)")
            for item in result.items {
                let base = item.threshold == .participantsMajority ? result.participating : result.total
                console.out("item \(item.item) [\(item.threshold.rawValue)]: \(item.adopted ? "ADOPTED" : "not adopted")")
                for (label, value) in [("for", item.for), ("against", item.against), ("abstain", item.abstain), ("invalid", item.invalid), ("blank", item.blank)] {
                    console.out("  \(label.padding(toLength: 8, withPad: " ", startingAt: 0)) \(value.decimalString(places: 2)) m² (\(value.percentString(of: base, places: 2)) %)   exact \(value.exactString)")
                }
            }
            if let matches { console.out(matches ? "recorded meeting.close result: identical" : "recorded meeting.close result: DIFFERS") }
        }
        return matches == false ? 1 : 0
    }
}
