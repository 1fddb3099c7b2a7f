import VecheLedger

/// Checks JSON values against the JSON Schema (2020-12) subset `Specs/openapi.yaml` uses,
/// resolving local `$ref`s in the whole document. Unknown keywords are reported, so the spec
/// cannot say something this validator silently ignores.
final class SchemaValidator {
    let document: JSONValue
    /// Compiled patterns: compiling a Regex costs far more than matching one.
    private var regexes: [String: Regex<AnyRegexOutput>] = [:]

    init(document: JSONValue) {
        self.document = document
    }

    static let annotations: Set<String> = ["description", "default", "format", "title", "example", "examples", "summary"]
    static let keywords: Set<String> = [
        "$ref", "type", "enum", "const", "properties", "required", "additionalProperties", "propertyNames", "maxProperties",
        "items", "minItems", "maxItems", "uniqueItems", "minLength", "maxLength", "pattern", "minimum", "maximum", "oneOf",
    ]

    /// The value at a local reference `#/a/b`.
    func resolve(_ reference: String) -> JSONValue? {
        guard reference.hasPrefix("#/") else { return nil }
        var node: JSONValue? = document
        for token in reference.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false) {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            node = node?[key]
        }
        return node
    }

    /// Every way `value` breaks `schema`, as `path: reason` lines (empty when it conforms).
    func errors(_ value: JSONValue, _ schema: JSONValue, at path: String = "") -> [String] {
        guard case .object(let rules) = schema else { return ["\(path): schema is not an object"] }
        var errors: [String] = []
        for key in rules.keys where !Self.keywords.contains(key) && !Self.annotations.contains(key) {
            errors.append("\(path): unsupported schema keyword '\(key)'")
        }
        if let reference = rules["$ref"]?.stringValue {
            guard let target = resolve(reference) else { return ["\(path): unresolved $ref \(reference)"] }
            errors += self.errors(value, target, at: path)
        }
        if let type = rules["type"] {
            let allowed = type.arrayValue?.compactMap(\.stringValue) ?? [type.stringValue ?? ""]
            guard allowed.contains(where: { Self.matches(value, type: $0) }) else {
                return errors + ["\(path): \(Self.describe(value)) is not of type \(allowed.joined(separator: "|"))"]
            }
        }
        if let options = rules["enum"]?.arrayValue, !options.contains(value) {
            errors.append("\(path): \(Self.describe(value)) is not one of the enum")
        }
        if let constant = rules["const"], constant != value {
            errors.append("\(path): \(Self.describe(value)) is not \(Self.describe(constant))")
        }
        if let options = rules["oneOf"]?.arrayValue {
            let matching = options.filter { self.errors(value, $0, at: path).isEmpty }.count
            if matching != 1 {
                errors.append("\(path): matches \(matching) of the oneOf schemas, not exactly one")
            }
        }
        switch value {
        case .object(let members):
            for name in rules["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[name] == nil {
                errors.append("\(path): '\(name)' is required")
            }
            let properties = rules["properties"]?.objectValue ?? [:]
            for (name, member) in members {
                let memberPath = "\(path)/\(name)"
                if let names = rules["propertyNames"] { errors += self.errors(.string(name), names, at: memberPath) }
                if let property = properties[name] {
                    errors += self.errors(member, property, at: memberPath)
                } else if let additional = rules["additionalProperties"] {
                    if additional == .bool(false) {
                        errors.append("\(memberPath): not allowed")
                    } else if case .object = additional {
                        errors += self.errors(member, additional, at: memberPath)
                    }
                }
            }
            if let maximum = rules["maxProperties"]?.integerValue, members.count > maximum {
                errors.append("\(path): more than \(maximum) members")
            }
        case .array(let elements):
            if let minimum = rules["minItems"]?.integerValue, elements.count < minimum { errors.append("\(path): fewer than \(minimum) items") }
            if let maximum = rules["maxItems"]?.integerValue, elements.count > maximum { errors.append("\(path): more than \(maximum) items") }
            if rules["uniqueItems"] == .bool(true), Set(elements).count != elements.count { errors.append("\(path): items repeat") }
            if let items = rules["items"] {
                for (index, element) in elements.enumerated() { errors += self.errors(element, items, at: "\(path)/\(index)") }
            }
        case .string(let text):
            let length = text.unicodeScalars.count
            if let minimum = rules["minLength"]?.integerValue, length < minimum { errors.append("\(path): shorter than \(minimum)") }
            if let maximum = rules["maxLength"]?.integerValue, length > maximum { errors.append("\(path): longer than \(maximum)") }
            if let pattern = rules["pattern"]?.stringValue {
                do {
                    let regex = try regexes[pattern] ?? Regex(Self.swiftPattern(pattern))
                    regexes[pattern] = regex
                    if !text.contains(regex) { errors.append("\(path): \(Self.describe(value)) does not match \(pattern)") }
                } catch {
                    errors.append("\(path): pattern \(pattern) does not compile: \(error)")
                }
            }
        case .integer(let number):
            if let minimum = rules["minimum"]?.integerValue, number < minimum { errors.append("\(path): \(number) < \(minimum)") }
            if let maximum = rules["maximum"]?.integerValue, number > maximum { errors.append("\(path): \(number) > \(maximum)") }
        default:
            break
        }
        return errors
    }

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null): true
        case ("integer", .integer), ("number", .integer): true
        default: false
        }
    }

    /// ECMA-262 escapes Swift's regex syntax spells differently: `\uXXXX` and `\xHH`.
    static func swiftPattern(_ pattern: String) -> String {
        var out = ""
        var characters = Array(pattern)[...]
        while let character = characters.popFirst() {
            if character == "\\", let next = characters.first, next == "u" || next == "x" {
                let digits = next == "u" ? 4 : 2
                let hex = characters.dropFirst().prefix(digits)
                if hex.count == digits, hex.allSatisfy(\.isHexDigit) {
                    out += "\\x{\(String(hex))}"
                    characters = characters.dropFirst(1 + digits)
                    continue
                }
            }
            out.append(character)
            if character == "\\", let next = characters.popFirst() { out.append(next) }
        }
        return out
    }

    static func describe(_ value: JSONValue) -> String {
        let text = String(decoding: CanonicalJSON.serialize(value), as: UTF8.self)
        return text.count > 120 ? String(text.prefix(117)) + "…" : text
    }
}
