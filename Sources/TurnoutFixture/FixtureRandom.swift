/// A per-loop pseudo-random generator (xorshift64*) for jitter and injected errors. The
/// system generator costs a getrandom(2) call per draw; a fixture needs speed and a fair spread,
/// not unpredictability.
struct FixtureRandom {
    private var state: UInt64

    /// Seeds from `seed`; zero (the one fixed point of xorshift) is replaced.
    init(seed: UInt64) {
        state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed
    }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }

    /// A value in `0..<bound` (`bound` > 0). The modulo bias is below 2^-40 for the small
    /// bounds used here.
    mutating func next(below bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }

    /// A value in `[0, 1)` with 53 random bits.
    mutating func nextUnitInterval() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }
}
