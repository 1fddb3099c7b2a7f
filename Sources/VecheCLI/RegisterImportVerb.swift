import Foundation
import VecheCore
import VecheCrypto
import VecheLedger

/// `veche register import --building ID --address TEXT --ledger ORIGIN FILE.csv`.
struct RegisterImportVerb: Verb {
    static let name = ["register", "import"]
    static let summary = "turn an owner register CSV into an unsigned building.register command"
    static let usage = "register import --building ID --address TEXT --ledger ORIGIN [--id ID] FILE.csv"
    static let discussion = """
        Reads the CSV described in Specs/register-csv.md (BOM, CRLF, ; or , separators,
        decimal commas and quoted fields are accepted), checks the register (stakes of each
        premises sum to exactly 1, numbers unique, …) and prints the building.register command
        as canonical JSON. Sign it with veche sign --key registrar.key and submit it.
        Errors name the line and the column; the exit code is then 1.
        """
    static let options = [
        OptionSpec("--building", .value, valueName: "ID", help: "the building id (GAR/FIAS GUID or cadastral number)"),
        OptionSpec("--address", .value, valueName: "TEXT", help: "the building's address"),
        OptionSpec("--ledger", .value, valueName: "ORIGIN", help: "the ledger origin the command is for"),
        OptionSpec("--id", .value, valueName: "ID", help: "the command id (default: a random one)"),
    ]

    static func run(_ arguments: ParsedArguments, console: Console) throws -> Int32 {
        try arguments.expectPositionals(1...1, what: "FILE.csv")
        let building = try arguments.required("--building")
        let address = try arguments.required("--address")
        let ledger = try arguments.required("--ledger")
        let id = try arguments.value("--id") ?? "register-" + Base64URL.encode(secureRandomBytes(12))
        guard CommandID.isValid(id) else { throw UsageError("--id must match [A-Za-z0-9_-]{8,64}") }
        let input = try BoundedInput.read(arguments.positionals[0], limit: RegisterCSV.maxBytes, console: console)
        let register: Register
        do {
            register = try RegisterCSV.parse(bytes: input.bytes, building: building, address: address)
        } catch {
            throw CLIFailure("\(input.name): \(error)")
        }
        let premises: [JSONValue] = register.premises.map { item in
            var members: [String: JSONValue] = [
                "number": .string(item.number), "kind": .string(item.kind.rawValue), "area": .string(item.areaText),
                "stakes": .array(item.stakes.map { ["holders": .array($0.holders.map { .string($0) }), "share": .string($0.shareText)] }),
            ]
            if let cadastral = item.cadastral { members["cadastral"] = .string(cadastral) }
            return .object(members)
        }
        let command: JSONValue = [
            "type": "building.register", "id": .string(id), "ledger": .string(ledger), "building": .string(building),
            "address": .string(address), "premises": .array(premises),
        ]
        do {
            _ = try Command(parsing: command)
        } catch {
            throw CLIFailure("the register does not make a valid command: \(error)")
        }
        console.writeOut(CanonicalJSON.serialize(command) + [0x0A])
        return 0
    }
}
