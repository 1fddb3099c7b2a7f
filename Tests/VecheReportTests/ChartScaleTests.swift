import Foundation
import Testing
import VecheCore
@testable import VecheReport

@Suite struct ChartScaleTests {
    static func r(_ p: Int, _ q: Int) -> Rational { Rational(BigInt(p), BigInt(q)) }

    @Test(arguments: [
        (1, 2, 1, 1, 9600, 4800),  // half
        (2, 3, 1, 1, 9600, 6400),  // two thirds is exact here
        (1, 3, 1, 1, 10, 3),  // 3.33… rounds down
        (1, 6, 1, 1, 9, 2),  // 1.5 rounds half-up
        (5, 1, 3, 1, 10, 10),  // more than the whole is clamped
        (0, 1, 3, 1, 10, 0),
        (1, 1, 0, 1, 10, 0),  // a zero whole draws nothing
        (13511, 60, 5111, 20, 9600, 8459),
    ] as [(Int, Int, Int, Int, Int, Int)])
    func scalesExactlyWithHalfUpRounding(p: Int, q: Int, wholeP: Int, wholeQ: Int, scale: Int, expected: Int) {
        #expect(ChartScale.scaled(Self.r(p, q), of: Self.r(wholeP, wholeQ), scale: scale) == expected)
    }

    @Test func coordinatesAreFixedOneDecimal() {
        #expect(ChartScale.coordinate(0) == "0.0")
        #expect(ChartScale.coordinate(8459) == "845.9")
        #expect(ChartScale.coordinate(10000) == "1000.0")
    }

    @Test func hugeDenominatorsStillScale() {
        // Shares with 18-digit prime denominators: no overflow, no floating point.
        let p = BigInt(999_999_999_999_999_989)
        let part = Rational(p - BigInt(1), p) * Rational(BigInt(1), BigInt(2))
        #expect(ChartScale.scaled(part, of: .one, scale: 9600) == 4800)
    }
}

/// The report library must not use floating point, even for display (Specs/protocol.md).
@Suite struct ReportSourcePolicyTests {
    @Test func reportSourcesUseNoFloatingPoint() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/VecheReport")
        let files = try FileManager.default.contentsOfDirectory(atPath: sources.path).filter { $0.hasSuffix(".swift") }
        #expect(files.count >= 10)
        for file in files {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for word in ["Double", "Float", "CGFloat", "Decimal("] {
                #expect(!text.contains(word), "\(file) uses \(word)")
            }
        }
    }
}
