import VecheCore
import VecheLedger

/// The JSON protocol (`format: veche-protocol/1`): every number exact and rounded, the close
/// result as signed, and the checkpoint note. Field by field in `Specs/protocol.md`.
enum JSONProtocol {
    static let format = "veche-protocol/1"

    static func render(_ figures: ProtocolFigures) -> JSONValue {
        let input = figures.input
        let meeting = input.meeting
        var document: [String: JSONValue] = [
            "format": .string(format),
            "status": .string(input.status.rawValue),
            "labels": .array(figures.labels.map { .string($0) }),
            "title": .string(figures.title),
            "number": .string(meeting.meeting),
            "date": figures.date.map { .string(String($0.rfc3339String.prefix(10))) } ?? .null,
            "as_of": .string(input.asOf.ledgerString),
            "place": .string(figures.place),
            "meeting": .object([
                "id": .string(meeting.meeting),
                "title": .string(meeting.title),
                "form": .string(meeting.form.rawValue),
                "form_text": .string(Russian.form(meeting.form)),
                "initiator": .string(meeting.initiator),
                "rules": .string(meeting.rules.rawValue),
                "revote": .string(meeting.revote.rawValue),
                "opens_at": .string(meeting.opensAt.rfc3339String),
                "closes_at": .string(meeting.closesAt.rfc3339String),
            ]),
            "building": .object([
                "id": .string(input.register.building),
                "address": .string(input.register.address),
            ]),
            "administrator": input.administrator.map { administrator in
                var members: [String: JSONValue] = ["name": .string(administrator.name), "entry": entry(administrator.entry)]
                if let inn = administrator.inn { members["inn"] = .string(inn) }
                return .object(members)
            } ?? .null,
            "ledger": .object([
                "origin": .string(input.origin),
                "meeting_create": entry(input.created),
                "register": entry(input.registerEntry),
                "meeting_close": input.closed.map(entry) ?? .null,
                "meeting_cancel": input.cancellation.map { entry($0.entry) } ?? .null,
            ]),
            "cancellation": input.cancellation.map { cancellation in
                .object(["reason": .string(cancellation.reason), "entry": entry(cancellation.entry)])
            } ?? .null,
            "result": input.resultJSON ?? .null,
            "checkpoint": .string(input.checkpoint.text),
            "names_included": .bool(input.names != nil),
        ]

        if let result = input.result {
            document["totals"] = .object([
                "total_area": amount(result.total),
                "total_votes": amount(result.total),
                "participating": amount(result.participating, of: result.total),
                "quorum": .object([
                    "required": .string(result.quorumRequired.exactString),
                    "required_votes": amount(result.quorumRequired * result.total),
                    "rule": .string(Russian.quorumRule(rules: result.rules, share: result.quorumRequired)),
                    "reached": .bool(result.quorumReached),
                    "verdict": .string(Russian.quorumVerdict(result.quorumReached)),
                ]),
                "ballots_effective": .integer(Int64(result.ballots)),
                "ballots_accepted": .integer(Int64(input.ballots.count)),
            ])
        } else {
            document["totals"] = .null
        }

        document["items"] = .array(figures.items.map { item in
            var members: [String: JSONValue] = [
                "item": .string(item.agenda.item),
                "title": .string(item.agenda.title),
                "proposal": .string(item.agenda.proposal),
                "threshold": .string(item.agenda.threshold.rawValue),
                "threshold_text": .string(Russian.threshold(item.agenda.threshold)),
                "basis": .string(item.basis),
                "base": .string(item.base.rawValue),
                "decision": item.decision.map { .string($0.rawValue) } ?? .null,
                "decision_text": .string(item.decisionText),
                "adopted": item.result.map { .bool($0.adopted) } ?? .null,
            ]
            if let itemResult = item.result, let base = item.baseValue, let required = item.required {
                members["base_votes"] = amount(base)
                var votes: [String: JSONValue] = [:]
                for column in VoteColumn.allCases {
                    votes[column.rawValue] = amount(column.amount(in: itemResult), of: base)
                }
                members["votes"] = .object(votes)
                var requirement = amount(required)
                if case .object(var fields) = requirement {
                    fields["comparison"] = .string(ProtocolFigures.comparison(item.agenda.threshold))
                    requirement = .object(fields)
                }
                members["required_for"] = requirement
            } else {
                members["base_votes"] = .null
                members["votes"] = .null
                members["required_for"] = .null
            }
            return .object(members)
        })

        document["register"] = .array(input.register.premises.flatMap { premises in
            premises.stakes.map { stake in
                var members: [String: JSONValue] = [
                    "premises": .string(premises.number),
                    "kind": .string(premises.kind.rawValue),
                    "area": amount(premises.area),
                    "share": .string(stake.shareText),
                    "weight": amount(premises.area * stake.share),
                    "holders": .array(stake.holders.map { owner($0, input) }),
                ]
                if let cadastral = premises.cadastral { members["cadastral"] = .string(cadastral) }
                return .object(members)
            }
        })
        document["register_total"] = amount(input.register.totalArea)

        document["ballots"] = .array(input.ballots.map { ballot in
            var members: [String: JSONValue] = [
                "entry": entry(ballot.entry),
                "owner": owner(ballot.owner, input),
                "kind": .string(ballot.kind.rawValue),
                "signer": .string(ballot.signer),
                "effective": .bool(ballot.isEffective),
                "effective_stakes": .integer(Int64(ballot.effectiveStakes)),
                "stakes": .integer(Int64(ballot.stakes)),
                "status_text": .string(Russian.ballotStatus(ballot)),
            ]
            if let scan = ballot.scan { members["scan"] = .string(scan) }
            return .object(members)
        })
        document["proxies"] = .array(input.proxies.map { proxy in
            var members: [String: JSONValue] = [
                "entry": entry(proxy.entry), "owner": owner(proxy.owner, input), "proxy": .string(proxy.proxy),
            ]
            if let document = proxy.document { members["document"] = .string(document) }
            return .object(members)
        })
        return .object(document)
    }

    /// `{"id"}`, plus `"name"` when names were given.
    static func owner(_ id: String, _ input: ProtocolInput) -> JSONValue {
        var members: [String: JSONValue] = ["id": .string(id)]
        if let name = input.name(of: id) { members["name"] = .string(name) }
        return .object(members)
    }

    static func entry(_ reference: ProtocolInput.EntryRef) -> JSONValue {
        .object(["seq": .integer(Int64(reference.seq)), "time": .string(reference.time.ledgerString), "leaf": .string(reference.leafHex)])
    }

    /// `{"exact", "m2", "display"}`, plus `"percent"`, `"percent_display"` of `base`.
    static func amount(_ value: Rational, of base: Rational? = nil) -> JSONValue {
        let shown = DisplayAmount(value, of: base)
        var members: [String: JSONValue] = [
            "exact": .string(shown.exact), "m2": .string(shown.decimal), "display": .string(shown.display),
        ]
        if let percent = shown.percent, let percentDisplay = shown.percentDisplay {
            members["percent"] = .string(percent)
            members["percent_display"] = .string(percentDisplay)
        }
        return .object(members)
    }
}
