import VecheCore

/// Turns exact amounts into chart coordinates with integer arithmetic only.
///
/// A coordinate is a whole number of tenths of a viewBox unit, rounded half-up from the exact
/// fraction, so the same ledger always draws the same picture and no floating point is involved.
enum ChartScale {
    /// round_half_up(part / whole × scale), clamped to 0…scale; 0 when whole is 0.
    static func scaled(_ part: Rational, of whole: Rational, scale: Int) -> Int {
        guard !whole.isZero, !part.isNegative, !part.isZero else { return 0 }
        let value = part * Rational(scale) / whole
        var (quotient, remainder) = value.numerator.quotientAndRemainder(dividingBy: value.denominator)
        if remainder + remainder >= value.denominator { quotient += .one }
        guard let small = quotient.int64Value, small < Int64(scale) else { return scale }
        return Int(small)
    }

    /// Tenths as a fixed one-decimal coordinate: 6667 → `"666.7"`.
    static func coordinate(_ tenths: Int) -> String {
        String(tenths / 10) + "." + String(tenths % 10)
    }
}

/// The inline SVG charts of the HTML protocol (hand-written; scaled by viewBox, so they fit a phone).
///
/// Colours differ in lightness and the against / abstain / invalid / blank parts carry hatch,
/// dot and line patterns, so a greyscale print still tells them apart; the legend repeats each
/// part's percentage in text, and `<title>`/`<desc>` state the numbers for screen readers.
enum Charts {
    /// viewBox width; the bar runs from `left` to `left + width`.
    static let viewWidth = 1000
    static let left = 20
    static let width = 960

    /// x of a share of the bar, in tenths.
    static func x(_ part: Rational, of whole: Rational) -> Int {
        left * 10 + ChartScale.scaled(part, of: whole, scale: width * 10)
    }

    static let forColour = "#1e5631"
    static let restColour = "#e6e6e6"
    static let turnoutColour = "#1e4e79"

    /// Turnout against the quorum line: a bar of all votes, the participating part filled.
    static func turnout(_ figures: ProtocolFigures, result: MeetingResult, id: String) -> Markup {
        let total = result.total
        let quorumX = x(result.quorumRequired * total, of: total)
        let participatingX = x(result.participating, of: total)
        let participating = Russian.squareMeters(result.participating) + " (" + Russian.percent(result.participating, of: total) + ")"
        let quorumRule = Russian.quorumRule(rules: result.rules, share: result.quorumRequired)
        let title = "Явка и кворум"
        let description = "Приняли участие " + participating + " из " + Russian.squareMeters(total)
            + " — общего числа голосов. Кворум: " + quorumRule + ", то есть более "
            + Russian.squareMeters(result.quorumRequired * total) + "; " + Russian.quorumVerdict(result.quorumReached) + "."
        var svg = Markup()
        svg.element(
            "svg",
            ["viewBox": "0 0 \(viewWidth) 185", "role": "img", "aria-labelledby": id + "-title " + id + "-desc", "class": "chart"]
        ) { svg in
            svg.element("title", ["id": id + "-title"], text: title)
            svg.element("desc", ["id": id + "-desc"], text: description)
            let y = "44", height = "50"
            svg.empty("rect", ["x": String(left), "y": y, "width": String(width), "height": height, "fill": restColour, "stroke": "#000", "stroke-width": "1"])
            if participatingX > left * 10 {
                svg.empty("rect", [
                    "x": String(left), "y": y, "width": ChartScale.coordinate(participatingX - left * 10), "height": height,
                    "fill": turnoutColour, "stroke": "#000", "stroke-width": "1",
                ])
            }
            marker(&svg, at: quorumX, label: result.rules == .ruZhk2024 ? "кворум: более 50 %" : "кворум: более " + Russian.sharePercent(result.quorumRequired))
            svg.element("text", ["x": String(left), "y": "128", "font-size": "26"], text: "0 %")
            svg.element("text", ["x": String(left + width), "y": "128", "font-size": "26", "text-anchor": "end"], text: "100 % голосов")
            svg.element("text", ["x": String(left), "y": "172", "font-size": "32", "font-weight": "bold"], text: "участвовали: " + participating)
        }
        return svg
    }

    /// One item: a stacked bar over the base its threshold uses, with the threshold marked.
    static func item(_ item: ProtocolFigures.Item, result: MeetingResult, id: String) -> Markup {
        guard let itemResult = item.result, let base = item.baseValue else { return Markup() }
        let threshold = item.agenda.threshold
        var parts: [(key: String, label: String, amount: Rational, fill: String)] = [
            ("for", "за", itemResult.for, forColour),
            ("against", "против", itemResult.against, "url(#\(id)-against)"),
            ("abstain", "воздержались", itemResult.abstain, "url(#\(id)-abstain)"),
            ("invalid", "недейств.", itemResult.invalid, "url(#\(id)-invalid)"),
            ("blank", "без отметки", itemResult.blank, "url(#\(id)-blank)"),
        ]
        if item.base == .total {
            parts.append(("absent", "не участвовали", result.total - result.participating, restColour))
        }
        let thresholdShare: Rational =
            switch threshold {
            case .participantsMajority, .allMajority: Rational(BigInt(1), BigInt(2))
            case .allTwoThirds: Rational(BigInt(2), BigInt(3))
            case .allUnanimous: .one
            }
        let thresholdX = left * 10 + ChartScale.scaled(thresholdShare, of: .one, scale: width * 10)

        let shares = parts.map { $0.label + " " + Russian.percent($0.amount, of: base) }.joined(separator: ", ")
        let title = "Вопрос " + item.agenda.item + ": голоса и порог"
        var description = "Вопрос " + item.agenda.item + ": " + shares + " " + ProtocolFigures.baseWords(item.base)
            + " (" + Russian.squareMeters(base) + "). " + Russian.thresholdMark(threshold).capitalisedFirst
        if let required = item.required {
            description += " (" + ProtocolFigures.requirement(threshold, required) + ")"
        }
        description += ". " + item.decisionText + "."

        var svg = Markup()
        svg.element(
            "svg",
            ["viewBox": "0 0 \(viewWidth) 270", "role": "img", "aria-labelledby": id + "-title " + id + "-desc", "class": "chart"]
        ) { svg in
            svg.element("title", ["id": id + "-title"], text: title)
            svg.element("desc", ["id": id + "-desc"], text: description)
            patterns(&svg, id: id)
            let y = "44", height = "50"
            svg.empty("rect", ["x": String(left), "y": y, "width": String(width), "height": height, "fill": "#ffffff", "stroke": "#000", "stroke-width": "1"])
            // Cumulative boundaries, each rounded once, so the parts tile the bar without gaps.
            var cumulative = Rational.zero
            var start = left * 10
            for part in parts {
                cumulative += part.amount
                let end = x(cumulative, of: base)
                if end > start {
                    svg.empty("rect", [
                        "x": ChartScale.coordinate(start), "y": y, "width": ChartScale.coordinate(end - start), "height": height,
                        "fill": part.fill, "stroke": "#000", "stroke-width": "1",
                    ])
                }
                start = max(start, end)
            }
            marker(&svg, at: thresholdX, label: Russian.thresholdMark(threshold))
            for (index, part) in parts.enumerated() {
                let column = index % 2, row = index / 2
                let swatchX = left + column * 480, swatchY = 120 + row * 50
                svg.empty("rect", ["x": String(swatchX), "y": String(swatchY), "width": "34", "height": "34", "fill": part.fill, "stroke": "#000", "stroke-width": "1"])
                svg.element("text", ["x": String(swatchX + 46), "y": String(swatchY + 28), "font-size": "30"],
                            text: part.label + " " + Russian.percent(part.amount, of: base))
            }
        }
        return svg
    }

    /// A vertical line across the bar at `x` tenths with a label above it; white under black so it
    /// shows on dark and light parts alike.
    private static func marker(_ svg: inout Markup, at x: Int, label: String) {
        let position = ChartScale.coordinate(x)
        svg.empty("line", ["x1": position, "y1": "34", "x2": position, "y2": "104", "stroke": "#ffffff", "stroke-width": "8"])
        svg.empty("line", ["x1": position, "y1": "34", "x2": position, "y2": "104", "stroke": "#000", "stroke-width": "4", "stroke-dasharray": "10 5"])
        let anchor = x < (left + 150) * 10 ? "start" : x > (left + width - 150) * 10 ? "end" : "middle"
        svg.element("text", ["x": position, "y": "28", "font-size": "28", "text-anchor": anchor], text: label)
    }

    private static func patterns(_ svg: inout Markup, id: String) {
        svg.element("defs") { defs in
            defs.element("pattern", ["id": id + "-against", "width": "12", "height": "12", "patternUnits": "userSpaceOnUse", "patternTransform": "rotate(45)"]) { p in
                p.empty("rect", ["width": "12", "height": "12", "fill": "#f4d3cf"])
                p.empty("rect", ["width": "5", "height": "12", "fill": "#a1251b"])
            }
            defs.element("pattern", ["id": id + "-abstain", "width": "12", "height": "12", "patternUnits": "userSpaceOnUse"]) { p in
                p.empty("rect", ["width": "12", "height": "12", "fill": "#f2d98a"])
                p.empty("circle", ["cx": "6", "cy": "6", "r": "2.5", "fill": "#5f4900"])
            }
            defs.element("pattern", ["id": id + "-invalid", "width": "12", "height": "12", "patternUnits": "userSpaceOnUse", "patternTransform": "rotate(45)"]) { p in
                p.empty("rect", ["width": "12", "height": "12", "fill": "#ffffff"])
                p.empty("rect", ["width": "3", "height": "12", "fill": "#5b2a86"])
                p.empty("rect", ["width": "12", "height": "3", "fill": "#5b2a86"])
            }
            defs.element("pattern", ["id": id + "-blank", "width": "10", "height": "10", "patternUnits": "userSpaceOnUse"]) { p in
                p.empty("rect", ["width": "10", "height": "10", "fill": "#ffffff"])
                p.empty("rect", ["width": "2", "height": "10", "fill": "#9e9e9e"])
            }
        }
    }
}

extension String {
    /// The string with its first character upper-cased («порог: …» → «Порог: …»).
    var capitalisedFirst: String {
        guard let first else { return self }
        return first.uppercased() + dropFirst()
    }
}
