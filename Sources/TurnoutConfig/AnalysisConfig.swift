/// Tolerances of the canary analyzer (SPEC §9).
public struct AnalysisConfig: Sendable, Equatable {
    /// 1 − the chance of rolling back a healthy canary over a whole rollout; in (0.5, 1).
    public var confidence: Double
    /// The largest tolerated increase of the canary's error rate over the baseline's, as an
    /// absolute difference of rates (0.005 = half a percentage point); in [0, 1).
    public var maxErrorRateIncrease: Double
    /// The largest tolerated relative increase of the latency quantile (0.10 = 10 % slower); ≥ 0.
    public var maxLatencyIncrease: Double
    /// The latency quantile compared (0.99 = p99); in (0, 1).
    public var latencyQuantile: Double
    /// Requests each side needs in a step before that step can pass; ≥ 1.
    public var minRequests: Int

    /// Creates an analysis section; the defaults are 0.99, 0.005, 0.10, 0.99 and 500.
    public init(
        confidence: Double = 0.99, maxErrorRateIncrease: Double = 0.005, maxLatencyIncrease: Double = 0.10,
        latencyQuantile: Double = 0.99, minRequests: Int = 500
    ) {
        self.confidence = confidence
        self.maxErrorRateIncrease = maxErrorRateIncrease
        self.maxLatencyIncrease = maxLatencyIncrease
        self.latencyQuantile = latencyQuantile
        self.minRequests = minRequests
    }
}
