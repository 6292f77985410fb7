/// What a fixture upstream does on its default route: how long it waits before answering, how
/// often it fails, and how large its answer is. Tests and `turnout-bench upstream` change it at
/// run time with `FixtureUpstream.setBehavior(_:)` to play a slow or failing canary.
public struct FixtureBehavior: Sendable, Equatable {
    /// Milliseconds to wait before answering (a timer on the loop, never a sleep).
    public var latencyMs: Int
    /// Each answer waits `latencyMs` plus a uniform random offset in `-jitterMs...jitterMs`
    /// (never less than zero in total).
    public var jitterMs: Int
    /// The probability, from 0 to 1, that an answer is a 500 instead of a 200.
    public var errorRate: Double
    /// The size of a 200's body, filled with a fixed pattern; nil means the body is `"<name>\n"`.
    public var bodyBytes: Int?

    /// A behaviour; the defaults answer at once, never fail, and say the fixture's name.
    public init(latencyMs: Int = 0, jitterMs: Int = 0, errorRate: Double = 0, bodyBytes: Int? = nil) {
        self.latencyMs = latencyMs
        self.jitterMs = jitterMs
        self.errorRate = errorRate
        self.bodyBytes = bodyBytes
    }

    /// The delay of one answer in nanoseconds, drawing the jitter from `random`.
    func delayNanoseconds(using random: inout FixtureRandom) -> UInt64 {
        var ms = max(latencyMs, 0)
        if jitterMs > 0 {
            ms += random.next(below: 2 * jitterMs + 1) - jitterMs
        }
        return UInt64(max(ms, 0)) &* 1_000_000
    }

    /// Whether this answer should be a 500.
    func shouldFail(using random: inout FixtureRandom) -> Bool {
        errorRate > 0 && random.nextUnitInterval() < errorRate
    }
}
