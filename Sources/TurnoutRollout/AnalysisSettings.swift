import TurnoutAnalysis

/// The `analysis` settings (SPEC §2 and §9) as an operator writes them: the configuration's
/// top-level block (`Config.analysis`), and for one release that block with the release's own
/// overrides (`RolloutPlan.analysis`). The configuration decodes straight into this type, so every
/// field is spelled once, here; the ranges in the comments are the ones `ConfigDecoder` enforces.
public struct AnalysisSettings: Sendable, Equatable, Codable {
    /// 1 − the chance of rolling back a healthy canary over a whole rollout; in (0.5, 1).
    public var confidence: Double
    /// The largest tolerated increase of the canary's error rate over the baseline's, as an
    /// absolute difference of rates (0.005 = half a percentage point); in [0, 1).
    public var maxErrorRateIncrease: Double
    /// The largest tolerated relative increase of the latency quantile (0.10 = 10 % slower); ≥ 0.
    public var maxLatencyIncrease: Double
    /// The latency quantile compared (0.99 = p99); in (0, 1).
    public var latencyQuantile: Double
    /// Canary requests a step needs before it can advance; ≥ 1.
    public var minRequests: Int
    /// Milliseconds between a release's looks at the traffic.
    public var intervalMs: Int
    /// Seconds after the canary first takes traffic that the analyzer ignores, both pools alike
    /// (cold caches).
    public var warmupSeconds: Int
    /// Seconds a weight step may take to earn its advance before it is reported stalled.
    public var maxStepSeconds: Int

    /// Settings with SPEC §2's defaults: 0.99, 0.005, 0.10, 0.99, 500, 1000 ms, 0 s and 1800 s.
    public init(confidence: Double = 0.99, maxErrorRateIncrease: Double = 0.005, maxLatencyIncrease: Double = 0.10,
                latencyQuantile: Double = 0.99, minRequests: Int = 500, intervalMs: Int = 1_000,
                warmupSeconds: Int = 0, maxStepSeconds: Int = 1_800) {
        self.confidence = confidence
        self.maxErrorRateIncrease = maxErrorRateIncrease
        self.maxLatencyIncrease = maxLatencyIncrease
        self.latencyQuantile = latencyQuantile
        self.minRequests = minRequests
        self.intervalMs = intervalMs
        self.warmupSeconds = warmupSeconds
        self.maxStepSeconds = maxStepSeconds
    }

    /// The analyzer's policy, derived here and nowhere else. `AnalysisPolicy` stays the
    /// analyzer's own input because `TurnoutAnalysis` sits below the release module and takes
    /// more than an operator writes (a relative error tolerance, several quantiles, the split of
    /// the false-alarm budget, the dispersion floor), which its tests and the simulator vary;
    /// the operator's words map onto it only here. Its own minimum hold is 0: each step's
    /// `hold_s` is the release's to enforce, in both advance modes.
    public var policy: AnalysisPolicy {
        AnalysisPolicy(confidence: confidence, maxErrorRateIncrease: maxErrorRateIncrease,
                       maxLatencyIncrease: maxLatencyIncrease, latencyQuantile: latencyQuantile,
                       minRequests: UInt64(minRequests), minimumHoldSeconds: 0)
    }
}
