public import VecheLedger

/// The formats a protocol is rendered in (`GET …/protocol?format=`, `veche protocol --format`).
public enum ProtocolFormat: String, Sendable, CaseIterable {
    /// A self-contained HTML document with inline SVG charts, printable on A4.
    case html
    /// Markdown (CommonMark with pipe tables).
    case md
    /// Machine-readable JSON: exact and display values, the close result and the checkpoint.
    case json
    /// One row per agenda item, `;`-separated, UTF-8 with a byte-order mark.
    case csv

    /// The media type to serve it with.
    public var mediaType: String {
        switch self {
        case .html: return "text/html; charset=utf-8"
        case .md: return "text/markdown; charset=utf-8"
        case .json: return "application/json"
        case .csv: return "text/csv; charset=utf-8; header=present"
        }
    }

    /// The usual file name extension.
    public var fileExtension: String {
        switch self {
        case .html: return "html"
        case .md: return "md"
        case .json: return "json"
        case .csv: return "csv"
        }
    }
}

/// Renders the protocol of a meeting (Минстрой order 266/пр layout, in Russian) in each format.
///
/// All formats are built from the same figures, so they show the same numbers; rounding is for
/// display only (half-up to hundredths) and every document also carries the exact values and the
/// checkpoint that lets a reader verify them against the ledger. See `Specs/protocol.md`.
public enum ProtocolRenderer {
    /// The HTML document: well-formed XML syntax, no external references, charts inline.
    public static func html(_ input: ProtocolInput) -> String {
        HTMLProtocol(ProtocolFigures(input)).render()
    }

    /// The Markdown document (no charts; the same sections and numbers as the HTML).
    public static func markdown(_ input: ProtocolInput) -> String {
        MarkdownProtocol(ProtocolFigures(input)).render()
    }

    /// The JSON document: exact strings, display strings, the close result as signed, the checkpoint.
    public static func json(_ input: ProtocolInput) -> JSONValue {
        JSONProtocol.render(ProtocolFigures(input))
    }

    /// The CSV table: a header row, then one row per agenda item with exact and display columns.
    public static func csv(_ input: ProtocolInput) -> String {
        CSVProtocol.render(ProtocolFigures(input))
    }

    /// The document's bytes in `format` (JSON pretty-printed, ending with LF).
    public static func render(_ input: ProtocolInput, as format: ProtocolFormat) -> [UInt8] {
        switch format {
        case .html: return Array(html(input).utf8)
        case .md: return Array(markdown(input).utf8)
        case .json: return Array((CanonicalJSON.prettyPrinted(json(input)) + "\n").utf8)
        case .csv: return Array(csv(input).utf8)
        }
    }
}
