/// A running sum of many rationals that adds numerators per denominator and reduces once.
///
/// Summing weights one `+` at a time costs a gcd per step; grouping by denominator turns most
/// steps into one integer addition (registers use few distinct denominators), and the distinct
/// groups are combined once at the end. The result is the same exact value either way.
public struct RationalSum: Sendable {
    private var numerators: [BigInt: BigInt] = [:]

    /// An empty sum (value 0).
    public init() {}

    /// Adds `x`.
    public mutating func add(_ x: Rational) {
        if x.isZero { return }
        numerators[x.denominator, default: .zero] += x.numerator
    }

    /// The exact sum, reduced.
    public var value: Rational {
        var total = Rational.zero
        for (denominator, numerator) in numerators {
            total += Rational(numerator, denominator)
        }
        return total
    }
}
