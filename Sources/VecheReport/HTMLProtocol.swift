import VecheCore

/// The HTML protocol: one self-contained document, HTML written as well-formed XML.
///
/// No scripts, no external references of any kind (no links to fonts, images or style sheets),
/// so the document reads the same offline, years later, and prints on A4. Namespace
/// declarations are left out: served as text/html the parser supplies them, and the document
/// then contains no URL at all.
struct HTMLProtocol {
    let figures: ProtocolFigures

    init(_ figures: ProtocolFigures) { self.figures = figures }

    var input: ProtocolInput { figures.input }

    /// The style sheet. It holds none of `& < > " '`, so escaping leaves it unchanged and the
    /// text/html parser (which reads `<style>` raw, without decoding references) sees the same CSS.
    static let style = """
        @page { size: A4; margin: 18mm 15mm 18mm 20mm; }
        body { font-family: PT Serif, Times New Roman, Georgia, serif; font-size: 11pt; line-height: 1.4; color: #000; background: #fff; margin: 0 auto; max-width: 60rem; padding: 1rem; }
        h1 { font-size: 1.35em; text-align: center; margin: 0.4em 0; }
        h2 { font-size: 1.15em; margin-top: 1.4em; border-bottom: 1px solid #000; }
        h3 { font-size: 1.05em; margin-bottom: 0.3em; }
        .labels p { border: 2px solid #000; padding: 0.4em 0.6em; font-weight: bold; text-align: center; }
        .number { text-align: center; font-weight: bold; }
        table { border-collapse: collapse; width: 100%; margin: 0.5em 0; }
        th, td { border: 1px solid #555; padding: 0.2em 0.4em; vertical-align: top; text-align: left; }
        th { background: #f0f0f0; }
        .num { text-align: right; white-space: nowrap; }
        .scroll { overflow-x: auto; }
        ul.agenda { list-style: none; padding-left: 0; }
        .proposal { white-space: pre-line; margin: 0.3em 0 0.3em 1em; }
        .decision { font-weight: bold; }
        .hash, pre { font-family: DejaVu Sans Mono, Courier New, monospace; font-size: 0.85em; overflow-wrap: anywhere; word-break: break-all; }
        pre { white-space: pre-wrap; border: 1px solid #555; padding: 0.5em; }
        svg.chart { width: 100%; max-width: 46rem; height: auto; display: block; margin: 0.5em 0; font-family: DejaVu Sans, Arial, sans-serif; }
        .note { font-size: 0.9em; }
        @media (max-width: 40rem) { body { font-size: 10.5pt; padding: 0.5rem; } th, td { padding: 0.15em 0.25em; } }
        @media print {
          body { max-width: none; padding: 0; }
          .scroll { overflow: visible; }
          thead { display: table-header-group; }
          tr, svg.chart, .item-head { break-inside: avoid; page-break-inside: avoid; }
          h2, h3 { break-after: avoid; page-break-after: avoid; }
          .annex { break-before: page; page-break-before: always; }
          * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        }
        """

    func render() -> String {
        var page = Markup()
        page.element("html", ["lang": "ru"]) { html in
            html.newline()
            html.element("head") { head in
                head.empty("meta", ["charset": "utf-8"])
                head.empty("meta", ["name": "viewport", "content": "width=device-width, initial-scale=1"])
                head.element("title", text: figures.title + " № " + input.meeting.meeting)
                head.element("style", text: Self.style)
            }
            html.newline()
            html.element("body") { body in
                header(&body)
                if let result = input.result {
                    quorum(&body, result)
                } else if let text = figures.cancellationText {
                    body.element("section", ["id": "cancelled"]) { section in
                        section.element("h2", text: "1. Отмена собрания")
                        section.element("p", ["class": "decision"], text: text)
                    }
                }
                agenda(&body)
                decisions(&body)
                if let result = input.result { exactValues(&body, result) }
                registerAnnex(&body)
                ballotsAnnex(&body)
                checkpointAnnex(&body)
            }
            html.newline()
        }
        return "<!DOCTYPE html>\n" + page.xml + "\n"
    }

    // MARK: - Sections

    private func header(_ body: inout Markup) {
        body.element("header") { header in
            if !figures.labels.isEmpty {
                header.element("div", ["class": "labels"]) { labels in
                    for label in figures.labels { labels.element("p", ["role": "note"], text: label) }
                }
            }
            header.element("h1", text: figures.title)
            header.element("p", ["class": "number"], text: "№ " + input.meeting.meeting)
            factTable(&header, figures.facts)
        }
        body.newline()
    }

    private func quorum(_ body: inout Markup, _ result: MeetingResult) {
        body.element("section", ["id": "quorum"]) { section in
            section.element("h2", text: "1. Участие и кворум")
            factTable(&section, figures.quorumFacts(result))
            section.append(Charts.turnout(figures, result: result, id: "c0"))
            section.element("p", ["class": "note"], text: ProtocolFigures.roundingNote)
        }
        body.newline()
    }

    private func agenda(_ body: inout Markup) {
        body.element("section", ["id": "agenda"]) { section in
            section.element("h2", text: "2. Повестка дня")
            section.element("ul", ["class": "agenda"]) { list in
                for item in figures.items {
                    list.element("li", text: "Вопрос " + item.agenda.item + ". " + item.agenda.title)
                }
            }
        }
        body.newline()
    }

    private func decisions(_ body: inout Markup) {
        body.element("section", ["id": "decisions"]) { section in
            section.element("h2", text: "3. Итоги голосования по вопросам повестки дня")
            for item in figures.items {
                section.element("div", ["class": "item", "id": "item-\(item.index + 1)"]) { div in
                    div.element("h3", ["class": "item-head"], text: "Вопрос " + item.agenda.item + ". " + item.agenda.title)
                    div.element("p", text: "Предложено:")
                    div.element("p", ["class": "proposal"], text: item.agenda.proposal)
                    div.element("p", text: figures.thresholdSentence(item))
                    if let sentence = figures.baseSentence(item) { div.element("p", text: sentence) }
                    if let itemResult = item.result, let base = item.baseValue {
                        voteTable(&div, itemResult, base: base, baseWords: ProtocolFigures.baseWords(item.base))
                    }
                    div.element("p", ["class": "decision"], text: item.decisionText)
                    if let result = input.result {
                        div.append(Charts.item(item, result: result, id: "c\(item.index + 1)"))
                    }
                }
                section.newline()
            }
        }
        body.newline()
    }

    private func voteTable(_ div: inout Markup, _ itemResult: ItemResult, base: Rational, baseWords: String) {
        div.element("div", ["class": "scroll"]) { scroll in
            scroll.element("table", ["class": "votes"]) { table in
                table.element("thead") { head in
                    head.element("tr") { row in
                        row.element("th", ["scope": "col"], text: "Вариант")
                        row.element("th", ["scope": "col", "class": "num"], text: "Голосов, м²¹")
                        row.element("th", ["scope": "col", "class": "num"], text: "% " + baseWords + "¹")
                    }
                }
                table.element("tbody") { tbody in
                    for column in VoteColumn.allCases {
                        let value = column.amount(in: itemResult)
                        tbody.element("tr") { row in
                            row.element("th", ["scope": "row"], text: column.title)
                            row.element("td", ["class": "num"], text: Russian.squareMeters(value))
                            row.element("td", ["class": "num"], text: Russian.percent(value, of: base))
                        }
                    }
                }
            }
        }
    }

    private func exactValues(_ body: inout Markup, _ result: MeetingResult) {
        body.element("section", ["id": "exact"]) { section in
            section.element("h2", text: "Точные значения")
            section.element("p", ["class": "note"], text: ProtocolFigures.roundingNote)
            section.element("div", ["class": "scroll"]) { scroll in
                scroll.element("table") { table in
                    table.element("thead") { head in
                        head.element("tr") { row in
                            row.element("th", ["scope": "col"], text: "Величина")
                            row.element("th", ["scope": "col"], text: "Точное значение, м²")
                            row.element("th", ["scope": "col", "class": "num"], text: "Округлённое")
                        }
                    }
                    table.element("tbody") { tbody in
                        for entry in figures.exactRows(result) {
                            tbody.element("tr") { row in
                                row.element("th", ["scope": "row"], text: entry.label)
                                row.element("td", ["class": "hash"], text: entry.exact)
                                row.element("td", ["class": "num"], text: entry.display)
                            }
                        }
                    }
                }
            }
        }
        body.newline()
    }

    private func registerAnnex(_ body: inout Markup) {
        let register = input.register
        body.element("section", ["class": "annex", "id": "annex-1"]) { section in
            section.element("h2", text: "Приложение 1. Реестр собственников помещений")
            section.element("p", ["class": "note"], text: "Реестр, действовавший на момент создания собрания (запись журнала № "
                + String(input.registerEntry.seq) + ", хеш " + input.registerEntry.leafHex + "). "
                + (input.names == nil
                    ? "Собственники указаны псевдонимными идентификаторами; персональные данные в журнале не хранятся."
                    : "Имена собственников добавлены из списка, переданного при формировании протокола; в журнале их нет."))
            section.element("div", ["class": "scroll"]) { scroll in
                scroll.element("table") { table in
                    table.element("thead") { head in
                        head.element("tr") { row in
                            for title in ["№", "Помещение", "Вид", "Площадь, м²", "Кадастровый номер", "Доля", "Голосов, м²", "Собственник"] {
                                row.element("th", ["scope": "col"], text: title)
                            }
                        }
                    }
                    table.element("tbody") { tbody in
                        var line = 0
                        for premises in register.premises {
                            for stake in premises.stakes {
                                line += 1
                                tbody.element("tr") { row in
                                    row.element("td", ["class": "num"], text: String(line))
                                    row.element("td", text: premises.number)
                                    row.element("td", text: Russian.premisesKind(premises.kind))
                                    row.element("td", ["class": "num"], text: Russian.number(premises.area.decimalString(places: 2)))
                                    row.element("td", text: premises.cadastral ?? "—")
                                    row.element("td", ["class": "num"], text: stake.shareText)
                                    row.element("td", ["class": "num"], text: ProtocolFigures.weightText(premises.area * stake.share))
                                    row.element("td", text: figures.holders(stake))
                                }
                            }
                        }
                        tbody.element("tr") { row in
                            row.element("th", ["scope": "row", "colspan": "3"], text: "Итого (общее число голосов)")
                            row.element("td", ["class": "num"], text: Russian.number(register.totalArea.decimalString(places: 2)))
                            row.element("td", ["colspan": "4"], text: "точно: " + register.totalArea.exactString + " м²")
                        }
                    }
                }
            }
        }
        body.newline()
    }

    private func ballotsAnnex(_ body: inout Markup) {
        body.element("section", ["class": "annex", "id": "annex-2"]) { section in
            section.element("h2", text: "Приложение 2. Решения собственников (бюллетени) и доверенности")
            section.element("p", ["class": "note"], text: "Все решения, принятые журналом, в порядке поступления. "
                + "«Не учтён» — решение заменено другим по правилам повторного голосования или решением самого собственника "
                + "(оно всегда важнее решения представителя); оно остаётся в журнале.")
            if input.ballots.isEmpty {
                section.element("p", text: "Решений не поступало.")
            } else {
                section.element("div", ["class": "scroll"]) { scroll in
                    scroll.element("table") { table in
                        table.element("thead") { head in
                            head.element("tr") { row in
                                for title in ["№", "Запись", "Время (UTC)", "Собственник", "Вид", "Учёт", "Хеш записи (SHA-256)"] {
                                    row.element("th", ["scope": "col"], text: title)
                                }
                            }
                        }
                        table.element("tbody") { tbody in
                            for (index, ballot) in input.ballots.enumerated() {
                                tbody.element("tr") { row in
                                    row.element("td", ["class": "num"], text: String(index + 1))
                                    row.element("td", ["class": "num"], text: String(ballot.entry.seq))
                                    row.element("td", text: Russian.dateTime(ballot.entry.time))
                                    row.element("td", text: figures.ownerLabel(ballot.owner))
                                    row.element("td", text: Russian.ballotKind(ballot.kind))
                                    row.element("td", text: Russian.ballotStatus(ballot))
                                    row.element("td", ["class": "hash"], text: ballot.entry.leafHex)
                                }
                            }
                        }
                    }
                }
            }
            section.element("h3", text: "Доверенности (proxy.grant)")
            if input.proxies.isEmpty {
                section.element("p", text: "Доверенностей не выдавалось.")
            } else {
                section.element("div", ["class": "scroll"]) { scroll in
                    scroll.element("table") { table in
                        table.element("thead") { head in
                            head.element("tr") { row in
                                for title in ["Запись", "Время (UTC)", "Собственник", "Ключ представителя", "Скан доверенности (SHA-256)"] {
                                    row.element("th", ["scope": "col"], text: title)
                                }
                            }
                        }
                        table.element("tbody") { tbody in
                            for proxy in input.proxies {
                                tbody.element("tr") { row in
                                    row.element("td", ["class": "num"], text: String(proxy.entry.seq))
                                    row.element("td", text: Russian.dateTime(proxy.entry.time))
                                    row.element("td", text: figures.ownerLabel(proxy.owner))
                                    row.element("td", ["class": "hash"], text: proxy.proxy)
                                    row.element("td", ["class": "hash"], text: proxy.document ?? "— (выдана собственником электронно)")
                                }
                            }
                        }
                    }
                }
            }
        }
        body.newline()
    }

    private func checkpointAnnex(_ body: inout Markup) {
        body.element("section", ["class": "annex", "id": "annex-3"]) { section in
            section.element("h2", text: "Приложение 3. Контрольная точка журнала")
            section.element("p", text: figures.verificationText)
            section.element("pre", ["class": "checkpoint"], text: input.checkpoint.text)
            let references: [(String, ProtocolInput.EntryRef?)] = [
                ("meeting.create", input.created), ("building.register", input.registerEntry),
                ("building.administrator", input.administrator?.entry), ("meeting.cancel", input.cancellation?.entry),
                ("meeting.close", input.closed),
            ]
            section.element("div", ["class": "scroll"]) { scroll in
                scroll.element("table") { table in
                    table.element("thead") { head in
                        head.element("tr") { row in
                            for title in ["Запись", "№", "Время (UTC)", "Хеш записи (SHA-256)"] { row.element("th", ["scope": "col"], text: title) }
                        }
                    }
                    table.element("tbody") { tbody in
                        for (name, reference) in references {
                            guard let reference else { continue }
                            tbody.element("tr") { row in
                                row.element("th", ["scope": "row"], text: name)
                                row.element("td", ["class": "num"], text: String(reference.seq))
                                row.element("td", text: Russian.dateTime(reference.time))
                                row.element("td", ["class": "hash"], text: reference.leafHex)
                            }
                        }
                    }
                }
            }
        }
        body.newline()
    }

    private func factTable(_ parent: inout Markup, _ rows: [(label: String, value: String)]) {
        parent.element("table", ["class": "facts"]) { table in
            table.element("tbody") { tbody in
                for fact in rows {
                    tbody.element("tr") { row in
                        row.element("th", ["scope": "row"], text: fact.label)
                        row.element("td", text: fact.value)
                    }
                }
            }
        }
    }
}
