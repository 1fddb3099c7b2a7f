/// An exact rational number, always reduced with a positive denominator.
///
/// Counting never rounds: weights, sums and thresholds are `Rational`s and compare exactly.
/// Display rounding is a separate step (`decimalString(places:)`) that never feeds back into
/// a decision. Because values are reduced, equal numbers have equal representations, so
/// `==`, hashing and `exactString` agree.
public struct Rational: Sendable, Hashable {
    /// The numerator; carries the sign.
    public let numerator: BigInt
    /// The denominator; always > 0 and coprime to the numerator.
    public let denominator: BigInt

    /// A value already known to be reduced with denominator > 0.
    @inlinable
    init(reduced numerator: BigInt, _ denominator: BigInt) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// numerator / denominator, reduced. Precondition: denominator ≠ 0.
    public init(_ numerator: BigInt, _ denominator: BigInt) {
        precondition(!denominator.isZero, "Rational: zero denominator")
        var numerator = numerator
        var denominator = denominator
        if denominator.isNegative {
            numerator = -numerator
            denominator = -denominator
        }
        let divisor = BigInt.gcd(numerator, denominator)
        if divisor != .one && !divisor.isZero {
            numerator = numerator / divisor
            denominator = denominator / divisor
        }
        if numerator.isZero { denominator = .one }
        self.init(reduced: numerator, denominator)
    }

    /// The integer `value`.
    public init(_ value: BigInt) { self.init(reduced: value, .one) }

    /// The integer `value`.
    public init(_ value: Int) { self.init(reduced: BigInt(value), .one) }

    /// 0.
    public static let zero = Rational(0)
    /// 1.
    public static let one = Rational(1)

    /// Whether the value is 0.
    @inlinable
    public var isZero: Bool { numerator.isZero }

    /// Whether the value is below 0.
    @inlinable
    public var isNegative: Bool { numerator.isNegative }

    /// Whether the value is a whole number.
    @inlinable
    public var isInteger: Bool { denominator == .one }
}

// MARK: - Arithmetic

extension Rational {
    /// a + b, reduced.
    ///
    /// Knuth, TAOCP 4.5.1: with g = gcd(b, d), if g = 1 then (a·d + b·c)/(b·d) is already
    /// reduced and no gcd of the (possibly huge) result is needed. That is the common case
    /// when shares have distinct prime denominators; gcd of a big and a small number costs
    /// one pass over the big one.
    public static func + (x: Rational, y: Rational) -> Rational {
        if x.isZero { return y }
        if y.isZero { return x }
        let (a, b, c, d) = (x.numerator, x.denominator, y.numerator, y.denominator)
        if b == d {
            // Same denominator (the usual case when summing areas): only the sum's gcd with d matters.
            return Rational(a + c, b)
        }
        let g = BigInt.gcd(b, d)
        if g == .one {
            return Rational(reduced: a * d + b * c, b * d)
        }
        let dg = d / g
        let t = a * dg + c * (b / g)
        if t.isZero { return .zero }
        let g2 = BigInt.gcd(t, g)
        if g2 == .one {
            return Rational(reduced: t, (b / g) * d)
        }
        return Rational(reduced: t / g2, (b / g) * (d / g2))
    }

    /// −x.
    public static prefix func - (x: Rational) -> Rational {
        Rational(reduced: -x.numerator, x.denominator)
    }

    /// a − b, reduced.
    public static func - (x: Rational, y: Rational) -> Rational { x + (-y) }

    /// a × b, reduced (cross-cancelling first keeps the intermediate products small).
    public static func * (x: Rational, y: Rational) -> Rational {
        if x.isZero || y.isZero { return .zero }
        let g1 = BigInt.gcd(x.numerator, y.denominator)
        let g2 = BigInt.gcd(y.numerator, x.denominator)
        let numerator = (x.numerator / g1) * (y.numerator / g2)
        let denominator = (x.denominator / g2) * (y.denominator / g1)
        return Rational(reduced: numerator, denominator)
    }

    /// a ÷ b, reduced. Precondition: b ≠ 0.
    public static func / (x: Rational, y: Rational) -> Rational {
        precondition(!y.isZero, "Rational: division by zero")
        let reciprocal = y.isNegative
            ? Rational(reduced: -y.denominator, -y.numerator)
            : Rational(reduced: y.denominator, y.numerator)
        return x * reciprocal
    }

    /// a ← a + b.
    public static func += (x: inout Rational, y: Rational) { x = x + y }
    /// a ← a − b.
    public static func -= (x: inout Rational, y: Rational) { x = x - y }
    /// a ← a × b.
    public static func *= (x: inout Rational, y: Rational) { x = x * y }

    /// x × n for an integer n (used for the threshold comparisons `3·for ≥ 2·total`).
    public func times(_ n: Int) -> Rational { self * Rational(n) }
}

// MARK: - Comparison

extension Rational: Comparable {
    /// a < b, by cross-multiplication (denominators are positive).
    public static func < (x: Rational, y: Rational) -> Bool {
        if x.denominator == y.denominator { return x.numerator < y.numerator }
        return x.numerator * y.denominator < y.numerator * x.denominator
    }
}

extension Rational: ExpressibleByIntegerLiteral {
    /// The integer literal's value.
    public init(integerLiteral value: Int) { self.init(value) }
}

extension Rational: CustomStringConvertible {
    /// The exact form, `"2469/20"` or `"37"`.
    public var description: String { exactString }
}
