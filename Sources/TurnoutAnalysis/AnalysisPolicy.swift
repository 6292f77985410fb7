/// How much worse than baseline a canary may be and still advance, for the error rate.
public enum ErrorTolerance: Sendable, Equatable, Codable {
    /// Canary error rate ≤ baseline × (1 + r). Exact under any drift of the base rate.
    case relative(Double)
    /// Canary error rate ≤ baseline + a (a is a rate: 0.005 = half a percentage point). The
    /// tests turn it into a ratio 1 + a / p at each look, with p the baseline's rate from earlier
    /// looks (so the ratio is fixed before the look's data are seen): the fail test at p's lower
    /// bound, the pass test at the step's estimate clamped to `absoluteRatioBounds`. It holds
    /// exactly while the base rate is steady over the last half minute or so.
    case absolute(Double)
}

/// The analyzer's parameters, and how SPEC §2's `analysis` block maps onto them. The block itself
/// is `TurnoutRollout.AnalysisSettings`, whose `policy` is the one place a policy is made from it.
///
/// **The tolerances define a good canary**: its error rate is at most the baseline's +
/// `max_error_rate_increase`, and its latency quantile at most (1 + `max_latency_increase`) × the
/// baseline's. A canary within them is good however much traffic shows it a little worse; one
/// beyond them is bad. Two kinds of test use the same lines from opposite sides:
///
/// * **Fail tests** ask "is the canary beyond a tolerance?" They run over the whole rollout,
///   across weight steps, and any one of them crossing its threshold rolls back. Their
///   false-alarm rates add up to at most 1 − `confidence` over the entire rollout, however often
///   the analyzer looks, for any canary within its tolerances.
/// * **Pass tests** ask "is the canary within the tolerances?" Each step needs every pass test
///   to succeed, plus `minRequests` canary requests and `minimumHoldSeconds`, before it advances
///   in proven mode. A canary beyond a tolerance passes a step with probability at most
///   1 − `confidence`.
///
/// Near a line neither may be shown for a long time: the report says how near ("within about
/// ±x of the tolerance: cannot tell yet"), proven mode waits, hold mode advances.
public struct AnalysisPolicy: Sendable, Equatable, Codable {
    /// 1 − confidence bounds both the chance that a canary within its tolerances is ever rolled
    /// back and the chance that one beyond a tolerance passes a step.
    public var confidence: Double
    /// How much worse than baseline the canary's error rate may be.
    public var errorTolerance: ErrorTolerance
    /// How much slower the canary may be: canary q-quantile ≤ baseline q-quantile × (1 + this).
    public var latencyTolerance: Double
    /// Latency quantiles tested (each gets its own fail and pass test).
    public var latencyQuantiles: [Double]
    /// Canary requests a step must see before it may pass.
    public var minRequests: UInt64
    /// Seconds a step must last before it may pass.
    public var minimumHoldSeconds: Double
    /// Share of the false-rollback budget given to the error test; the rest is split evenly
    /// between the latency quantiles.
    public var errorShareOfAlpha: Double
    /// Bounds on the pass test's ratio margin derived from an absolute error tolerance (the fail
    /// tests take the tolerance as it is). The floor 1.5 keeps a
    /// rollout able to finish during an incident that multiplies both pools' base rate (at a 5 %
    /// base, +0.005 would be a ×1.1 margin that takes hours to show); the ceiling ×4 keeps a
    /// near-zero base rate from allowing anything.
    public var absoluteRatioBounds: ClosedRange<Double>
    /// Floor of the extra-binomial variance allowance: every log likelihood ratio is divided by
    /// max(this, the running `DispersionEstimate`), which keeps the tests valid when errors come
    /// in bursts (a noisy host) at some cost in speed. 1 lets the data decide.
    public var dispersion: Double

    /// A policy from SPEC §2's `analysis` block. `max_error_rate_increase` is read as an absolute
    /// increase of the error rate, `max_latency_increase` as a relative increase of the
    /// `latency_quantile`.
    public init(confidence: Double = 0.99, maxErrorRateIncrease: Double = 0.005,
                maxLatencyIncrease: Double = 0.10, latencyQuantile: Double = 0.99,
                minRequests: UInt64 = 500, minimumHoldSeconds: Double = 30) {
        self.confidence = confidence
        self.errorTolerance = .absolute(maxErrorRateIncrease)
        self.latencyTolerance = maxLatencyIncrease
        self.latencyQuantiles = [latencyQuantile]
        self.minRequests = minRequests
        self.minimumHoldSeconds = minimumHoldSeconds
        self.errorShareOfAlpha = 0.5
        self.absoluteRatioBounds = 1.5...4.0
        self.dispersion = 1
    }

    /// The false-alarm budget 1 − confidence.
    public var alpha: Double { 1 - confidence }
    /// Budget of the error fail test.
    var errorFailAlpha: Double {
        latencyQuantiles.isEmpty ? alpha : alpha * errorShareOfAlpha
    }
    /// Budget of each latency fail test.
    var latencyFailAlpha: Double {
        latencyQuantiles.isEmpty ? 0 : alpha * (1 - errorShareOfAlpha) / Double(latencyQuantiles.count)
    }
}
