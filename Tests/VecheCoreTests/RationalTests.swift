import Testing
@testable import VecheCore

@Suite struct RationalTests {
    /// The reduced form of n/d computed independently in Int128.
    static func reduced(_ n: Int128, _ d: Int128) -> (Int128, Int128) {
        var (a, b) = (n.magnitude, d.magnitude)
        while b != 0 { (a, b) = (b, a % b) }
        let g = Int128(a)
        let sign: Int128 = (n < 0) != (d < 0) ? -1 : 1
        return (sign * Int128(n.magnitude) / g, Int128(d.magnitude) / g)
    }

    static func matches(_ x: Rational, _ expected: (Int128, Int128)) -> Bool {
        x.numerator == BigInt(expected.0) && x.denominator == BigInt(expected.1)
    }

    @Test func arithmeticMatchesInt128OnSmallFractions() {
        var rng = SplitMix64(seed: 11)
        for _ in 0..<20_000 {
            let a = Int128(Int32(truncatingIfNeeded: rng.next())), b = Int128(1 + rng.next() % 1_000_000)
            let c = Int128(Int32(truncatingIfNeeded: rng.next())), d = Int128(1 + rng.next() % 1_000_000)
            let x = Rational(BigInt(a), BigInt(b)), y = Rational(BigInt(c), BigInt(d))
            #expect(Self.matches(x, Self.reduced(a, b)))
            #expect(Self.matches(x + y, Self.reduced(a * d + b * c, b * d)))
            #expect(Self.matches(x - y, Self.reduced(a * d - b * c, b * d)))
            #expect(Self.matches(x * y, Self.reduced(a * c, b * d)))
            if c != 0 { #expect(Self.matches(x / y, Self.reduced(a * d, b * c))) }
            #expect((x < y) == (a * d < c * b))
            #expect((x == y) == (a * d == c * b))
        }
    }

    @Test func sumsStayReducedWithCoprimeAndSharedDenominators() {
        // 1/6 + 1/10 = 4/15 needs the second gcd of Knuth's method; 1/6 + 1/3 = 1/2 as well.
        #expect(Rational(1, 6) + Rational(1, 10) == Rational(4, 15))
        #expect((Rational(1, 6) + Rational(1, 10)).denominator == 15)
        #expect((Rational(1, 6) + Rational(1, 3)).exactString == "1/2")
        #expect((Rational(1, 2) + Rational(1, 2)).exactString == "1")
        #expect((Rational(1, 3) - Rational(1, 3)).exactString == "0")
        #expect((Rational(1, 3) - Rational(1, 3)).denominator == .one)
        #expect(Rational(6, -4).exactString == "-3/2")
        #expect(Rational(0, -7) == .zero && Rational(0, -7).denominator == .one)
    }

    @Test func bigFractionsObeyFieldLaws() {
        var rng = SplitMix64(seed: 12)
        for _ in 0..<500 {
            func random() -> Rational {
                var denominator = BigIntTests.randomBig(&rng, maxLimbs: 4).magnitudeValue
                if denominator.isZero { denominator = .one }
                return Rational(BigIntTests.randomBig(&rng, maxLimbs: 4), denominator)
            }
            let x = random(), y = random(), z = random()
            #expect(x + y - y == x)
            #expect(x * (y + z) == x * y + x * z)
            #expect((x + y) + z == x + (y + z))
            #expect(BigInt.gcd(x.numerator, x.denominator) == .one || x.isZero)
            #expect(!x.denominator.isNegative && !x.denominator.isZero)
            if !y.isZero { #expect(x / y * y == x) }
            #expect((x < y) == (x - y).isNegative)
        }
    }

    @Test func sumOfUnitFractionsOverDistinctPrimesHasTheProductDenominator() {
        let primes = Self.primes(count: 400)
        var sum = Rational.zero
        var product = BigInt.one
        for p in primes {
            sum += Rational(BigInt.one, BigInt(p))
            product *= BigInt(p)
        }
        #expect(sum.denominator == product)
        // Σ 1/p = N/P with N = Σ P/p; N mod p = (P/p) mod p, computed here with plain UInt64 arithmetic.
        let numeratorDigits = Array(sum.numerator.description.utf8)
        for (index, p) in primes.enumerated() where index % 37 == 0 {
            var residue: UInt64 = 0
            for digit in numeratorDigits { residue = (residue * 10 + UInt64(digit - 48)) % p }
            var cofactor: UInt64 = 1
            for q in primes where q != p { cofactor = cofactor * (q % p) % p }
            #expect(residue == cofactor)
        }
    }

    static func primes(count: Int, from start: UInt64 = 2) -> [UInt64] {
        var result: [UInt64] = []
        var candidate = start
        while result.count < count {
            var isPrime = candidate >= 2
            var divisor: UInt64 = 2
            while divisor * divisor <= candidate {
                if candidate % divisor == 0 { isPrime = false; break }
                divisor += 1
            }
            if isPrime { result.append(candidate) }
            candidate += 1
        }
        return result
    }

    // MARK: - Exact text

    @Test(arguments: ["0", "1", "37", "2469/20", "1/3", "123456789012345678901234567891/7"])
    func exactTextRoundTrips(_ text: String) throws {
        #expect(try Rational(exact: text).exactString == text)
    }

    @Test func signedExactTextRoundTrips() throws {
        #expect(try Rational(exact: "-5/2", allowNegative: true) == Rational(-5, 2))
        #expect(try Rational(exact: "-7", allowNegative: true).exactString == "-7")
        #expect(Rational(-5, 2).exactString == "-5/2")
    }

    @Test(arguments: ["", "01", "00", "2/4", "1/0", "0/5", "3/1", "-1", "+1", "1/", "/2", " 1", "1 ", "1//2",
                      "1/-2", "1/02", "1.5", "٣", "1/1", "0x10", "1e3"])
    func exactTextRefusesNonCanonicalSpellings(_ text: String) {
        #expect(throws: DomainError.self) { try Rational(exact: text) }
    }

    @Test func exactTextRefusesNegativeZeroAndOversizeInput() {
        #expect(throws: DomainError.self) { try Rational(exact: "-0", allowNegative: true) }
        #expect(throws: DomainError.self) { try Rational(exact: "--1", allowNegative: true) }
        #expect(throws: DomainError.self) { try Rational(exact: String(repeating: "9", count: 100_001)) }
        let error = #expect(throws: DomainError.self) { try Rational(exact: "2/4", at: [.key("total")]) }
        #expect(error?.code == .malformed && error?.pointer == "/total")
        #expect(error?.message.contains("lowest terms") == true)
    }

    // MARK: - Display rounding

    @Test(arguments: [
        (Rational(2469, 20), "123.45"), (Rational(1, 3), "0.33"), (Rational(2, 3), "0.67"), (Rational(1, 200), "0.01"),
        (Rational(1, 201), "0.00"), (Rational(1, 8), "0.13"), (Rational(-1, 8), "-0.13"), (Rational(-1, 300), "0.00"),
        (Rational(-1, 200), "-0.01"), (Rational(5), "5.00"), (Rational(0), "0.00"), (Rational(99999, 1000), "100.00"),
        (Rational(12345, 1000), "12.35"), (Rational(12344999, 1000000), "12.34"),
    ])
    func displayRoundsHalfUpToTwoPlaces(_ value: Rational, _ expected: String) {
        #expect(value.decimalString(places: 2) == expected)
    }

    @Test func displayRoundsAtOtherPrecisions() {
        #expect(Rational(5, 2).decimalString(places: 0) == "3")
        #expect(Rational(-5, 2).decimalString(places: 0) == "-3")
        #expect(Rational(1, 3).decimalString(places: 5) == "0.33333")
        #expect(Rational(2, 3).decimalString(places: 1) == "0.7")
        // A huge value keeps every integer digit.
        let big = Rational(BigInt.powerOfTen(30) * BigInt(7) + BigInt(1), BigInt(2))
        #expect(big.decimalString(places: 2) == "35" + String(repeating: "0", count: 29) + ".50")
    }

    @Test func percentagesRoundHalfUpAndSurviveAZeroBase() {
        #expect(Rational(1, 2).percentString(of: .one) == "50.00")
        #expect(Rational(1).percentString(of: Rational(3)) == "33.33")
        #expect(Rational(2).percentString(of: Rational(3)) == "66.67")
        #expect(Rational(1).percentString(of: Rational(8)) == "12.50")
        #expect(Rational(1).percentString(of: Rational(80000)) == "0.00")
        #expect(Rational(1).percentString(of: Rational(20000)) == "0.01")
        #expect(Rational.zero.percentString(of: .zero) == "0.00")
        #expect(Rational(5).percentString(of: .zero, places: 1) == "0.0")
    }

    @Test func displayNeverFeedsBackIntoComparison() {
        // 1/2 + 1/1000000 displays as 50.00 % but is more than half; the exact value decides.
        let votes = Rational(1, 2) + Rational(1, 1_000_000)
        #expect(votes.percentString(of: .one) == "50.00")
        #expect(Threshold.participantsMajority.isMet(votesFor: votes, participating: .one, total: .one))
        #expect(!Threshold.participantsMajority.isMet(votesFor: Rational(1, 2), participating: .one, total: .one))
    }
}
