import TurnoutAnalysis
import TurnoutRollout

extension ControlPlane {
    /// The check of `plan` against the baseline's traffic, the split carrying `weights`: the
    /// split's rate is the baseline's over its share. Nil (the plan is not checked) when no
    /// baseline traffic was measured or the baseline has no share to scale by.
    static func planCheck(_ plan: RolloutPlan, baseline: PoolTraffic?, weights: [String: Int]) -> PlanCheck? {
        guard let baseline, baseline.requests > 0, baseline.seconds > 0 else { return nil }
        let total = weights.values.reduce(0, +)
        guard total > 0, let splitRate = PlanCheck.splitRate(baselineRate: baseline.rate,
                                                             baselineShare: Double(weights[plan.baseline] ?? 0) / Double(total)) else { return nil }
        return plan.feasibility(splitRate: splitRate, baselineRate: baseline.rate, measuredSeconds: baseline.seconds)
    }

    /// What the report says when a rollout's plan was not checked at its start.
    static let planNotChecked = "no baseline traffic measured yet: the plan was not checked"
}
