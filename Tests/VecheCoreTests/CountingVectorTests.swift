import Foundation
import Testing
import VecheTestSupport
@testable import VecheCore

/// One counting vector of `Specs/vectors/counting/` (format: Specs/counting.md, "Vectors").
struct CountingVector {
    let name: String
    let register: Register
    let meeting: MeetingSpec
    let ballots: [Ballot]
    let result: MeetingResult
    let refusals: [Refusal]

    struct Refusal: Equatable, CustomStringConvertible {
        let index: Int
        let reason: String
        var description: String { "#\(index) \(reason)" }
    }

    struct FormatError: Error, CustomStringConvertible {
        let description: String
    }

    static func load(_ url: URL) throws -> CountingVector {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        return try CountingVector(json: json)
    }

    init(json: Any) throws {
        let root = try Self.object(json)
        name = try Self.string(root["name"])
        let registerJSON = try Self.object(root["register"])
        var premises: [Premises] = []
        for entry in try Self.array(registerJSON["premises"]) {
            let object = try Self.object(entry)
            var stakes: [Stake] = []
            for stakeJSON in try Self.array(object["stakes"]) {
                let stake = try Self.object(stakeJSON)
                stakes.append(try Stake(holders: try Self.array(stake["holders"]).map(Self.string), shareText: try Self.string(stake["share"])))
            }
            guard let kind = PremisesKind(rawValue: try Self.string(object["kind"])) else { throw FormatError(description: "kind") }
            premises.append(try Premises(number: try Self.string(object["number"]), kind: kind, areaText: try Self.string(object["area"]),
                                         cadastral: object["cadastral"] as? String, stakes: stakes))
        }
        register = Register(building: try Self.string(registerJSON["building"]), address: try Self.string(registerJSON["address"]), premises: premises)

        let meetingJSON = try Self.object(root["meeting"])
        guard let rules = RuleSet(rawValue: try Self.string(meetingJSON["rules"])),
              let revote = RevotePolicy(rawValue: try Self.string(meetingJSON["revote"])) else { throw FormatError(description: "rules/revote") }
        let quorum = try (meetingJSON["quorum"] as? String).map { try Share.parseQuorum($0) } ?? RuleSet.defaultQuorum
        var items: [AgendaItem] = []
        for entry in try Self.array(meetingJSON["agenda"]) {
            let object = try Self.object(entry)
            guard let threshold = Threshold(rawValue: try Self.string(object["threshold"])) else { throw FormatError(description: "threshold") }
            items.append(AgendaItem(item: try Self.string(object["item"]), threshold: threshold))
        }
        meeting = MeetingSpec(id: try Self.string(meetingJSON["meeting"]), rules: rules, quorum: quorum, revote: revote,
                              opensAt: try Timestamp.parse(try Self.string(meetingJSON["opens_at"])),
                              closesAt: try Timestamp.parse(try Self.string(meetingJSON["closes_at"])), items: items)

        ballots = try Self.array(root["ballots"]).map { entry in
            let object = try Self.object(entry)
            guard let source = BallotSource(rawValue: try Self.string(object["source"])) else { throw FormatError(description: "source") }
            var choices: [String: MarkChoice] = [:]
            for (item, value) in try Self.object(object["choices"]) {
                if let text = value as? String, let mark = Mark(rawValue: text) {
                    choices[item] = .single(mark)
                } else if let list = value as? [String] {
                    choices[item] = try MarkChoice.paper(list.map { text in
                        guard let mark = Mark(rawValue: text) else { throw FormatError(description: "mark \(text)") }
                        return mark
                    })
                } else {
                    throw FormatError(description: "choice \(value)")
                }
            }
            return Ballot(owner: try Self.string(object["owner"]), source: source, choices: choices,
                          time: try Timestamp.parseLedger(try Self.string(object["time"])))
        }

        let expect = try Self.object(root["expect"])
        let resultJSON = try Self.object(expect["result"])
        let quorumJSON = try Self.object(resultJSON["quorum"])
        guard let resultRules = RuleSet(rawValue: try Self.string(resultJSON["rules"])),
              let reached = quorumJSON["reached"] as? Bool, let count = resultJSON["ballots"] as? Int else {
            throw FormatError(description: "result")
        }
        result = MeetingResult(
            meeting: try Self.string(resultJSON["meeting"]), rules: resultRules,
            total: try Self.exact(resultJSON["total"]), participating: try Self.exact(resultJSON["participating"]),
            quorumRequired: try Self.exact(quorumJSON["required"]), quorumReached: reached, ballots: count,
            items: try Self.array(resultJSON["items"]).map { entry in
                let object = try Self.object(entry)
                guard let threshold = Threshold(rawValue: try Self.string(object["threshold"])), let adopted = object["adopted"] as? Bool else {
                    throw FormatError(description: "item")
                }
                return ItemResult(item: try Self.string(object["item"]), threshold: threshold,
                                  for: try Self.exact(object["for"]), against: try Self.exact(object["against"]),
                                  abstain: try Self.exact(object["abstain"]), invalid: try Self.exact(object["invalid"]),
                                  blank: try Self.exact(object["blank"]), adopted: adopted)
            })
        refusals = try Self.array(expect["refusals"]).map { entry in
            let object = try Self.object(entry)
            guard let index = object["index"] as? Int else { throw FormatError(description: "refusal index") }
            return Refusal(index: index, reason: try Self.string(object["reason"]))
        }
    }

    static func object(_ value: Any?) throws -> [String: Any] {
        guard let object = value as? [String: Any] else { throw FormatError(description: "expected an object, got \(String(describing: value))") }
        return object
    }

    static func array(_ value: Any?) throws -> [Any] {
        guard let array = value as? [Any] else { throw FormatError(description: "expected an array, got \(String(describing: value))") }
        return array
    }

    static func string(_ value: Any?) throws -> String {
        guard let string = value as? String else { throw FormatError(description: "expected a string, got \(String(describing: value))") }
        return string
    }

    static func exact(_ value: Any?) throws -> Rational { try Rational(exact: try string(value)) }
}

@Suite struct CountingVectorTests {
    static let files = (try? Vectors.files(in: "counting")) ?? []

    @Test func thereAreAtLeastThirtyVectors() {
        #expect(Self.files.count >= 30)
    }

    @Test(arguments: files)
    func vectorResultAndRefusalsMatch(_ url: URL) throws {
        let vector = try CountingVector.load(url)
        try vector.register.validate()
        let (result, refusals) = Tally.run(meeting: vector.meeting, register: vector.register, ballots: vector.ballots)
        #expect(result == vector.result, "\(vector.name)")
        let actual = refusals.map { CountingVector.Refusal(index: $0.index, reason: $0.refusal.reason) }
        #expect(actual == vector.refusals, "\(vector.name)")
    }

    @Test(arguments: files)
    func vectorAdmissionIsConsistentStepByStep(_ url: URL) throws {
        let vector = try CountingVector.load(url)
        var tally = Tally(meeting: vector.meeting, register: vector.register)
        var previousParticipating = Rational.zero
        for ballot in vector.ballots {
            let admittedBefore = tally.admittedBallotCount
            var predicted: BallotRefusal?
            do throws(BallotRefusal) { try tally.check(ballot) } catch { predicted = error }
            #expect(tally.admittedBallotCount == admittedBefore, "check must not record")
            var actual: BallotRefusal?
            do throws(BallotRefusal) { try tally.admit(ballot) } catch { actual = error }
            #expect(predicted == actual)
            #expect(tally.admittedBallotCount == admittedBefore + (actual == nil ? 1 : 0))
            // Live figures agree with a full result at every step, and turnout never falls.
            let live = tally.result()
            #expect(live.participating == tally.participating && live.ballots == tally.effectiveBallotCount)
            #expect(live.quorumReached == tally.quorumReached)
            #expect(tally.participating >= previousParticipating)
            previousParticipating = tally.participating
            for item in live.items {
                #expect(item.for + item.against + item.abstain + item.invalid + item.blank == live.participating)
            }
        }
        #expect(tally.result() == vector.result)
    }
}
