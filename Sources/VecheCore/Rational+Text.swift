/// Exact and display text forms of `Rational`.
extension Rational {
    /// The WIRE.md exact amount: `"p/q"` reduced, or `"n"` when whole; a leading `-` when negative.
    public var exactString: String {
        isInteger ? numerator.description : numerator.description + "/" + denominator.description
    }

    /// Parses the WIRE.md exact amount: `"0"`, `"n"` or `"p/q"` in lowest terms, digits without
    /// leading zeros, denominator ≥ 2; with `allowNegative`, also a `-` before a non-zero amount.
    ///
    /// Exactly one string denotes each value, so a parsed amount prints back to the same text.
    /// - Parameters:
    ///   - path: where the amount sits in the command, for the error.
    ///   - maxLength: a bound on the text in UTF-8 bytes (parsing is quadratic in the digit count).
    public init(
        exact text: String, allowNegative: Bool = false, at path: [PathComponent] = [], maxLength: Int = 100_000
    ) throws(DomainError) {
        let field = DomainError.fieldName(path, default: "amount")
        func refuse(_ reason: String) -> DomainError {
            DomainError(.malformed, at: path, "\(field) \(DomainError.quote(text)) \(reason)")
        }
        let bytes = Substring(text).utf8
        guard bytes.count <= maxLength else { throw refuse("is longer than \(maxLength) characters") }
        var body = bytes[...]
        var negative = false
        if body.first == UInt8(ascii: "-") {
            guard allowNegative else { throw refuse("must not be negative") }
            negative = true
            body = body.dropFirst()
        }
        let slash = body.firstIndex(of: UInt8(ascii: "/"))
        let numeratorDigits = slash.map { body[..<$0] } ?? body
        guard Grammar.isCanonicalNatural(numeratorDigits), let numerator = BigInt.parseDigits(numeratorDigits) else {
            throw refuse("is not an exact amount (\"n\" or \"p/q\" in lowest terms, digits without leading zeros)")
        }
        var denominator: [UInt64] = [1]
        if let slash {
            let denominatorDigits = body[body.index(after: slash)...]
            guard Grammar.isCanonicalNatural(denominatorDigits), let parsed = BigInt.parseDigits(denominatorDigits) else {
                throw refuse("is not an exact amount (\"n\" or \"p/q\" in lowest terms, digits without leading zeros)")
            }
            guard !parsed.isEmpty else { throw refuse("has a zero denominator") }
            guard !numerator.isEmpty else { throw refuse("has a zero numerator over a denominator; write \"0\"") }
            guard parsed != [1] else { throw refuse("has denominator 1; write the whole number") }
            guard Limbs.gcd(numerator, parsed) == [1] else { throw refuse("is not in lowest terms") }
            denominator = parsed
        }
        if negative && numerator.isEmpty { throw refuse("is a negative zero") }
        self.init(reduced: BigInt(negative: negative, magnitude: numerator), BigInt(negative: false, magnitude: denominator))
    }

    /// The value rounded half-up (away from zero at exactly half) to `places` fraction digits,
    /// for display only: 2469/20 → `"123.45"`, 2/3 → `"0.67"`, 1/200 → `"0.01"`.
    ///
    /// Never `"-0.00"`: a negative value that rounds to zero prints without the sign.
    public func decimalString(places: Int = 2) -> String {
        precondition((0...60).contains(places), "Rational.decimalString: places out of range")
        let scaled = numerator.magnitudeValue * BigInt.powerOfTen(places)
        var (quotient, remainder) = scaled.quotientAndRemainder(dividingBy: denominator)
        if remainder + remainder >= denominator { quotient += .one }
        var digits = quotient.description
        if digits.count <= places {
            digits = String(repeating: "0", count: places + 1 - digits.count) + digits
        }
        var text = (isNegative && !quotient.isZero) ? "-" : ""
        if places == 0 {
            text += digits
        } else {
            let split = digits.index(digits.endIndex, offsetBy: -places)
            text += digits[..<split] + "." + digits[split...]
        }
        return text
    }

    /// This value as a percentage of `base`, rounded half-up to `places` digits (`"50.00"`);
    /// a zero base gives zero (`"0.00"`), so an empty meeting prints without a division by zero.
    public func percentString(of base: Rational, places: Int = 2) -> String {
        if base.isZero { return Rational.zero.decimalString(places: places) }
        return (self * Rational(100) / base).decimalString(places: places)
    }
}
