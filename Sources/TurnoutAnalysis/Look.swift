import TurnoutMetrics

/// One pool's counts over one look (the increment since the previous look).
public struct PoolCounts: Sendable, Equatable, Codable {
    /// Requests completed.
    public var requests: UInt64
    /// Requests that failed (5xx, upstream errors, timeouts).
    public var errors: UInt64
    /// Requests slower than each `LatencyThreshold.failThreshold`, in the analyzer's order.
    public var aboveFailThreshold: [UInt64]
    /// Requests slower than each `LatencyThreshold.passThreshold` (only the canary's are used).
    public var abovePassThreshold: [UInt64]

    /// Counts for one look.
    public init(requests: UInt64, errors: UInt64, aboveFailThreshold: [UInt64] = [],
                abovePassThreshold: [UInt64] = []) {
        self.requests = requests
        self.errors = errors
        self.aboveFailThreshold = aboveFailThreshold
        self.abovePassThreshold = abovePassThreshold
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
/// `failThreshold` is the baseline's q-quantile measured on earlier data, rounded to a histogram
/// bucket bound so counts above it are exact. The fail test compares the share of each pool's
/// requests above it. `passThreshold` is (1 + tolerance) × that, rounded *down* to a bucket bound
/// (which only makes passing harder): the canary's q-quantile is below (1 + tolerance) × the
/// baseline's exactly when fewer canary requests exceed `passThreshold` than baseline requests
/// exceed `failThreshold`, proportionally, which the pass test shows.
public struct LatencyThreshold: Sendable, Equatable, Codable {
    /// The quantile (0.99 for p99).
    public var quantile: Double
    /// Nanoseconds; the baseline's q-quantile from earlier data.
    public var failThreshold: UInt64
    /// Nanoseconds; (1 + tolerance) × `failThreshold`, rounded down to a bucket bound.
    public var passThreshold: UInt64

    /// Thresholds for `quantile` from a baseline quantile value and the tolerance.
    public init(quantile: Double, baselineQuantile: UInt64, tolerance: Double) {
        self.quantile = quantile
        self.failThreshold = HistogramLayout.bucketUpperBound(containing: baselineQuantile)
        let scaled = UInt64(Double(failThreshold) * (1 + tolerance))
        let index = HistogramLayout.bucketIndex(of: scaled)
        let bound = HistogramLayout.upperBound(ofBucket: index)
        // The bucket holding the scaled value may end above it: step back one bucket then.
        self.passThreshold = bound > scaled && index > 0 ? HistogramLayout.upperBound(ofBucket: index - 1) : bound
    }
}
