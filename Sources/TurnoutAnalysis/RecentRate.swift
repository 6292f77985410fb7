import Glibc

/// The baseline's recent error rate, weighted toward the last `timeConstant` seconds, with
/// bounds a standard error below and two above.
///
/// An absolute error tolerance ("baseline + 0.5 pp") is a ratio 1 + a/p at the baseline's rate
/// p, so the tests that use it need p before each look's data. This keeps it from earlier looks
/// (and from the baseline's traffic before the rollout, when the controller knows it). The
/// weighting lets it follow a drifting or recovering base rate within a minute or two; the
/// bounds say how far the estimate may be off: the fail tests take the side that can only make
/// them more careful. The lower bound is one standard error low, not two: every standard error
/// it sits below the estimate moves the error fail line away from the tolerance (in the
/// simulator at 1,000 requests/s, two standard errors over a 30 s window cost a quarter more
/// canary requests to catch +1 pp), while the line needs to be on the careful side only on
/// average, since a test gathers evidence over many looks; the boundary cell (+0.5 pp) is still
/// not rolled back.
public struct RecentRate: Sendable, Equatable, Codable {
    /// Seconds over which old traffic fades by a factor e.
    public static let timeConstant = 60.0
    /// Weighted requests.
    public private(set) var requests = 0.0
    /// Weighted events (errors).
    public private(set) var events = 0.0

    /// No traffic seen.
    public init() {}

    /// Adds `seconds` of traffic: what was there fades by e^(−seconds/τ) first.
    public mutating func add(requests n: UInt64, events x: UInt64, seconds: Double) {
        let fade = exp(-max(seconds, 0) / Self.timeConstant)
        requests = requests * fade + Double(n)
        events = events * fade + Double(x)
    }

    /// Counts of a window of `seconds` that ended now (the traffic before a rollout): scaled to
    /// what the weighting would have kept of it, as if it had come at an even pace.
    public mutating func add(window n: UInt64, events x: UInt64, seconds: Double) {
        guard seconds > 0 else { return add(requests: n, events: x, seconds: 0) }
        let kept = Self.timeConstant / seconds * (1 - exp(-seconds / Self.timeConstant))
        requests += Double(n) * kept
        events += Double(x) * kept
    }

    /// The rate's point estimate; nil before any request.
    public var estimate: Double? { requests > 0 ? min(events / requests, 1) : nil }

    /// About a standard error below the estimate (√x has a standard deviation of ½ for a
    /// Poisson count x): 0 while fewer than a quarter of an event was seen.
    public var lowerBound: Double? {
        guard requests > 0 else { return nil }
        let root = max(events.squareRoot() - 0.5, 0)
        return min(root * root / requests, 1)
    }

    /// About two standard errors above the estimate; with no event at all, about 3/n.
    public var upperBound: Double? {
        guard requests > 0 else { return nil }
        let root = (events + 0.5).squareRoot() + 1
        return min(root * root / requests, 1)
    }
}
