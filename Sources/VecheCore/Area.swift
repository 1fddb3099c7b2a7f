/// Decimal areas in m², as the register carries them: `"120"`, `"54.3"`, `"54.30"`.
public enum Area {
    /// The longest area text accepted, in characters (a 12-digit whole part and 2 decimals fit).
    public static let maxLength = 15

    /// Parses an area: 0–2 fraction digits, > 0, no leading zeros except `"0.5"`, no sign,
    /// no exponent, at most `maxLength` characters. The value is exact (`"54.30"` is 543/10).
    public static func parse(_ text: String, at path: [PathComponent] = [.key("area")]) throws(DomainError) -> Rational {
        let field = DomainError.fieldName(path, default: "area")
        func refuse(_ reason: String) -> DomainError {
            DomainError(.malformed, at: path, "\(field) \(DomainError.quote(text)) \(reason)")
        }
        let bytes = Substring(text).utf8
        guard !bytes.isEmpty else { throw refuse("is empty") }
        guard bytes.count <= maxLength else { throw refuse("is longer than \(maxLength) characters") }
        let dot = bytes.firstIndex(of: UInt8(ascii: "."))
        let whole = dot.map { bytes[..<$0] } ?? bytes[...]
        guard Grammar.isCanonicalNatural(whole), let wholeValue = Grammar.smallNatural(whole) else {
            throw refuse("must be a decimal number of m² like \"54.3\" (digits, no sign, no leading zeros)")
        }
        var hundredths = wholeValue * 100
        if let dot {
            let fraction = bytes[bytes.index(after: dot)...]
            guard (1...2).contains(fraction.count), fraction.allSatisfy(Grammar.isDigit),
                  let fractionValue = Grammar.smallNatural(fraction) else {
                throw refuse("must have 1 or 2 digits after the point")
            }
            hundredths += fraction.count == 1 ? fractionValue * 10 : fractionValue
        }
        guard hundredths > 0 else { throw refuse("must be greater than 0") }
        return Rational(BigInt(hundredths), BigInt(100))
    }
}

/// Ownership shares: `"p/q"` in lowest terms with 0 < p < q, or `"1"`.
public enum Share {
    /// The most digits in a share's numerator or denominator.
    public static let maxDigits = 18

    /// Parses a stake's share. `"1/1"`, `"2/4"`, `"0/3"`, `"3/2"`, `"01/2"`, `" 1/2"` are refused,
    /// so each share has exactly one spelling.
    public static func parse(_ text: String, at path: [PathComponent] = [.key("share")]) throws(DomainError) -> Rational {
        try parse(text, at: path, allowZero: false)
    }

    /// Parses a meeting's `quorum`: a share, or `"0"` (any participation at all is then a quorum).
    public static func parseQuorum(_ text: String, at path: [PathComponent] = [.key("quorum")]) throws(DomainError) -> Rational {
        try parse(text, at: path, allowZero: true)
    }

    static func parse(_ text: String, at path: [PathComponent], allowZero: Bool) throws(DomainError) -> Rational {
        let field = DomainError.fieldName(path, default: "share")
        func refuse(_ reason: String) -> DomainError {
            DomainError(.malformed, at: path, "\(field) \(DomainError.quote(text)) \(reason)")
        }
        let bytes = Substring(text).utf8
        if text == "1" { return .one }
        if allowZero && text == "0" { return .zero }
        let grammar = allowZero ? "\"p/q\" in lowest terms with 0 < p < q, \"1\" or \"0\"" : "\"p/q\" in lowest terms with 0 < p < q, or \"1\""
        guard let slash = bytes.firstIndex(of: UInt8(ascii: "/")) else { throw refuse("must be \(grammar)") }
        let numeratorDigits = bytes[..<slash]
        let denominatorDigits = bytes[bytes.index(after: slash)...]
        guard numeratorDigits.count <= maxDigits, denominatorDigits.count <= maxDigits else {
            throw refuse("has more than \(maxDigits) digits in a part")
        }
        guard Grammar.isCanonicalNatural(numeratorDigits), Grammar.isCanonicalNatural(denominatorDigits),
              let p = Grammar.smallNatural(numeratorDigits), let q = Grammar.smallNatural(denominatorDigits) else {
            throw refuse("must be \(grammar) (digits without leading zeros)")
        }
        guard p > 0 else { throw refuse("must be greater than 0") }
        guard p < q else { throw refuse("must be less than 1 (a whole premises is \"1\")") }
        guard Limbs.gcd(UInt64(p), UInt64(q)) == 1 else { throw refuse("is not in lowest terms") }
        return Rational(reduced: BigInt(p), BigInt(q))
    }
}
