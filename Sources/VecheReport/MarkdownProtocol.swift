import VecheCore

/// The Markdown protocol (CommonMark with pipe tables): the HTML's sections without the charts.
struct MarkdownProtocol {
    let figures: ProtocolFigures

    init(_ figures: ProtocolFigures) { self.figures = figures }

    var input: ProtocolInput { figures.input }

    /// Escapes text so a Markdown renderer shows it literally: no emphasis, links, raw HTML,
    /// entities, table breaks, or block structure (lists, headings, code) from its content.
    /// `block`: each line starts a block (a paragraph), so what would open a list, heading or
    /// code block there is escaped too; table cells are inline and need only the inline escapes.
    static func escape(_ text: String, block: Bool = true) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { escapeLine(String($0), block: block) }.joined(separator: "\n")
    }

    private static let special: Set<Character> = ["\\", "`", "*", "_", "[", "]", "<", ">", "|", "#", "~", "&", "!"]

    private static func escapeLine(_ line: String, block: Bool) -> String {
        var out = ""
        var leading = block
        var digitsSoFar = 0
        for character in line {
            if leading && digitsSoFar == 0 && (character == " " || character == "\t") {
                out += Russian.nbsp  // not indentation to a Markdown parser, so no code block
                continue
            }
            if leading && ["-", "+", "="].contains(character) {
                out += "\\"
            } else if leading && digitsSoFar > 0 && (character == "." || character == ")") {
                out += "\\"  // «1.» at the start of a line would begin a list
            }
            if special.contains(character) { out += "\\" }
            out.append(character)
            if leading && character.isASCII && character.isNumber {
                digitsSoFar += 1
            } else {
                leading = false
            }
        }
        return out
    }

    /// One table cell: escaped, line breaks as spaces.
    static func cell(_ text: String) -> String {
        escape(text.replacingLineBreaks(), block: false)
    }

    func render() -> String {
        var out: [String] = []
        out.append("# " + Self.escape(figures.title))
        out.append("")
        for label in figures.labels {
            out.append("> **" + Self.escape(label) + "**")
            out.append(">")
        }
        if !figures.labels.isEmpty { out.removeLast(); out.append("") }
        out.append("**№ " + Self.escape(input.meeting.meeting) + "**")
        out.append("")
        table(&out, header: ["Сведение", "Значение"], align: ["---", "---"], rows: figures.facts.map { [$0.label, $0.value] })

        if let result = input.result {
            out.append("## 1. Участие и кворум")
            out.append("")
            table(&out, header: ["Сведение", "Значение"], align: ["---", "---"], rows: figures.quorumFacts(result).map { [$0.label, $0.value] })
            out.append(Self.escape(ProtocolFigures.roundingNote))
            out.append("")
        } else if let text = figures.cancellationText {
            out.append("## 1. Отмена собрания")
            out.append("")
            out.append("**" + Self.escape(text) + "**")
            out.append("")
        }

        out.append("## 2. Повестка дня")
        out.append("")
        for item in figures.items {
            out.append("- " + Self.escape("Вопрос " + item.agenda.item + ". " + item.agenda.title.replacingLineBreaks()))
        }
        out.append("")

        out.append("## 3. Итоги голосования по вопросам повестки дня")
        out.append("")
        if input.result != nil {
            out.append("Диаграммы — в HTML-версии протокола.")
            out.append("")
        }
        for item in figures.items {
            out.append("### " + Self.escape("Вопрос " + item.agenda.item + ". " + item.agenda.title.replacingLineBreaks()))
            out.append("")
            out.append("Предложено:")
            out.append("")
            for line in item.agenda.proposal.split(separator: "\n", omittingEmptySubsequences: false) {
                out.append("> " + Self.escape(String(line)) + "  ")
            }
            out.append("")
            out.append(Self.escape(figures.thresholdSentence(item)))
            out.append("")
            if let sentence = figures.baseSentence(item) {
                out.append(Self.escape(sentence))
                out.append("")
            }
            if let itemResult = item.result, let base = item.baseValue {
                table(&out, header: ["Вариант", "Голосов, м²¹", "% " + ProtocolFigures.baseWords(item.base) + "¹"], align: ["---", "---:", "---:"],
                      rows: VoteColumn.allCases.map { column in
                          let value = column.amount(in: itemResult)
                          return [column.title, Russian.squareMeters(value), Russian.percent(value, of: base)]
                      })
            }
            out.append("**" + Self.escape(item.decisionText) + "**")
            out.append("")
        }

        if let result = input.result {
            out.append("## Точные значения")
            out.append("")
            out.append(Self.escape(ProtocolFigures.roundingNote))
            out.append("")
            table(&out, header: ["Величина", "Точное значение, м²", "Округлённое"], align: ["---", "---", "---:"],
                  rows: figures.exactRows(result).map { [$0.label, $0.exact, $0.display] })
        }

        out.append("## Приложение 1. Реестр собственников помещений")
        out.append("")
        out.append(Self.escape("Реестр, действовавший на момент создания собрания (запись журнала № " + String(input.registerEntry.seq)
            + ", хеш " + input.registerEntry.leafHex + ")."
            + (input.names == nil ? " Собственники указаны псевдонимными идентификаторами." : " Имена собственников добавлены из переданного списка; в журнале их нет.")))
        out.append("")
        var registerRows: [[String]] = []
        for premises in input.register.premises {
            for stake in premises.stakes {
                registerRows.append([
                    String(registerRows.count + 1), premises.number, Russian.premisesKind(premises.kind),
                    Russian.number(premises.area.decimalString(places: 2)), premises.cadastral ?? "—", stake.shareText,
                    ProtocolFigures.weightText(premises.area * stake.share), figures.holders(stake),
                ])
            }
        }
        registerRows.append(["", "Итого", "", Russian.number(input.register.totalArea.decimalString(places: 2)), "", "",
                             "точно: " + input.register.totalArea.exactString, ""])
        table(&out, header: ["№", "Помещение", "Вид", "Площадь, м²", "Кадастровый номер", "Доля", "Голосов, м²", "Собственник"],
              align: ["---:", "---", "---", "---:", "---", "---:", "---:", "---"], rows: registerRows)

        out.append("## Приложение 2. Решения собственников (бюллетени) и доверенности")
        out.append("")
        if input.ballots.isEmpty {
            out.append("Решений не поступало.")
            out.append("")
        } else {
            table(&out, header: ["№", "Запись", "Время (UTC)", "Собственник", "Вид", "Учёт", "Хеш записи (SHA-256)"],
                  align: ["---:", "---:", "---", "---", "---", "---", "---"],
                  rows: input.ballots.enumerated().map { index, ballot in
                      [String(index + 1), String(ballot.entry.seq), Russian.dateTime(ballot.entry.time), figures.ownerLabel(ballot.owner),
                       Russian.ballotKind(ballot.kind), Russian.ballotStatus(ballot), ballot.entry.leafHex]
                  })
        }
        out.append("### Доверенности (proxy.grant)")
        out.append("")
        if input.proxies.isEmpty {
            out.append("Доверенностей не выдавалось.")
            out.append("")
        } else {
            table(&out, header: ["Запись", "Время (UTC)", "Собственник", "Ключ представителя", "Скан доверенности (SHA-256)"],
                  align: ["---:", "---", "---", "---", "---"],
                  rows: input.proxies.map { proxy in
                      [String(proxy.entry.seq), Russian.dateTime(proxy.entry.time), figures.ownerLabel(proxy.owner), proxy.proxy,
                       proxy.document ?? "—"]
                  })
        }

        out.append("## Приложение 3. Контрольная точка журнала")
        out.append("")
        out.append(Self.escape(figures.verificationText))
        out.append("")
        let note = input.checkpoint.text
        let fence = String(repeating: "`", count: max(3, Self.longestBacktickRun(note) + 1))
        out.append(fence)
        out.append(note.hasSuffix("\n") ? String(note.dropLast()) : note)
        out.append(fence)
        out.append("")
        var references: [[String]] = []
        for (name, reference) in [("meeting.create", input.created), ("building.register", input.registerEntry),
                                  ("building.administrator", input.administrator?.entry), ("meeting.cancel", input.cancellation?.entry),
                                  ("meeting.close", input.closed)] {
            guard let reference else { continue }
            references.append([name, String(reference.seq), Russian.dateTime(reference.time), reference.leafHex])
        }
        table(&out, header: ["Запись", "№", "Время (UTC)", "Хеш записи (SHA-256)"], align: ["---", "---:", "---", "---"], rows: references)
        return out.joined(separator: "\n")
    }

    private func table(_ out: inout [String], header: [String], align: [String], rows: [[String]]) {
        out.append("| " + header.map(Self.cell).joined(separator: " | ") + " |")
        out.append("|" + align.joined(separator: "|") + "|")
        for row in rows {
            out.append("| " + row.map(Self.cell).joined(separator: " | ") + " |")
        }
        out.append("")
    }

    static func longestBacktickRun(_ text: String) -> Int {
        var longest = 0, current = 0
        for character in text {
            if character == "`" { current += 1; longest = max(longest, current) } else { current = 0 }
        }
        return longest
    }
}

extension String {
    /// LF (and CR) as spaces, for one-line places such as table cells and headings.
    func replacingLineBreaks() -> String {
        String(map { $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 })
    }
}
