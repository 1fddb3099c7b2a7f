/// Unsigned magnitudes as little-endian arrays of 64-bit limbs, with no high zero limbs
/// (zero is the empty array). The schoolbook algorithms of TAOCP 4.3.1; every carry and
/// borrow goes through the overflow-reporting operations, so nothing wraps silently.
enum Limbs {
    typealias Magnitude = [UInt64]

    /// Drops high zero limbs.
    @inline(__always)
    static func trim(_ m: inout Magnitude) {
        while let last = m.last, last == 0 { m.removeLast() }
    }

    /// The magnitude of one limb.
    @inline(__always)
    static func of(_ value: UInt64) -> Magnitude {
        value == 0 ? [] : [value]
    }

    /// -1, 0 or 1 as `a` is less than, equal to or greater than `b`.
    static func compare(_ a: Magnitude, _ b: Magnitude) -> Int {
        if a.count != b.count { return a.count < b.count ? -1 : 1 }
        var index = a.count - 1
        while index >= 0 {
            if a[index] != b[index] { return a[index] < b[index] ? -1 : 1 }
            index -= 1
        }
        return 0
    }

    /// a + b.
    static func add(_ a: Magnitude, _ b: Magnitude) -> Magnitude {
        let (long, short) = a.count >= b.count ? (a, b) : (b, a)
        var result = Magnitude()
        result.reserveCapacity(long.count + 1)
        var carry: UInt64 = 0
        for index in 0..<long.count {
            let (partial, overflow1) = long[index].addingReportingOverflow(index < short.count ? short[index] : 0)
            let (sum, overflow2) = partial.addingReportingOverflow(carry)
            result.append(sum)
            // At most one of the two additions overflows, so the carry stays 0 or 1.
            carry = (overflow1 || overflow2) ? 1 : 0
        }
        if carry != 0 { result.append(carry) }
        return result
    }

    /// a − b, where a ≥ b.
    static func subtract(_ a: Magnitude, _ b: Magnitude) -> Magnitude {
        var result = Magnitude()
        result.reserveCapacity(a.count)
        var borrow: UInt64 = 0
        for index in 0..<a.count {
            let (partial, overflow1) = a[index].subtractingReportingOverflow(index < b.count ? b[index] : 0)
            let (difference, overflow2) = partial.subtractingReportingOverflow(borrow)
            result.append(difference)
            borrow = (overflow1 || overflow2) ? 1 : 0
        }
        precondition(borrow == 0, "Limbs.subtract: minuend smaller than subtrahend")
        trim(&result)
        return result
    }

    /// a × b (schoolbook; the operands of counting are at most a few thousand limbs).
    static func multiply(_ a: Magnitude, _ b: Magnitude) -> Magnitude {
        if a.isEmpty || b.isEmpty { return [] }
        if b.count == 1 { return multiply(a, small: b[0]) }
        if a.count == 1 { return multiply(b, small: a[0]) }
        var result = Magnitude(repeating: 0, count: a.count + b.count)
        for i in 0..<a.count {
            let ai = a[i]
            if ai == 0 { continue }
            var carry: UInt64 = 0
            for j in 0..<b.count {
                let (high, low) = ai.multipliedFullWidth(by: b[j])
                let (partial, overflow1) = low.addingReportingOverflow(result[i + j])
                let (sum, overflow2) = partial.addingReportingOverflow(carry)
                result[i + j] = sum
                // x·y + z + w ≤ (2⁶⁴−1)² + 2(2⁶⁴−1) = 2¹²⁸ − 1, so the high word cannot overflow.
                carry = high &+ (overflow1 ? 1 : 0) &+ (overflow2 ? 1 : 0)
            }
            result[i + b.count] = carry
        }
        trim(&result)
        return result
    }

    /// a × s for one limb s.
    static func multiply(_ a: Magnitude, small s: UInt64) -> Magnitude {
        if a.isEmpty || s == 0 { return [] }
        var result = a
        multiplyAdd(&result, multiplier: s, addend: 0)
        return result
    }

    /// m ← m × multiplier + addend, in place.
    static func multiplyAdd(_ m: inout Magnitude, multiplier: UInt64, addend: UInt64) {
        var carry = addend
        for index in 0..<m.count {
            let (high, low) = m[index].multipliedFullWidth(by: multiplier)
            let (sum, overflow) = low.addingReportingOverflow(carry)
            m[index] = sum
            carry = high &+ (overflow ? 1 : 0)
        }
        if carry != 0 { m.append(carry) }
        trim(&m)
    }

    /// m ← m ÷ d (truncating), in place; returns the remainder. d must not be 0.
    static func divide(_ m: inout Magnitude, small d: UInt64) -> UInt64 {
        precondition(d != 0, "division by zero")
        var remainder: UInt64 = 0
        var index = m.count - 1
        while index >= 0 {
            // remainder < d, so the quotient of (remainder, m[index]) ÷ d fits one limb.
            (m[index], remainder) = d.dividingFullWidth((remainder, m[index]))
            index -= 1
        }
        trim(&m)
        return remainder
    }

    /// m mod d for one limb d ≠ 0, without building the quotient.
    static func remainder(_ m: Magnitude, small d: UInt64) -> UInt64 {
        precondition(d != 0, "division by zero")
        var remainder: UInt64 = 0
        var index = m.count - 1
        while index >= 0 {
            remainder = d.dividingFullWidth((remainder, m[index])).remainder
            index -= 1
        }
        return remainder
    }

    /// (u ÷ v, u mod v), truncating; v must not be zero. Knuth's Algorithm D for multi-limb divisors.
    static func divide(_ u: Magnitude, _ v: Magnitude) -> (quotient: Magnitude, remainder: Magnitude) {
        precondition(!v.isEmpty, "division by zero")
        if compare(u, v) < 0 { return ([], u) }
        if v.count == 1 {
            var quotient = u
            let remainder = divide(&quotient, small: v[0])
            return (quotient, of(remainder))
        }
        let n = v.count
        let m = u.count - n
        // D1: normalise so the divisor's top limb has its high bit set; qhat is then off by at most 2.
        let shift = UInt64(v[n - 1].leadingZeroBitCount)
        var vn = v
        var un = u + [0]
        if shift > 0 {
            for index in stride(from: n - 1, to: 0, by: -1) {
                vn[index] = (v[index] << shift) | (v[index - 1] >> (64 - shift))
            }
            vn[0] = v[0] << shift
            un[u.count] = u[u.count - 1] >> (64 - shift)
            for index in stride(from: u.count - 1, to: 0, by: -1) {
                un[index] = (u[index] << shift) | (u[index - 1] >> (64 - shift))
            }
            un[0] = u[0] << shift
        }
        let top = vn[n - 1]
        let next = vn[n - 2]
        var quotient = Magnitude(repeating: 0, count: m + 1)
        var j = m
        while j >= 0 {
            // D3: estimate qhat from the top two limbs of the remainder and the top limb of v.
            var qhat: UInt64
            var rhat: UInt64
            var rhatOverflow = false
            if un[j + n] >= top {
                // Then un[j+n] == top and the true two-limb quotient is ≥ 2⁶⁴: start from 2⁶⁴ − 1.
                qhat = UInt64.max
                (rhat, rhatOverflow) = un[j + n - 1].addingReportingOverflow(top)
            } else {
                (qhat, rhat) = top.dividingFullWidth((un[j + n], un[j + n - 1]))
            }
            while !rhatOverflow {
                let (high, low) = qhat.multipliedFullWidth(by: next)
                guard high > rhat || (high == rhat && low > un[j + n - 2]) else { break }
                qhat -= 1
                (rhat, rhatOverflow) = rhat.addingReportingOverflow(top)
            }
            // D4: un[j ... j+n] −= qhat × vn.
            var carry: UInt64 = 0
            var borrow: UInt64 = 0
            for i in 0..<n {
                let (high, low) = qhat.multipliedFullWidth(by: vn[i])
                let (product, productOverflow) = low.addingReportingOverflow(carry)
                carry = high &+ (productOverflow ? 1 : 0)
                let (partial, overflow1) = un[i + j].subtractingReportingOverflow(product)
                let (difference, overflow2) = partial.subtractingReportingOverflow(borrow)
                un[i + j] = difference
                borrow = (overflow1 || overflow2) ? 1 : 0
            }
            let (partial, overflow1) = un[j + n].subtractingReportingOverflow(carry)
            let (difference, overflow2) = partial.subtractingReportingOverflow(borrow)
            un[j + n] = difference
            if overflow1 || overflow2 {
                // D6: qhat was one too large (probability about 2/2⁶⁴); add v back once.
                qhat -= 1
                var addCarry: UInt64 = 0
                for i in 0..<n {
                    let (partialSum, sumOverflow1) = un[i + j].addingReportingOverflow(vn[i])
                    let (sum, sumOverflow2) = partialSum.addingReportingOverflow(addCarry)
                    un[i + j] = sum
                    addCarry = (sumOverflow1 || sumOverflow2) ? 1 : 0
                }
                un[j + n] = un[j + n] &+ addCarry  // the borrow of D4 is cancelled here by design
            }
            quotient[j] = qhat
            j -= 1
        }
        trim(&quotient)
        // D8: the remainder is un[0 ..< n] shifted back.
        var remainder = Magnitude(repeating: 0, count: n)
        if shift > 0 {
            for index in 0..<(n - 1) {
                remainder[index] = (un[index] >> shift) | (un[index + 1] << (64 - shift))
            }
            remainder[n - 1] = un[n - 1] >> shift
        } else {
            for index in 0..<n { remainder[index] = un[index] }
        }
        trim(&remainder)
        return (quotient, remainder)
    }

    /// gcd of two single limbs (Euclid); gcd(0, 0) = 0.
    static func gcd(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }

    /// gcd of two magnitudes. A big number against a one-limb number costs one pass over
    /// the big one, then single-limb Euclid.
    static func gcd(_ a: Magnitude, _ b: Magnitude) -> Magnitude {
        var (x, y) = compare(a, b) >= 0 ? (a, b) : (b, a)
        while !y.isEmpty {
            if y.count == 1 {
                return of(gcd(y[0], remainder(x, small: y[0])))
            }
            (x, y) = (y, divide(x, y).remainder)
        }
        return x
    }
}
