public import Foundation

/// A JSON value returned by the browser (`Runtime.evaluate` with `returnByValue`).
///
/// Numbers are `Double` because that is what JavaScript has; this type belongs to test
/// support and never touches counting.
public enum JSValue: Sendable, Equatable, Decodable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSValue])
    case object([String: JSValue])

    /// Decodes any JSON value.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSValue].self))
        }
    }

    /// Parses JSON text (fragments allowed).
    public init(json: Data) throws {
        self = try JSONDecoder().decode(JSValue.self, from: json)
    }

    /// A member of an object, or `.null`.
    public subscript(key: String) -> JSValue {
        if case .object(let members) = self { return members[key] ?? .null }
        return .null
    }

    /// An element of an array, or `.null`.
    public subscript(index: Int) -> JSValue {
        if case .array(let elements) = self, elements.indices.contains(index) { return elements[index] }
        return .null
    }

    /// The string, if this is one.
    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The boolean, if this is one.
    public var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The number as an integer, if it is a whole number.
    public var int: Int? {
        if case .number(let value) = self, value.rounded() == value, abs(value) < 9.1e15 { return Int(value) }
        return nil
    }

    /// The elements, if this is an array.
    public var array: [JSValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// Whether this is `null` (or absent).
    public var isNull: Bool { self == .null }

    /// Compact JSON-like text for failure messages.
    public var description: String {
        switch self {
        case .null: "null"
        case .bool(let value): String(value)
        case .number(let value): value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
        case .string(let value): "\"\(value)\""
        case .array(let values): "[" + values.map(\.description).joined(separator: ",") + "]"
        case .object(let members):
            "{" + members.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value.description)" }.joined(separator: ",") + "}"
        }
    }
}
