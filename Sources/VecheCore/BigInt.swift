/// A signed integer of any size, exact in every operation.
///
/// Values that fit in `Int64` are stored inline and computed with the overflow-reporting
/// operations; only when a result does not fit does it move to an array of 64-bit limbs.
/// So the common case of counting (areas in hundredths, small share denominators) never
/// allocates, while a register with thousands of distinct prime denominators stays exact.
/// Nothing ever wraps or traps on overflow; only division by zero is a precondition.
public struct BigInt: Sendable, Hashable {
    /// Invariant: `.small` exactly when the value fits in `Int64`, so equal values have equal storage.
    @usableFromInline
    enum Storage: Sendable, Hashable {
        case small(Int64)
        case large(negative: Bool, magnitude: [UInt64])
    }

    @usableFromInline
    var storage: Storage

    @inlinable
    init(storage: Storage) { self.storage = storage }

    /// The integer `value`.
    @inlinable
    public init(_ value: Int) { storage = .small(Int64(value)) }

    /// The integer `value` of any binary integer type (`Int128`, `UInt64`, …).
    public init<T: BinaryInteger>(_ value: T) {
        if let small = Int64(exactly: value) {
            storage = .small(small)
            return
        }
        var magnitude: [UInt64] = []
        for word in value.magnitude.words { magnitude.append(UInt64(word)) }
        self = BigInt(negative: value < 0, magnitude: magnitude)
    }

    /// The value ±magnitude in canonical storage.
    init(negative: Bool, magnitude: [UInt64]) {
        var magnitude = magnitude
        Limbs.trim(&magnitude)
        if magnitude.isEmpty {
            storage = .small(0)
        } else if magnitude.count == 1, !negative, magnitude[0] <= UInt64(Int64.max) {
            storage = .small(Int64(magnitude[0]))
        } else if magnitude.count == 1, negative, magnitude[0] <= UInt64(Int64.max) + 1 {
            storage = .small(Int64(bitPattern: 0 &- magnitude[0]))
        } else {
            storage = .large(negative: negative, magnitude: magnitude)
        }
    }

    /// 0.
    public static let zero = BigInt(0)
    /// 1.
    public static let one = BigInt(1)

    /// Whether the value is 0.
    @inlinable
    public var isZero: Bool {
        if case .small(let value) = storage { return value == 0 }
        return false
    }

    /// Whether the value is below 0.
    @inlinable
    public var isNegative: Bool {
        switch storage {
        case .small(let value): return value < 0
        case .large(let negative, _): return negative
        }
    }

    /// −1, 0 or 1.
    public var signum: Int {
        switch storage {
        case .small(let value): return value == 0 ? 0 : (value < 0 ? -1 : 1)
        case .large(let negative, _): return negative ? -1 : 1
        }
    }

    /// The value as an `Int64` when it fits.
    @inlinable
    public var int64Value: Int64? {
        if case .small(let value) = storage { return value }
        return nil
    }

    /// The absolute value.
    public var magnitudeValue: BigInt {
        isNegative ? -self : self
    }

    /// The number of bits of the absolute value (0 for 0).
    public var bitWidth: Int {
        let magnitude = self.magnitude
        guard let top = magnitude.last else { return 0 }
        return magnitude.count * 64 - top.leadingZeroBitCount
    }

    /// Sign and limbs, for the slow paths.
    var magnitude: [UInt64] {
        switch storage {
        case .small(let value): return Limbs.of(value.magnitude)
        case .large(_, let magnitude): return magnitude
        }
    }
}

// MARK: - Arithmetic

extension BigInt {
    /// a + b.
    @inlinable
    public static func + (a: BigInt, b: BigInt) -> BigInt {
        if case .small(let x) = a.storage, case .small(let y) = b.storage {
            let (sum, overflow) = x.addingReportingOverflow(y)
            if !overflow { return BigInt(storage: .small(sum)) }
        }
        return slowAdd(a, negating: false, b)
    }

    /// a − b.
    @inlinable
    public static func - (a: BigInt, b: BigInt) -> BigInt {
        if case .small(let x) = a.storage, case .small(let y) = b.storage {
            let (difference, overflow) = x.subtractingReportingOverflow(y)
            if !overflow { return BigInt(storage: .small(difference)) }
        }
        return slowAdd(a, negating: true, b)
    }

    /// −a.
    @inlinable
    public static prefix func - (a: BigInt) -> BigInt {
        if case .small(let x) = a.storage, x != Int64.min { return BigInt(storage: .small(-x)) }
        return slowNegate(a)
    }

    /// a × b.
    @inlinable
    public static func * (a: BigInt, b: BigInt) -> BigInt {
        if case .small(let x) = a.storage, case .small(let y) = b.storage {
            let (product, overflow) = x.multipliedReportingOverflow(by: y)
            if !overflow { return BigInt(storage: .small(product)) }
        }
        return slowMultiply(a, b)
    }

    /// a ← a + b.
    @inlinable
    public static func += (a: inout BigInt, b: BigInt) { a = a + b }
    /// a ← a − b.
    @inlinable
    public static func -= (a: inout BigInt, b: BigInt) { a = a - b }
    /// a ← a × b.
    @inlinable
    public static func *= (a: inout BigInt, b: BigInt) { a = a * b }

    @usableFromInline
    static func slowAdd(_ a: BigInt, negating: Bool, _ b: BigInt) -> BigInt {
        let aNegative = a.isNegative
        let bNegative = b.isNegative != negating && !b.isZero
        let aMagnitude = a.magnitude
        let bMagnitude = b.magnitude
        if aNegative == bNegative {
            return BigInt(negative: aNegative, magnitude: Limbs.add(aMagnitude, bMagnitude))
        }
        switch Limbs.compare(aMagnitude, bMagnitude) {
        case 0: return .zero
        case 1: return BigInt(negative: aNegative, magnitude: Limbs.subtract(aMagnitude, bMagnitude))
        default: return BigInt(negative: bNegative, magnitude: Limbs.subtract(bMagnitude, aMagnitude))
        }
    }

    @usableFromInline
    static func slowNegate(_ a: BigInt) -> BigInt {
        BigInt(negative: !a.isNegative && !a.isZero, magnitude: a.magnitude)
    }

    @usableFromInline
    static func slowMultiply(_ a: BigInt, _ b: BigInt) -> BigInt {
        BigInt(negative: a.isNegative != b.isNegative, magnitude: Limbs.multiply(a.magnitude, b.magnitude))
    }

    /// Quotient truncated toward zero and the remainder with the dividend's sign, as Swift's `Int` does.
    /// Precondition: `divisor` is not 0.
    public func quotientAndRemainder(dividingBy divisor: BigInt) -> (quotient: BigInt, remainder: BigInt) {
        precondition(!divisor.isZero, "BigInt: division by zero")
        if case .small(let x) = storage, case .small(let y) = divisor.storage, !(x == Int64.min && y == -1) {
            let (quotient, remainder) = x.quotientAndRemainder(dividingBy: y)
            return (BigInt(storage: .small(quotient)), BigInt(storage: .small(remainder)))
        }
        let (quotient, remainder) = Limbs.divide(magnitude, divisor.magnitude)
        return (BigInt(negative: isNegative != divisor.isNegative, magnitude: quotient),
                BigInt(negative: isNegative, magnitude: remainder))
    }

    /// a ÷ b truncated toward zero. Precondition: b ≠ 0.
    public static func / (a: BigInt, b: BigInt) -> BigInt { a.quotientAndRemainder(dividingBy: b).quotient }

    /// The remainder of a ÷ b, with a's sign. Precondition: b ≠ 0.
    public static func % (a: BigInt, b: BigInt) -> BigInt { a.quotientAndRemainder(dividingBy: b).remainder }

    /// The greatest common divisor of |a| and |b| (never negative; gcd(0, 0) = 0).
    public static func gcd(_ a: BigInt, _ b: BigInt) -> BigInt {
        if case .small(let x) = a.storage, case .small(let y) = b.storage {
            return BigInt(Limbs.gcd(x.magnitude, y.magnitude))
        }
        return BigInt(negative: false, magnitude: Limbs.gcd(a.magnitude, b.magnitude))
    }

    /// 10ⁿ.
    public static func powerOfTen(_ exponent: Int) -> BigInt {
        precondition(exponent >= 0)
        var magnitude: [UInt64] = [1]
        var remaining = exponent
        while remaining > 0 {
            let step = Swift.min(remaining, 19)
            var factor: UInt64 = 1
            for _ in 0..<step { factor *= 10 }
            Limbs.multiplyAdd(&magnitude, multiplier: factor, addend: 0)
            remaining -= step
        }
        return BigInt(negative: false, magnitude: magnitude)
    }
}

// MARK: - Comparison

extension BigInt: Comparable {
    /// a < b.
    @inlinable
    public static func < (a: BigInt, b: BigInt) -> Bool {
        if case .small(let x) = a.storage, case .small(let y) = b.storage { return x < y }
        return compareSlow(a, b) < 0
    }

    @usableFromInline
    static func compareSlow(_ a: BigInt, _ b: BigInt) -> Int {
        let aNegative = a.isNegative
        if aNegative != b.isNegative { return aNegative ? -1 : 1 }
        let order = Limbs.compare(a.magnitude, b.magnitude)
        return aNegative ? -order : order
    }
}

extension BigInt: ExpressibleByIntegerLiteral {
    /// The integer literal's value.
    public init(integerLiteral value: Int) { self.init(value) }
}

// MARK: - Decimal text

extension BigInt: CustomStringConvertible, LosslessStringConvertible {
    /// The decimal digits, with a leading `-` when negative.
    public var description: String {
        if case .small(let value) = storage { return String(value) }
        var magnitude = self.magnitude
        var chunks: [UInt64] = []
        let chunkBase: UInt64 = 10_000_000_000_000_000_000  // 10¹⁹, the largest power of ten in a limb
        while !magnitude.isEmpty {
            chunks.append(Limbs.divide(&magnitude, small: chunkBase))
        }
        var text = isNegative ? "-" : ""
        text.reserveCapacity(chunks.count * 19 + 1)
        text += String(chunks.removeLast())
        for chunk in chunks.reversed() {
            let digits = String(chunk)
            text += String(repeating: "0", count: 19 - digits.count) + digits
        }
        return text
    }

    /// Parses `-?[0-9]+` (leading zeros allowed here; the wire grammars check them first).
    public init?(_ text: String) {
        var digits = Substring(text).utf8[...]
        var negative = false
        if digits.first == UInt8(ascii: "-") {
            negative = true
            digits = digits.dropFirst()
        }
        guard let magnitude = BigInt.parseDigits(digits) else { return nil }
        self.init(negative: negative, magnitude: magnitude)
    }

    /// The magnitude of a non-empty run of ASCII digits, or nil.
    static func parseDigits(_ digits: Substring.UTF8View.SubSequence) -> [UInt64]? {
        guard !digits.isEmpty else { return nil }
        var magnitude: [UInt64] = []
        var chunk: UInt64 = 0
        var chunkLength = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            chunk = chunk * 10 + UInt64(byte - UInt8(ascii: "0"))
            chunkLength += 1
            if chunkLength == 19 {
                Limbs.multiplyAdd(&magnitude, multiplier: 10_000_000_000_000_000_000, addend: chunk)
                chunk = 0
                chunkLength = 0
            }
        }
        if chunkLength > 0 {
            var factor: UInt64 = 1
            for _ in 0..<chunkLength { factor *= 10 }
            Limbs.multiplyAdd(&magnitude, multiplier: factor, addend: chunk)
        }
        return magnitude
    }
}
