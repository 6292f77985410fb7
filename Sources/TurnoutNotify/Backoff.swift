/// How long a webhook delivery waits before its next attempt: exponential in the number of
/// failed attempts, capped, and jittered so that many Turnouts notifying one receiver that just
/// came back do not all retry in the same instant.
///
/// Pure: the random draw is an argument, so the table of delays is a unit test, not a guess.
public struct Backoff: Sendable, Equatable {
    /// The ceiling after the first failure, in milliseconds.
    public var baseMs: Int
    /// No ceiling grows beyond this, in milliseconds.
    public var capMs: Int
    /// The share of the ceiling the jitter may take away, from 0 (none) to 1 (anything from 0 to
    /// the ceiling). With 0.5 a delay lies between half its ceiling and all of it: spread out,
    /// yet never so short that a retry comes back at once.
    public var jitter: Double

    /// The defaults: 500 ms, doubling, at most 30 s, jitter 0.5. With the default five attempts
    /// an entry waits about 0.5 + 1 + 2 + 4 s at most between them before it is abandoned.
    public init(baseMs: Int = 500, capMs: Int = 30_000, jitter: Double = 0.5) {
        self.baseMs = max(baseMs, 0)
        self.capMs = max(capMs, 0)
        self.jitter = min(max(jitter, 0), 1)
    }

    /// The longest wait after `failures` failed attempts (1 for the first): `baseMs × 2^(failures-1)`,
    /// at most `capMs`; 0 before any failure.
    public func ceilingMs(afterFailures failures: Int) -> Int {
        guard failures > 0 else { return 0 }
        // Doubling stops as soon as the cap is reached, so no shift can overflow.
        var ceiling = baseMs
        var doublings = failures - 1
        while doublings > 0 && ceiling < capMs {
            ceiling = ceiling > capMs / 2 ? capMs : ceiling * 2
            doublings -= 1
        }
        return min(ceiling, capMs)
    }

    /// The wait after `failures` failed attempts, for a draw `unit` in 0..<1:
    /// `ceiling × (1 − jitter × unit)`, rounded down to a millisecond.
    public func delayMs(afterFailures failures: Int, unit: Double) -> Int {
        let ceiling = ceilingMs(afterFailures: failures)
        let draw = min(max(unit, 0), 1)
        return Int(Double(ceiling) * (1 - jitter * draw))
    }
}
