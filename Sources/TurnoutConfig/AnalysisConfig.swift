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
    /// Milliseconds between a rollout's looks at the traffic.
    public var intervalMs: Int
    /// Seconds after the canary first takes traffic that the analyzer ignores (cold caches).
    public var warmupS: Int
    /// Seconds a rollout step may take to earn its advance before it is reported stalled.
    public var maxStepS: Int

    /// Creates an analysis section; the defaults are 0.99, 0.005, 0.10, 0.99, 500, 1000 ms, 0 s
    /// and 1800 s.
    public init(
        confidence: Double = 0.99, maxErrorRateIncrease: Double = 0.005, maxLatencyIncrease: Double = 0.10,
        latencyQuantile: Double = 0.99, minRequests: Int = 500, intervalMs: Int = 1_000, warmupS: Int = 0,
        maxStepS: Int = 1_800
    ) {
        self.intervalMs = intervalMs
        self.warmupS = warmupS
        self.maxStepS = maxStepS
        self.confidence = confidence
        self.maxErrorRateIncrease = maxErrorRateIncrease
        self.maxLatencyIncrease = maxLatencyIncrease
        self.latencyQuantile = latencyQuantile
        self.minRequests = minRequests
    }
}
