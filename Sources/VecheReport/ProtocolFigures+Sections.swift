import VecheCore

/// The text of the protocol's sections, shared by the HTML and Markdown renderers.
extension ProtocolFigures {
    /// The footnote on rounding, referenced by «¹» wherever a rounded value appears.
    static let roundingNote =
        "¹ Значения в м² и процентах округлены до сотых (половина — вверх) только для показа. "
        + "Кворум и решения определены по точным значениям, которые приведены в разделе «Точные значения» "
        + "и в записи meeting.close журнала; проценты по вопросу — от той базы, которую использует порог вопроса."

    /// The introductory facts (266/пр: number, date, place, form, initiator, period…).
    var facts: [(label: String, value: String)] {
        let meeting = input.meeting
        var rows: [(String, String)] = [("Номер протокола", meeting.meeting)]
        switch input.status {
        case .closed:
            rows.append(("Дата протокола (подведения итогов)", date.map(Russian.date) ?? "—"))
        case .preliminary:
            rows.append(("Дата протокола", "не составлен: голосование не завершено; данные на " + Russian.dateTime(input.asOf)))
        case .cancelled:
            rows.append(("Дата отмены собрания", date.map(Russian.date) ?? "—"))
        }
        rows.append(("Место проведения", place))
        rows.append(("Адрес многоквартирного дома", input.register.address + " (идентификатор дома " + input.register.building + ")"))
        rows.append(("Тема", meeting.title))
        rows.append(("Форма проведения", Russian.form(meeting.form)))
        rows.append(("Инициатор собрания", meeting.initiator))
        if let administrator = input.administrator {
            rows.append(("Администратор собрания (управляющая организация)",
                         administrator.name + (administrator.inn.map { ", ИНН " + $0 } ?? "")))
        } else {
            rows.append(("Администратор собрания (управляющая организация)", "не назначен в журнале"))
        }
        rows.append(("Собрание создано в журнале (отсчёт срока уведомления)", Russian.dateTime(input.created.time) + " (запись журнала № " + String(input.created.seq) + ")"))
        rows.append(("Период голосования",
                     "с " + Russian.dateTime(meeting.opensAt) + " до " + Russian.dateTime(meeting.closesAt)
                     + " (решения, поступившие с момента окончания, не учитываются)"))
        rows.append(("Повторное голосование", Russian.revote(meeting.revote)))
        rows.append(("Правила подсчёта", Russian.rules(meeting.rules)))
        rows.append(("Подсчёт голосов",
                     "выполнен системой Вече по записям журнала; председатель, секретарь и счётная комиссия в журнале не указаны"))
        return rows
    }

    /// The quorum facts (266/пр: total area, total votes, participants' votes, quorum verdict).
    func quorumFacts(_ result: MeetingResult) -> [(label: String, value: String)] {
        let accepted = input.ballots.count
        return [
            ("Общая площадь жилых и нежилых помещений", Russian.squareMeters(result.total) + "¹"),
            ("Общее количество голосов собственников", Russian.squareMeters(result.total) + "¹ (1 м² = 1 голос, ч. 3 ст. 48 ЖК РФ)"),
            ("Количество голосов собственников, принявших участие",
             Russian.squareMeters(result.participating) + "¹ — " + Russian.percent(result.participating, of: result.total) + "¹ от общего числа голосов"),
            ("Решений собственников учтено", String(result.ballots) + " из " + String(accepted) + " принятых журналом"),
            ("Условие кворума", Russian.quorumRule(rules: result.rules, share: result.quorumRequired)),
            ("Кворум", Russian.quorumVerdict(result.quorumReached)),
        ]
    }

    /// The cancellation statement.
    var cancellationText: String? {
        guard let cancellation = input.cancellation else { return nil }
        return "Собрание отменено " + Russian.dateTime(cancellation.entry.time) + " (запись журнала № "
            + String(cancellation.entry.seq) + "). Причина: " + cancellation.reason
            + ". Итоги голосования не подводились, решения не принимались."
    }

    /// «Порог принятия: …; основание: …».
    func thresholdSentence(_ item: Item) -> String {
        "Порог принятия: " + Russian.threshold(item.agenda.threshold) + " (основание: " + item.basis + ")."
    }

    /// «Проценты — от голосов участников собрания (5 218,40 м²). Нужно «за»: более 2 609,20 м².»
    func baseSentence(_ item: Item) -> String? {
        guard let baseValue = item.baseValue, let required = item.required else { return nil }
        return "Проценты — " + Self.baseWords(item.base) + " (" + Russian.squareMeters(baseValue) + "¹). Нужно голосов «за»: "
            + Self.requirement(item.agenda.threshold, required) + "¹."
    }

    /// Rows of the exact-values table: what, exact, rounded.
    func exactRows(_ result: MeetingResult) -> [(label: String, exact: String, display: String)] {
        var rows: [(String, String, String)] = [
            ("Общее число голосов", result.total.exactString, Russian.squareMeters(result.total)),
            ("Голоса участников", result.participating.exactString, Russian.squareMeters(result.participating)),
            ("Порог кворума (доля × общее число)", (result.quorumRequired * result.total).exactString, Russian.squareMeters(result.quorumRequired * result.total)),
        ]
        for item in items {
            guard let itemResult = item.result else { continue }
            for column in VoteColumn.allCases {
                let value = column.amount(in: itemResult)
                rows.append(("Вопрос " + item.agenda.item + ": " + column.title, value.exactString, Russian.squareMeters(value)))
            }
            if let required = item.required {
                rows.append(("Вопрос " + item.agenda.item + ": порог «за» (" + Self.comparison(item.agenda.threshold) + ")",
                             required.exactString, Russian.squareMeters(required)))
            }
        }
        return rows
    }

    /// «54,30» with the exact fraction beside it when rounding changed it: «15,18 (911/60)».
    static func weightText(_ weight: Rational) -> String {
        let rounded = Russian.number(weight.decimalString(places: 2))
        let exactDecimal = weight * Rational(100)
        return exactDecimal.isInteger ? rounded : rounded + " (" + weight.exactString + ")"
    }

    /// The verification paragraph of annex 3.
    var verificationText: String {
        "Журнал Вече — append-only журнал с хеш-цепочкой и деревом Меркла (RFC 9162). Хеш каждой записи, "
            + "указанный в приложении 2, — SHA-256(0x00 ‖ JCS(запись)). Контрольная точка ниже подписана оператором "
            + "журнала и охватывает " + String(input.checkpoint.checkpoint.size) + " записей (с № 0 по № "
            + String(input.checkpoint.checkpoint.size - 1) + "), в том числе все записи этого собрания. "
            + "Выгрузка журнала (veche export) и команда veche verify позволяют любому проверить числа протокола, "
            + "пересчитав их по бюллетеням."
    }
}
