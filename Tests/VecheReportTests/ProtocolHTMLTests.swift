import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import VecheCore
import VecheLedger
@testable import VecheReport
import VecheTestSupport

@Suite struct ProtocolHTMLTests {
    @Test func htmlIsWellFormedSelfContainedAndPrintable() throws {
        let input = try standardScenario().input()
        let html = ProtocolRenderer.html(input)
        let parsed = try #require(parseXML(html))
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"ru\">"))
        #expect(parsed.elements.first == "html")
        #expect(parsed.elements.contains("head") && parsed.elements.contains("body"))
        // Nothing external: no URL scheme, no protocol-relative reference, no script, no import.
        #expect(!html.contains("http://") && !html.contains("https://"))
        #expect(!html.lowercased().contains("<script") && !html.contains("@import"))
        for attribute in parsed.attributes {
            #expect(!attribute.value.hasPrefix("//"), "\(attribute.element) \(attribute.name)=\(attribute.value)")
            #expect(!["src", "href", "xlink:href", "action", "srcset"].contains(attribute.name), "\(attribute.element) \(attribute.name)")
        }
        // Every url( points into the document (an SVG pattern).
        var rest = html[...]
        var references = 0
        while let range = rest.range(of: "url(") {
            references += 1
            #expect(rest[range.upperBound...].hasPrefix("#"), "url( with an external target")
            rest = rest[range.upperBound...]
        }
        #expect(references > 0)
        #expect(html.contains("@page { size: A4;"))
        #expect(html.contains("@media print"))
        #expect(html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>"))
        // The checkpoint note is carried verbatim.
        #expect(html.contains(Markup.escape(input.checkpoint.text)))
        #expect(input.checkpoint.text.hasPrefix("vote.example.ru/16\n"))
    }

    @Test func chartsAreInlineSVGWithTextAlternatives() throws {
        let input = try standardScenario().input()
        let html = ProtocolRenderer.html(input)
        let parsed = try #require(parseXML(html))
        // The turnout chart and one per item, each an image with a title and a description.
        #expect(parsed.svgRoles == Array(repeating: "img", count: 5))
        #expect(parsed.svgTitles == ["Явка и кворум", "Вопрос 1: голоса и порог", "Вопрос 2: голоса и порог", "Вопрос 3: голоса и порог", "Вопрос 4: голоса и порог"])
        #expect(parsed.svgDescriptions.count == 5)
        #expect(parsed.svgDescriptions[0].contains("Приняли участие 225,18\u{00A0}м² (88,12\u{00A0}%) из 255,55\u{00A0}м²"))
        #expect(parsed.svgDescriptions[0].contains("кворум имеется"))
        #expect(parsed.svgDescriptions[1].contains("за 66,61\u{00A0}%") && parsed.svgDescriptions[1].contains("Решение принято."))
        #expect(parsed.svgDescriptions[3].contains("не менее 170,37\u{00A0}м²"))
        #expect(parsed.elements.filter { $0 == "pattern" }.count == 16, "hatch patterns for greyscale print")
        let viewBoxes = parsed.attributes.filter { $0.element == "svg" && $0.name == "viewBox" }.map(\.value)
        #expect(viewBoxes == ["0 0 1000 185"] + Array(repeating: "0 0 1000 270", count: 4))
        // Known coordinates: 13511/60 of 5111/20 over 960 units is 845.924… → 845.9 (half-up tenths);
        // the quorum line at the middle of the bar; the 2/3 line at 20 + 640.
        #expect(html.contains("width=\"845.9\" height=\"50\" fill=\"#1e4e79\""))
        #expect(html.contains("<line x1=\"500.0\""))
        #expect(html.contains("<line x1=\"660.0\""))
        #expect(html.contains("<line x1=\"980.0\""))
        // Every coordinate is an integer or a one-decimal fixed number.
        for attribute in parsed.attributes where ["x", "y", "width", "height", "x1", "x2", "y1", "y2"].contains(attribute.name) {
            #expect(attribute.value.range(of: #"^\d+(\.\d)?$"#, options: .regularExpression) != nil, "\(attribute.name)=\(attribute.value)")
        }
    }

    @Test func stackedBarPartsTileTheBarExactly() throws {
        // Item 2: for 3911/60, invalid 100, blank 60, absent 5111/20 − 13511/60 over all 5111/20 votes.
        let input = try standardScenario().input()
        let result = try #require(input.result)
        let figures = ProtocolFigures(input)
        let svg = Charts.item(figures.items[1], result: result, id: "t").xml
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = XMLCollector()
        parser.delegate = collector
        #expect(parser.parse())
        let rects = collector.elementAttributes.compactMap { element -> (x: String, width: String)? in
            guard element.element == "rect", element.attributes["y"] == "44", let x = element.attributes["x"],
                  let width = element.attributes["width"] else { return nil }
            return (x, width)
        }
        // The background, then for / invalid / blank / absent, each starting where the previous ended.
        func tenths(_ text: String) -> Int { Int(text.replacingOccurrences(of: ".", with: ""))! * (text.contains(".") ? 1 : 10) }
        let parts = rects.dropFirst()
        #expect(parts.count == 4)
        var position = 200
        for part in parts {
            #expect(tenths(part.x) == position)
            position += tenths(part.width)
        }
        #expect(position == 9800)
    }

    @Test func styleSheetNeedsNoEscaping() {
        #expect(Markup.escape(HTMLProtocol.style) == HTMLProtocol.style)
    }

    @Test func hostileTextIsEscapedInEveryFormat() throws {
        let hostile = "<script>alert(1)</script>&amp;\"'; =cmd|x ]]> <!-- -->"
        let scenario = try standardScenario(
            title: hostile, itemTitles: ["1": hostile], proposal: "Строка 1\n<b>жирный</b> & \"кавычки\"\n- не список\n# не заголовок",
            initiator: "Инициатор <i>&</i> '1'")
        let input = try scenario.input()

        let html = ProtocolRenderer.html(input)
        let parsed = try #require(parseXML(html))
        #expect(!html.contains("<script") && !html.contains("<b>") && !html.contains("<i>") && !html.contains("<!--"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp;&quot;&#39;; =cmd|x ]]&gt; &lt;!-- --&gt;"))
        #expect(html.contains("Инициатор &lt;i&gt;&amp;&lt;/i&gt; &#39;1&#39;"))
        #expect(!parsed.elements.contains("script") && !parsed.elements.contains("b") && !parsed.elements.contains("i"))
        // The SVG description quotes the item title through the same escaping.
        #expect(parsed.svgTitles.count == 5)

        let markdown = ProtocolRenderer.markdown(input)
        // Every «<», «&», «[», «|» from the text is backslash-escaped, so no renderer sees markup.
        let scalars = Array(markdown.unicodeScalars)
        for (index, scalar) in scalars.enumerated() where ["<", "&", "["].contains(scalar) {
            #expect(index > 0 && scalars[index - 1] == "\\", "unescaped \(scalar) at \(index)")
        }
        #expect(markdown.contains("\\<script\\>alert(1)\\</script\\>\\&amp;\"'; =cmd\\|x \\]\\]\\> \\<\\!-- --\\>"))
        #expect(markdown.contains("> \\- не список"))
        #expect(markdown.contains("> \\# не заголовок"))

        let json = try parseJSON(input)
        #expect(json["meeting"]?["title"]?.stringValue == hostile)
        #expect(json["items"]?[0]?["title"]?.stringValue == hostile)

        let records = csvRecords(input)
        #expect(records.count == 4)
        #expect(records[0]["title"] == hostile, "quoted, the separator and quotes survive")
        #expect(records[1]["title"] == "Вопрос 2")
        let csv = ProtocolRenderer.csv(input)
        #expect(csv.hasPrefix("\u{FEFF}meeting;status;"))
        #expect(csv.hasSuffix("\r\n"))
    }

    @Test func csvCellsThatLookLikeFormulasAreDefused() throws {
        let input = try standardScenario(itemTitles: ["1": "=HYPERLINK(\"x\")", "2": "+1", "3": "@SUM(1)", "4": "-2"]).input()
        let records = csvRecords(input)
        #expect(records.map { $0["title"] } == ["'=HYPERLINK(\"x\")", "'+1", "'@SUM(1)", "'-2"])
        // JSON and HTML keep the text as written.
        #expect(try parseJSON(input)["items"]?[0]?["title"]?.stringValue == "=HYPERLINK(\"x\")")
    }

    @Test func namesAppearOnlyWhenGiven() throws {
        let scenario = try standardScenario()
        let name = "Иванов Иван Иванович"
        let without = try scenario.input()
        let with = try scenario.input(names: ["A": name, "municipality": "Администрация района <МКУ>"])
        for format in ProtocolFormat.allCases {
            let text = String(decoding: ProtocolRenderer.render(without, as: format), as: UTF8.self)
            #expect(!text.contains("Иванов"), "\(format) without names")
        }
        let html = ProtocolRenderer.html(with)
        #expect(html.contains("A (" + name + ")"))
        #expect(html.contains("municipality (Администрация района &lt;МКУ&gt;)"))
        #expect(ProtocolRenderer.markdown(with).contains("A (" + name + ")"))
        let json = try parseJSON(with)
        #expect(json["names_included"] == .bool(true))
        #expect(json["register"]?[0]?["holders"]?[0]?["name"]?.stringValue == name)
        #expect(json["ballots"]?[1]?["owner"]?["name"]?.stringValue == name)
        #expect(try parseJSON(without)["register"]?[0]?["holders"]?[0]?["name"] == nil)
        #expect(ProtocolRenderer.csv(with) == ProtocolRenderer.csv(without), "the CSV has no owners")
    }

    @Test func renderIsDeterministic() throws {
        let scenario = try standardScenario()
        for format in ProtocolFormat.allCases {
            #expect(ProtocolRenderer.render(try scenario.input(), as: format) == ProtocolRenderer.render(try scenario.input(), as: format))
        }
    }
}

extension JSONValue {
    /// Array element access for tests.
    subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }
}
