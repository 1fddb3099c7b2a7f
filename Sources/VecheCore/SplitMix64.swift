/// SplitMix64 (Steele, Lea, Flood 2014): a tiny seeded generator, so generated samples,
/// demos and property tests are the same on every run. Not for secrets: keys and ids come
/// from OpenSSL's CSPRNG.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator that starts from `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0..<bound (bound > 0); the slight modulo bias does not matter for samples.
    public mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// True with probability `percent` %.
    public mutating func percent(_ percent: Int) -> Bool { below(100) < percent }
}
