public import VecheCore

/// The Russian words and number forms of the protocol, in one place so every format says the same.
public enum Russian {
    /// U+00A0, between digit groups and before units, so `7 046,05 м²` never breaks across lines.
    static let nbsp = "\u{00A0}"

    // MARK: - Numbers

    /// `"7046.05"` → `"7 046,05"`: digit groups of three joined by a no-break space, decimal comma.
    public static func number(_ decimal: String) -> String {
        var whole = Substring(decimal)
        var fraction = Substring("")
        if let dot = decimal.firstIndex(of: ".") {
            whole = decimal[..<dot]
            fraction = decimal[decimal.index(after: dot)...]
        }
        var negative = false
        if whole.first == "-" {
            negative = true
            whole = whole.dropFirst()
        }
        var groups: [Substring] = []
        while whole.count > 3 {
            groups.insert(whole.suffix(3), at: 0)
            whole = whole.dropLast(3)
        }
        groups.insert(whole, at: 0)
        return (negative ? "-" : "") + groups.joined(separator: nbsp) + (fraction.isEmpty ? "" : "," + fraction)
    }

    /// `"7046.05"` → `"7046,05"`: the decimal comma only, as a spreadsheet cell parses it.
    static func plainNumber(_ decimal: String) -> String {
        String(decimal.map { $0 == "." ? "," : $0 })
    }

    /// `7 046,05 м²`, rounded half-up to hundredths for display.
    public static func squareMeters(_ value: Rational) -> String { number(value.decimalString(places: 2)) + nbsp + "м²" }

    /// `74,05 %` of `base`, rounded half-up to hundredths (0 when the base is 0).
    public static func percent(_ value: Rational, of base: Rational) -> String { number(value.percentString(of: base)) + nbsp + "%" }

    /// A share as a percentage: 1/2 → `50 %`, 2/3 → `66,67 %` (trailing zeros dropped).
    static func sharePercent(_ share: Rational) -> String {
        var text = share.percentString(of: .one)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return number(text) + nbsp + "%"
    }

    // MARK: - Dates

    /// `26.11.2026`, the UTC calendar date (the ledger's clock is UTC).
    static func date(_ time: Timestamp) -> String {
        let text = Array(time.ledgerString)  // YYYY-MM-DDTHH:MM:SS.mmmZ
        return String(text[8..<10]) + "." + String(text[5..<7]) + "." + String(text[0..<4])
    }

    /// `26.11.2026 21:00 UTC`, with seconds (and milliseconds) when the instant has them.
    static func dateTime(_ time: Timestamp) -> String {
        let text = Array(time.ledgerString)
        var clock = String(text[11..<16])
        let seconds = String(text[17..<19])
        let milliseconds = String(text[20..<23])
        if seconds != "00" || milliseconds != "000" { clock += ":" + seconds }
        if milliseconds != "000" { clock += "," + milliseconds }
        return date(time) + " " + clock + " UTC"
    }

    // MARK: - Words

    static func form(_ form: MeetingForm) -> String {
        switch form {
        case .electronic: return "заочное голосование с использованием информационной системы (ст. 47.1 ЖК РФ)"
        case .absentee: return "заочное голосование (опросным путём)"
        case .mixed: return "очно-заочное голосование"
        case .inPerson: return "очное голосование"
        }
    }

    static func premisesKind(_ kind: PremisesKind) -> String {
        switch kind {
        case .residential: return "жилое"
        case .nonResidential: return "нежилое"
        }
    }

    static func revote(_ policy: RevotePolicy) -> String {
        switch policy {
        case .forbidden: return "повторное голосование не допускается: учитывается первое решение собственника"
        case .lastCounts: return "повторное голосование допускается: учитывается последнее решение собственника"
        }
    }

    static func rules(_ rules: RuleSet) -> String {
        switch rules {
        case .ruZhk2024: return "ЖК РФ (ст. 44–48, ред. с 01.09.2024), правила ru-zhk-2024"
        case .generic: return "правила опроса generic (не ЖК РФ)"
        }
    }

    static func ballotKind(_ kind: ProtocolInput.BallotKind) -> String {
        switch kind {
        case .electronic: return "электронный"
        case .proxy: return "по доверенности"
        case .paper: return "бумажный"
        }
    }

    static func ballotStatus(_ ballot: ProtocolInput.BallotRecord) -> String {
        if ballot.effectiveStakes == 0 { return "не учтён (заменён другим решением)" }
        if ballot.effectiveStakes < ballot.stakes { return "учтён частично (\(ballot.effectiveStakes) из \(ballot.stakes) долей)" }
        return "учтён"
    }

    /// The threshold as the protocol states it (ЖК РФ ст. 46 ч.1 wording).
    static func threshold(_ threshold: Threshold) -> String {
        switch threshold {
        case .participantsMajority: return "более половины голосов собственников, принявших участие в собрании"
        case .allMajority: return "более половины голосов от общего числа голосов собственников"
        case .allTwoThirds: return "не менее двух третей голосов от общего числа голосов собственников"
        case .allUnanimous: return "все голоса собственников помещений (100 % от общего числа голосов)"
        }
    }

    /// The short form under a chart's threshold line.
    static func thresholdMark(_ threshold: Threshold) -> String {
        switch threshold {
        case .participantsMajority: return "порог: более 1/2 голосов участников"
        case .allMajority: return "порог: более 1/2 всех голосов"
        case .allTwoThirds: return "порог: не менее 2/3 всех голосов"
        case .allUnanimous: return "порог: 100 % всех голосов"
        }
    }

    /// The legal basis of a threshold when the agenda item states none.
    static func defaultBasis(_ threshold: Threshold, rules: RuleSet) -> String {
        guard rules == .ruZhk2024 else { return "условия опроса (правила generic)" }
        switch threshold {
        case .participantsMajority, .allMajority, .allTwoThirds: return "ч. 1 ст. 46 ЖК РФ"
        case .allUnanimous: return "ч. 3 ст. 36, ч. 2 ст. 40 ЖК РФ"
        }
    }

    /// The quorum rule: «более 50 % …» or the generic share.
    static func quorumRule(rules: RuleSet, share: Rational) -> String {
        switch rules {
        case .ruZhk2024:
            return "более 50" + nbsp + "% голосов от общего числа голосов собственников (ч. 3 ст. 45 ЖК РФ)"
        case .generic:
            if share.isZero { return "участие хотя бы одного собственника (условия опроса: доля 0)" }
            return "более " + share.exactString + " (" + sharePercent(share) + ") голосов от общего числа голосов собственников (условия опроса)"
        }
    }

    static func quorumVerdict(_ reached: Bool) -> String { reached ? "кворум имеется" : "кворум отсутствует" }
}
