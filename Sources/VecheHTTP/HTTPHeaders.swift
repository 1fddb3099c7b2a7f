/// One header field as it appeared on the wire: the name keeps its spelling, lookups ignore ASCII case.
public struct HTTPHeader: Sendable, Equatable {
    /// The field name, as sent.
    public var name: String
    /// The field value with surrounding spaces and tabs removed.
    public var value: String

    /// Creates a field.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// An ordered list of header fields with case-insensitive lookup; a name may repeat.
///
/// Order is kept because some fields (`Set-Cookie`, `Via`) mean something only in order,
/// and because tests compare what was sent with what arrived.
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    private var fields: [HTTPHeader]

    /// An empty list.
    public init() { fields = [] }

    /// The fields in the given order.
    public init(_ fields: [HTTPHeader]) { self.fields = fields }

    /// The fields in literal order: `["Content-Type": "text/plain"]`.
    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { HTTPHeader(name: $0.0, value: $0.1) }
    }

    /// The first value of `name`, ignoring case; nil when absent.
    public subscript(name: String) -> String? {
        fields.first { Self.namesEqual($0.name, name) }?.value
    }

    /// Every value of `name`, ignoring case, in order.
    public func values(for name: String) -> [String] {
        fields.filter { Self.namesEqual($0.name, name) }.map(\.value)
    }

    /// Whether a field called `name` is present, ignoring case.
    public func contains(_ name: String) -> Bool {
        fields.contains { Self.namesEqual($0.name, name) }
    }

    /// Appends a field, keeping any existing ones of the same name.
    public mutating func add(name: String, value: String) {
        fields.append(HTTPHeader(name: name, value: value))
    }

    /// Replaces every field called `name` by one with `value` (appended when absent).
    public mutating func set(name: String, value: String) {
        if let index = fields.firstIndex(where: { Self.namesEqual($0.name, name) }) {
            fields[index].value = value
            var position = fields.index(after: index)
            while position < fields.endIndex {
                if Self.namesEqual(fields[position].name, name) {
                    fields.remove(at: position)
                } else {
                    position = fields.index(after: position)
                }
            }
        } else {
            add(name: name, value: value)
        }
    }

    /// Removes every field called `name`, ignoring case.
    public mutating func remove(name: String) {
        fields.removeAll { Self.namesEqual($0.name, name) }
    }

    /// The number of fields, counting repeats.
    public var count: Int { fields.count }

    /// Whether there are no fields.
    public var isEmpty: Bool { fields.isEmpty }

    /// Iterates the fields in order.
    public func makeIterator() -> IndexingIterator<[HTTPHeader]> { fields.makeIterator() }

    /// `Name: value` lines, for debugging.
    public var description: String {
        fields.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
    }

    /// Whether `value`'s comma-separated list holds `token`, ignoring case (`Connection: keep-alive, close`).
    func listContains(_ name: String, token: String) -> Bool {
        for value in values(for: name) {
            for element in value.split(separator: ",") {
                let trimmed = element.trimmingHTTPWhitespace()
                if Self.namesEqual(String(trimmed), token) { return true }
            }
        }
        return false
    }

    /// ASCII case-insensitive comparison, without allocating (names are tokens, so ASCII).
    static func namesEqual(_ left: String, _ right: String) -> Bool {
        var a = left.utf8.makeIterator()
        var b = right.utf8.makeIterator()
        while true {
            switch (a.next(), b.next()) {
            case (nil, nil):
                return true
            case let (x?, y?):
                if x != y, asciiLower(x) != asciiLower(y) { return false }
            default:
                return false
            }
        }
    }

    @inline(__always)
    static func asciiLower(_ byte: UInt8) -> UInt8 {
        (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
    }
}

extension Substring {
    /// Drops leading and trailing spaces and horizontal tabs (HTTP's OWS), nothing else.
    func trimmingHTTPWhitespace() -> Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return text
    }
}
