import Testing
@testable import VecheCore

@Suite struct BigIntTests {
    /// Values that sit on limb and sign boundaries, where carries and normalisation go wrong.
    static let edges: [Int64] = [0, 1, -1, 2, -2, Int64.max, Int64.min, Int64.max - 1, Int64.min + 1, 1 << 32, -(1 << 32), (1 << 62) + 7]

    /// A random Int64 biased toward the edges.
    static func randomInt64(_ rng: inout SplitMix64) -> Int64 {
        switch rng.next() % 4 {
        case 0: return edges[Int(rng.next() % UInt64(edges.count))]
        case 1: return Int64(bitPattern: rng.next()) >> Int64(rng.next() % 63)
        default: return Int64(bitPattern: rng.next())
        }
    }

    /// A random big value of 1–12 limbs whose limbs are often 0, 1, all ones or the top bit alone:
    /// such limbs drive Algorithm D into its rare correction and add-back steps.
    static func randomBig(_ rng: inout SplitMix64, maxLimbs: Int = 12) -> BigInt {
        let count = 1 + Int(rng.next() % UInt64(maxLimbs))
        var limbs: [UInt64] = []
        for _ in 0..<count {
            switch rng.next() % 6 {
            case 0: limbs.append(0)
            case 1: limbs.append(UInt64.max)
            case 2: limbs.append(1 << 63)
            case 3: limbs.append(UInt64.max - 1)
            default: limbs.append(rng.next())
            }
        }
        return BigInt(negative: rng.next() % 2 == 0, magnitude: limbs)
    }

    @Test func smallArithmeticMatchesInt128() {
        var rng = SplitMix64(seed: 1)
        for _ in 0..<20_000 {
            let x = Self.randomInt64(&rng), y = Self.randomInt64(&rng)
            let (a, b) = (BigInt(x), BigInt(y))
            let (wx, wy) = (Int128(x), Int128(y))
            #expect(a + b == BigInt(wx + wy))
            #expect(a - b == BigInt(wx - wy))
            #expect(a * b == BigInt(wx * wy))
            #expect((a * b).description == (wx * wy).description)
            #expect((-a).description == (-wx).description)
            #expect((a < b) == (x < y))
            if y != 0 {
                let (q, r) = a.quotientAndRemainder(dividingBy: b)
                let (wq, wr) = wx.quotientAndRemainder(dividingBy: wy)
                #expect(q == BigInt(wq) && r == BigInt(wr))
            }
            #expect(BigInt.gcd(a, b) == BigInt(Self.gcd(x.magnitude, y.magnitude)))
        }
    }

    @Test func twoLimbArithmeticMatchesInt128() {
        var rng = SplitMix64(seed: 2)
        for _ in 0..<20_000 {
            let x = Int128(Self.randomInt64(&rng)) << Int128(rng.next() % 60) + Int128(Self.randomInt64(&rng))
            let y = Int128(Self.randomInt64(&rng)) << Int128(rng.next() % 60) + Int128(Self.randomInt64(&rng))
            let (a, b) = (BigInt(x), BigInt(y))
            #expect(a.description == x.description)
            let (sum, sumOverflow) = x.addingReportingOverflow(y)
            if !sumOverflow { #expect(a + b == BigInt(sum)) }
            let (difference, differenceOverflow) = x.subtractingReportingOverflow(y)
            if !differenceOverflow { #expect(a - b == BigInt(difference)) }
            let (product, productOverflow) = x.multipliedReportingOverflow(by: y)
            if !productOverflow { #expect(a * b == BigInt(product)) }
            #expect((a < b) == (x < y))
            if y != 0, !(x == Int128.min && y == -1) {
                let (q, r) = a.quotientAndRemainder(dividingBy: b)
                let (wq, wr) = x.quotientAndRemainder(dividingBy: y)
                #expect(q == BigInt(wq), "\(x) / \(y)")
                #expect(r == BigInt(wr), "\(x) % \(y)")
            }
        }
    }

    @Test func fullWidthProductsMatchUInt128() {
        var rng = SplitMix64(seed: 3)
        for _ in 0..<10_000 {
            let x = rng.next(), y = rng.next()
            #expect(BigInt(x) * BigInt(y) == BigInt(UInt128(x) * UInt128(y)))
            #expect((BigInt(x) * BigInt(y)).description == (UInt128(x) * UInt128(y)).description)
        }
    }

    @Test func bigValuesObeyRingLaws() {
        var rng = SplitMix64(seed: 4)
        for _ in 0..<2_000 {
            let a = Self.randomBig(&rng), b = Self.randomBig(&rng), c = Self.randomBig(&rng)
            #expect(a + b - b == a)
            #expect(a + b == b + a)
            #expect(a * b == b * a)
            #expect(a * (b + c) == a * b + a * c)
            #expect((a * b) * c == a * (b * c))
            #expect(a - a == .zero)
            #expect(-(-a) == a)
        }
    }

    @Test func bigDivisionSatisfiesTheDivisionIdentity() {
        var rng = SplitMix64(seed: 5)
        for _ in 0..<5_000 {
            let u = Self.randomBig(&rng, maxLimbs: 16)
            let v = Self.randomBig(&rng, maxLimbs: 8)
            guard !v.isZero else { continue }
            let (q, r) = u.quotientAndRemainder(dividingBy: v)
            #expect(q * v + r == u)
            #expect(r.magnitudeValue < v.magnitudeValue)
            #expect(r.isZero || r.isNegative == u.isNegative)
            // The exact multiple divides back exactly.
            let (q2, r2) = (u * v).quotientAndRemainder(dividingBy: v)
            #expect(q2 == u && r2.isZero)
        }
    }

    @Test func divisionOverEdgeLimbsIsExact() {
        // Every dividend of 3 limbs over every divisor of 2 limbs drawn from edge limbs. A
        // simulation of Algorithm D with 64-bit limbs shows many of these take the rare add-back
        // step (D6), e.g. [0, 0, 0, 1] ÷ [1, 0, 1]; q·v + r = u with 0 ≤ r < v pins q and r down.
        let edge: [UInt64] = [0, 1, 2, UInt64.max, UInt64.max - 1, 1 << 63, (1 << 63) - 1]
        var pairs: [([UInt64], [UInt64])] = [([0, 0, 0, 1], [1, 0, 1]), ([0, 0, 0, UInt64.max], [1, 0, 1])]
        for v0 in edge { for v1 in edge where v1 != 0 {
            for u0 in edge { for u1 in edge { for u2 in edge where u2 != 0 {
                pairs.append(([u0, u1, u2], [v0, v1]))
            } } }
        } }
        for (uLimbs, vLimbs) in pairs {
            let u = BigInt(negative: false, magnitude: uLimbs), v = BigInt(negative: false, magnitude: vLimbs)
            let (q, r) = u.quotientAndRemainder(dividingBy: v)
            #expect(q * v + r == u && r < v && !r.isNegative && !q.isNegative, "\(uLimbs) ÷ \(vLimbs)")
        }
    }

    @Test func gcdDividesBothAndLeavesCoprimeCofactors() {
        var rng = SplitMix64(seed: 6)
        for _ in 0..<1_000 {
            let common = Self.randomBig(&rng, maxLimbs: 3)
            let a = Self.randomBig(&rng, maxLimbs: 5) * common
            let b = Self.randomBig(&rng, maxLimbs: 5) * common
            let g = BigInt.gcd(a, b)
            guard !g.isZero else { #expect(a.isZero && b.isZero); continue }
            #expect(!g.isNegative)
            #expect((a % g).isZero && (b % g).isZero)
            #expect(BigInt.gcd(a / g, b / g) == .one)
            #expect((g % common.magnitudeValue).isZero || common.isZero)
        }
        #expect(BigInt.gcd(.zero, .zero) == .zero)
        #expect(BigInt.gcd(BigInt(-12), .zero) == BigInt(12))
    }

    @Test func decimalTextRoundTrips() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<1_000 {
            let a = Self.randomBig(&rng, maxLimbs: 20)
            #expect(BigInt(a.description) == a)
        }
        #expect(BigInt(UInt128(1) << 127).description == "170141183460469231731687303715884105728")
        var factorial = BigInt.one
        for n in 1...30 { factorial *= BigInt(n) }
        #expect(factorial.description == "265252859812191058636308480000000")
        #expect(BigInt.powerOfTen(40).description == "1" + String(repeating: "0", count: 40))
        #expect(BigInt("-0") == .zero)
        #expect(BigInt("") == nil && BigInt("-") == nil && BigInt("12a") == nil && BigInt("+1") == nil)
    }

    @Test func storageIsCanonicalAtTheInt64Boundary() {
        let max = BigInt(Int64.max), min = BigInt(Int64.min)
        #expect((max + .one - .one).int64Value == Int64.max)
        #expect((min - .one + .one).int64Value == Int64.min)
        #expect((max + .one).int64Value == nil)
        #expect((-min).int64Value == nil)
        #expect(-(-min) == min && (-(-min)).int64Value == Int64.min)
        #expect(BigInt(UInt64(1) << 63) == max + .one)
        #expect(Set([max + .one, BigInt(UInt64(1) << 63)]).count == 1)
        #expect(BigInt(negative: true, magnitude: [0, 0]) == .zero)
        #expect(!BigInt(negative: true, magnitude: []).isNegative)
    }

    static func gcd(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }
}
