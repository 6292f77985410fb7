/// How much worse than baseline a canary may be and still advance, for the error rate.
public enum ErrorTolerance: Sendable, Equatable, Codable {
    /// Canary error rate ≤ baseline × (1 + r). Exact under any drift of the base rate.
    case relative(Double)
    /// Canary error rate ≤ baseline + a (a is a rate: 0.005 = half a percentage point). The
    /// analyzer turns it into a ratio 1 + a / p̂ at each look, with p̂ the baseline's rate over the
    /// earlier looks of the step (so the margin is fixed before the look's data are seen); it is
    /// exact while the base rate is steady within a step and clamped to `absoluteRatioBounds`.
    case absolute(Double)
}

/// The analyzer's parameters, and how SPEC §2's `analysis` block maps onto them.
///
/// Two kinds of test run side by side, and the tolerances mean different things for each:
///
/// * **Fail tests** ask "is the canary worse than baseline at all?" (error-rate ratio > 1 +
///   `errorFailSlack`, or more of the canary's requests above the baseline's q-quantile than of
///   the baseline's). They run over the whole rollout, across weight steps, and any one of them
///   crossing its threshold rolls back. Their false-alarm rates add up to at most 1 − `confidence`
///   over the entire rollout, however often the analyzer looks.
/// * **Pass tests** ask "is the canary within the tolerances?" (non-inferiority: error rate below
///   the `errorTolerance` margin, and the canary's q-quantile below (1 + `latencyTolerance`) × the
///   baseline's). Each step needs every pass test to succeed, plus `minRequests` canary requests
///   and `minimumHoldSeconds`, before it advances. A canary that really is outside a tolerance
///   passes a step with probability at most 1 − `confidence`, so it is promoted less often still.
///
/// A canary between "equal" and "at the tolerance" may end either way; one exactly at the
/// tolerance or beyond is never promoted except with probability ≤ 1 − `confidence`, and one that
/// is healthy is never rolled back except with that probability. So with the defaults an error
/// rate ×1.5 is caught by the fail test (it is worse), ×2 can never pass (it is at the absolute
/// margin 0.005 over a 0.5 % base), and p99 +10 % can never pass (at the latency margin) while
/// its fail test catches it.
public struct AnalysisPolicy: Sendable, Equatable, Codable {
    /// 1 − confidence bounds both the family-wise false-rollback rate of a rollout and the
    /// chance that a canary outside a tolerance passes a step.
    public var confidence: Double
    /// Non-inferiority margin for the error rate (the pass test).
    public var errorTolerance: ErrorTolerance
    /// Relative slack of the error fail test: it proves "canary rate > baseline × (1 + slack)".
    public var errorFailSlack: Double
    /// Non-inferiority margin for latency: canary q-quantile < baseline q-quantile × (1 + this).
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
    /// Bounds on the ratio margin derived from an absolute error tolerance. The floor 1.5 keeps a
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
        self.errorFailSlack = 0
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
