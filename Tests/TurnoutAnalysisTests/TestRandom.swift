import Glibc

/// A seeded generator (SplitMix64) with the few distributions the tests need.
struct TestRandom: RandomNumberGenerator {
    /// State.
    var state: UInt64
    /// Seeded generator.
    init(seed: UInt64) { state = seed }
    /// Next 64 bits.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in (0, 1).
    mutating func unit() -> Double { (Double(next() >> 11) + 0.5) * 0x1p-53 }
    /// Binomial(n, p) by counting (tests use small n·p).
    mutating func binomial(_ n: UInt64, _ p: Double) -> UInt64 {
        // Inversion on the pmf recurrence.
        if n == 0 || p <= 0 { return 0 }
        var probability = exp(Double(n) * log1p(-p))
        var u = unit()
        var k: UInt64 = 0
        while u > probability && k < n {
            u -= probability
            k += 1
            probability *= p / (1 - p) * Double(n - k + 1) / Double(k)
        }
        return k
    }
}
