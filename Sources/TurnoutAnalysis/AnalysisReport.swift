import Glibc

/// One metric's state in a report: estimates with intervals, evidence, and its own state.
public struct MetricReport: Sendable, Equatable {
    /// "error rate" or "p99 latency".
    public var name: String
    /// Canary estimate over this step: its error rate, or its share of requests slower than
    /// (1 + tolerance) × baseline's quantile.
    public var canaryEstimate: Double
    /// Baseline estimate over this step: its error rate, or its share slower than its quantile.
    public var baselineEstimate: Double
    /// Canary/baseline ratio of the two estimates over this step (nil before any event); for
    /// latency, 1 is exactly the tolerance.
    public var ratio: Double?
    /// Anytime-valid confidence sequence for the ratio at the policy's confidence.
    public var ratioInterval: ClosedRange<Double>
    /// The fail test's e-value (whole rollout) and the value at which it fails.
    public var failEvidence: Double
    /// Threshold of the fail test (1/α of its share of the budget).
    public var failThreshold: Double
    /// The pass test's e-value (this step) and its threshold.
    public var passEvidence: Double
    /// Threshold of the pass test.
    public var passThreshold: Double
    /// The tolerance the pass test proves, as a ratio ("< 2.0 × baseline").
    public var passMargin: Double
    /// Plain-words summary of this metric.
    public var summary: String
}

/// What `GET /splits/NAME/rollout` shows about the analysis (SPEC §9).
public struct AnalysisReport: Sendable, Equatable {
    /// Step number, from 0.
    public var step: Int
    /// Canary share in force.
    public var canaryWeight: Double
    /// Seconds in this step.
    public var stepSeconds: Double
    /// Canary and baseline requests in this step.
    public var canaryRequests: UInt64
    /// Baseline requests in this step.
    public var baselineRequests: UInt64
    /// The decision.
    public var verdict: Verdict
    /// Why, in words an operator can act on.
    public var reason: String
    /// Error rate first, then each latency quantile.
    public var metrics: [MetricReport]

    /// The report as a few lines of text.
    public var text: String {
        var lines = ["step \(step + 1) at \(Format.percent(canaryWeight)) canary, \(Format.seconds(stepSeconds)), \(canaryRequests) canary / \(baselineRequests) baseline requests: \(verdict.rawValue) — \(reason)"]
        for m in metrics { lines.append("  " + m.summary) }
        return lines.joined(separator: "\n")
    }
}

extension CanaryAnalyzer {
    /// The current state for operators.
    public func report() -> AnalysisReport {
        let alpha = policy.alpha
        var metrics: [MetricReport] = []
        let cRate = rate(stepCanary.errors, stepCanary.requests)
        let bRate = rate(stepBaseline.errors, stepBaseline.requests)
        let interval = errorLikelihood.interval(alpha: alpha)
        let tolerance = lastErrorToleranceRatio.map { "line at \(Format.decimal($0, 2))× baseline's rate" }
            ?? "baseline's rate near 0: the canary's own rate is tested"
        metrics.append(MetricReport(
            name: "error rate", canaryEstimate: cRate, baselineEstimate: bRate,
            ratio: errorLikelihood.estimate, ratioInterval: interval,
            failEvidence: errorFailEvidence, failThreshold: errorFailThreshold,
            passEvidence: errorPassEvidence, passThreshold: errorPassThreshold, passMargin: lastErrorMargin,
            summary: "error rate: canary \(Format.percent(cRate)), baseline \(Format.percent(bRate)), tolerance \(toleranceWords); ratio \(Format.ratio(errorLikelihood.estimate, interval)); beyond-tolerance evidence \(Format.evidence(errorFailEvidence))/\(Format.evidence(errorFailThreshold)) (\(tolerance)), within-tolerance (< \(Format.decimal(lastErrorMargin, 2))×) evidence \(Format.evidence(errorPassEvidence))/\(Format.evidence(errorPassThreshold))"))
        for i in latencyLikelihoods.indices {
            let likelihood = latencyLikelihoods[i]
            let quantile = Format.quantileName(policy.latencyQuantiles[i])
            let name = quantile + " latency"
            let c = rate(likelihood.canaryEvents, likelihood.canaryRequests)
            let b = rate(likelihood.baselineEvents, likelihood.baselineRequests)
            let ci = likelihood.interval(alpha: alpha)
            let lines = i < latencyThresholds.count
                ? "canary's share above \(Format.milliseconds(latencyThresholds[i].passBound)) \(Format.percent(c)), baseline's above its \(quantile) \(Format.milliseconds(latencyThresholds[i].baselineBound)) \(Format.percent(b))"
                : "thresholds not yet measured"
            metrics.append(MetricReport(
                name: name, canaryEstimate: c, baselineEstimate: b,
                ratio: likelihood.estimate, ratioInterval: ci,
                failEvidence: latencyFail[i].evidence, failThreshold: 1 / policy.latencyFailAlpha,
                passEvidence: latencyPass[i].evidence, passThreshold: 1 / alpha, passMargin: 1 + policy.latencyTolerance,
                summary: "\(name) (tolerance +\(Format.percent(policy.latencyTolerance))): \(lines); ratio \(Format.ratio(likelihood.estimate, ci)) (1 is the tolerance); beyond-tolerance evidence \(Format.evidence(latencyFail[i].evidence))/\(Format.evidence(1 / policy.latencyFailAlpha)), within-tolerance evidence \(Format.evidence(latencyPass[i].evidence))/\(Format.evidence(1 / alpha))"))
        }
        return AnalysisReport(step: step, canaryWeight: canaryWeight, stepSeconds: stepSeconds,
                              canaryRequests: stepCanary.requests, baselineRequests: stepBaseline.requests,
                              verdict: verdict, reason: reason, metrics: metrics)
    }

    /// events / requests, 0 when there are no requests.
    func rate(_ events: UInt64, _ requests: UInt64) -> Double {
        requests == 0 ? 0 : Double(events) / Double(requests)
    }
}
