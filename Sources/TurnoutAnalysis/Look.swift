import TurnoutMetrics

/// One pool's counts over one look (the increment since the previous look).
public struct PoolCounts: Sendable, Equatable, Codable {
    /// Requests completed.
    public var requests: UInt64
    /// Requests that failed (5xx, upstream errors, timeouts).
    public var errors: UInt64
    /// Requests slower than each `LatencyThreshold.baselineBound`, in the analyzer's order (the
    /// baseline's are the reference of both latency tests).
    public var aboveBaselineBound: [UInt64]
    /// Requests slower than each `LatencyThreshold.passBound` (only the canary's are used).
    public var abovePassBound: [UInt64]
    /// Requests slower than each `LatencyThreshold.failBound` (only the canary's are used).
    public var aboveFailBound: [UInt64]

    /// Counts for one look.
    public init(requests: UInt64, errors: UInt64, aboveBaselineBound: [UInt64] = [],
                abovePassBound: [UInt64] = [], aboveFailBound: [UInt64] = []) {
        self.requests = requests
        self.errors = errors
        self.aboveBaselineBound = aboveBaselineBound
        self.abovePassBound = abovePassBound
        self.aboveFailBound = aboveFailBound
    }
}

/// The increment the analyzer consumes at each look: both pools' counts and the time it covers.
/// Looks should not straddle a weight change (the controller takes one at each step boundary).
public struct Look: Sendable, Equatable {
    /// The canary pool.
    public var canary: PoolCounts
    /// The baseline pool.
    public var baseline: PoolCounts
    /// The canary pool's counts per server, in a stable order (they add up to `canary`); empty
    /// when not known. With two or more, the analyzer measures over-dispersion between them,
    /// which a regression of the whole canary does not inflate (see `DispersionEstimate`).
    public var canaryServers: [PoolCounts]
    /// Seconds the look covers.
    public var seconds: Double

    /// A look over `seconds`.
    public init(canary: PoolCounts, baseline: PoolCounts, canaryServers: [PoolCounts] = [], seconds: Double) {
        self.canary = canary
        self.baseline = baseline
        self.canaryServers = canaryServers
        self.seconds = seconds
    }
}

/// One pool's window as the metrics layer provides it: counters and a latency histogram.
public struct PoolWindow: Sendable {
    /// Requests completed in the window.
    public var requests: UInt64
    /// Failed requests in the window.
    public var errors: UInt64
    /// Latency of the window's requests (a `Histogram` difference of two snapshots).
    public var latency: Histogram

    /// A window.
    public init(requests: UInt64, errors: UInt64, latency: Histogram) {
        self.requests = requests
        self.errors = errors
        self.latency = latency
    }
}

/// The latency thresholds of one tested quantile, fixed before the data they test.
///
/// The tolerance says the canary's q-quantile may be up to (1 + tolerance) × the baseline's.
/// `baselineBound` is the baseline's q-quantile measured on earlier data, rounded to a histogram
/// bucket bound so counts above it are exact; the baseline's share above it is its tail. The
/// canary is within the tolerance exactly when its share above (1 + tolerance) × that line is no
/// larger than the baseline's share above the line itself: both latency tests compare those two
/// shares. The scaled line rarely falls on a bucket bound, so each test takes the bound on its
/// careful side: `passBound` rounds it down (more canary requests count against a pass) and
/// `failBound` rounds it up (fewer count toward a fail). Between the two, 0.78 % at most, neither
/// test can be fooled by the rounding.
public struct LatencyThreshold: Sendable, Equatable, Codable {
    /// The quantile (0.99 for p99).
    public var quantile: Double
    /// Nanoseconds; the baseline's q-quantile from earlier data, a bucket bound.
    public var baselineBound: UInt64
    /// Nanoseconds; (1 + tolerance) × `baselineBound`, rounded down to a bucket bound.
    public var passBound: UInt64
    /// Nanoseconds; (1 + tolerance) × `baselineBound`, rounded up to a bucket bound.
    public var failBound: UInt64

    /// Thresholds for `quantile` from a baseline quantile value and the tolerance.
    public init(quantile: Double, baselineQuantile: UInt64, tolerance: Double) {
        self.quantile = quantile
        self.baselineBound = HistogramLayout.bucketUpperBound(containing: baselineQuantile)
        let scaled = UInt64(Double(baselineBound) * (1 + max(tolerance, 0)))
        let index = HistogramLayout.bucketIndex(of: scaled)
        let bound = HistogramLayout.upperBound(ofBucket: index)
        self.failBound = bound
        // The bucket holding the scaled value may end above it: step back one bucket then.
        self.passBound = bound > scaled && index > 0 ? HistogramLayout.upperBound(ofBucket: index - 1) : bound
    }
}
