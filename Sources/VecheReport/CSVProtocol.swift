import VecheCore

/// The CSV protocol: a header row, then one row per agenda item (columns in `Specs/protocol.md`).
///
/// UTF-8 with a byte-order mark and CRLF line ends, `;` as separator and a decimal comma in the
/// rounded columns — what a Russian spreadsheet opens without an import dialog. Exact columns
/// hold the WIRE.md fractions (`2469/20`); import them as text, or a spreadsheet may take them
/// for dates.
enum CSVProtocol {
    static let columns = [
        "meeting", "status", "rules", "item", "title", "threshold", "base", "quorum_reached", "adopted", "decision", "decision_text",
        "total_exact", "participating_exact", "base_exact", "for_exact", "against_exact", "abstain_exact", "invalid_exact",
        "blank_exact", "required_exact",
        "total_m2", "participating_m2", "participating_percent", "base_m2",
        "for_m2", "for_percent", "against_m2", "against_percent", "abstain_m2", "abstain_percent",
        "invalid_m2", "invalid_percent", "blank_m2", "blank_percent", "required_m2",
    ]

    static func render(_ figures: ProtocolFigures) -> String {
        let input = figures.input
        var lines = [columns.joined(separator: ";")]
        for item in figures.items {
            var row: [String: String] = [
                "meeting": input.meeting.meeting,
                "status": input.status.rawValue,
                "rules": input.meeting.rules.rawValue,
                "item": item.agenda.item,
                "title": text(item.agenda.title),
                "threshold": item.agenda.threshold.rawValue,
                "base": item.base.rawValue,
                "decision": item.decision?.rawValue ?? "",
                "decision_text": text(item.decisionText),
            ]
            if let result = input.result, let itemResult = item.result, let base = item.baseValue, let required = item.required {
                row["quorum_reached"] = result.quorumReached ? "true" : "false"
                row["adopted"] = itemResult.adopted ? "true" : "false"
                row["total_exact"] = result.total.exactString
                row["participating_exact"] = result.participating.exactString
                row["base_exact"] = base.exactString
                row["required_exact"] = required.exactString
                row["total_m2"] = decimal(result.total)
                row["participating_m2"] = decimal(result.participating)
                row["participating_percent"] = Russian.plainNumber(result.participating.percentString(of: result.total))
                row["base_m2"] = decimal(base)
                row["required_m2"] = decimal(required)
                for column in VoteColumn.allCases {
                    let value = column.amount(in: itemResult)
                    row[column.rawValue + "_exact"] = value.exactString
                    row[column.rawValue + "_m2"] = decimal(value)
                    row[column.rawValue + "_percent"] = Russian.plainNumber(value.percentString(of: base))
                }
            }
            lines.append(columns.map { field(row[$0] ?? "") }.joined(separator: ";"))
        }
        return "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n"
    }

    /// Rounded m² with a decimal comma: `7046,05`.
    static func decimal(_ value: Rational) -> String { Russian.plainNumber(value.decimalString(places: 2)) }

    /// Free text as a cell: a leading `=`, `+`, `-`, `@` (or TAB, CR) gets an apostrophe so a
    /// spreadsheet shows it instead of evaluating it as a formula; line breaks become spaces.
    static func text(_ value: String) -> String {
        let flat = value.replacingLineBreaks()
        if let first = flat.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) { return "'" + flat }
        return flat
    }

    /// RFC 4180 quoting with `;`: quoted when it holds `;`, `"`, a line break or edge spaces.
    static func field(_ value: String) -> String {
        let needsQuotes = value.contains(where: { $0 == ";" || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
            || value.first == " " || value.last == " "
        guard needsQuotes else { return value }
        return "\"" + value.replacingOccurrencesOfQuote() + "\""
    }
}

extension String {
    /// `"` doubled, as RFC 4180 escapes it inside a quoted field.
    func replacingOccurrencesOfQuote() -> String {
        var out = ""
        for character in self {
            if character == "\"" { out += "\"\"" } else { out.append(character) }
        }
        return out
    }
}
