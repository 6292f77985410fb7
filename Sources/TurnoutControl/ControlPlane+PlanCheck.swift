import TurnoutMetrics
import TurnoutRollout

/// The baseline pool's traffic before a rollout starts, as the stats timeline's 5-minute window
/// holds it (less right after turnout started: `seconds` says how much). It fixes the latency
/// thresholds, seeds the analyzer's baseline error rate, and checks the plan's pace (SPEC §9).
public struct BaselineTraffic: Sendable {
    /// Requests the baseline pool completed in the window.
    public var requests: UInt64
    /// Of those, failures as a rollout's look counts them: 5xx answers and upstream errors.
    public var errors: UInt64
    /// Their latency.
    public var latency: Histogram
    /// The seconds the window covers.
    public var seconds: Double

    /// The traffic of a window covering `seconds`.
    public init(requests: UInt64, errors: UInt64, latency: Histogram, seconds: Double) {
        self.requests = requests
        self.errors = errors
        self.latency = latency
        self.seconds = seconds
    }

    /// Requests per second over the window; 0 when it covers no time.
    public var rate: Double { seconds > 0 ? Double(requests) / seconds : 0 }
}

extension ControlPlane {
    /// The check of `plan` against the baseline's traffic, the split carrying `weights`: the
    /// split's rate is the baseline's over its share. Nil (the plan is not checked) when no
    /// baseline traffic was measured or the baseline has no share to scale by.
    static func planCheck(_ plan: RolloutPlan, baseline: BaselineTraffic?, weights: [String: Int]) -> PlanCheck? {
        guard let baseline, baseline.requests > 0, baseline.seconds > 0 else { return nil }
        let total = weights.values.reduce(0, +)
        guard total > 0, let splitRate = PlanCheck.splitRate(baselineRate: baseline.rate,
                                                             baselineShare: Double(weights[plan.baseline] ?? 0) / Double(total)) else { return nil }
        return plan.feasibility(splitRate: splitRate, baselineRate: baseline.rate, measuredSeconds: baseline.seconds)
    }

    /// What the report says when a rollout's plan was not checked at its start.
    static let planNotChecked = "no baseline traffic measured yet: the plan was not checked"
}
