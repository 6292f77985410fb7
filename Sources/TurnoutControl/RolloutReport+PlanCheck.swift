import TurnoutRollout

extension RolloutReport {
    /// `plan_check` of the rollout report: what the plan was checked against at the start, or
    /// `checked: false` with null rates when no baseline traffic was measured.
    static func planCheckDocument(_ rollout: Rollout) -> PlanCheckDocument {
        guard let check = rollout.planCheck else {
            return PlanCheckDocument(checked: false, forced: false, splitRate: nil, baselineRate: nil, measuredSeconds: nil,
                                     summary: ControlPlane.planNotChecked, steps: [])
        }
        return PlanCheckDocument(
            checked: true,
            forced: check.forced,
            splitRate: rounded(check.splitRate, 3),
            baselineRate: rounded(check.baselineRate, 3),
            measuredSeconds: rounded(check.measuredSeconds, 1),
            summary: rollout.plan.summary(check),
            steps: check.steps.map { step in
                PlanStepDocument(step: step.stepIndex + 1, weight: step.weight, holdSeconds: step.holdSeconds,
                                 canaryRate: rounded(step.canaryRate, 3),
                                 // nil: the canary would get no traffic, so the step never gets there.
                                 secondsToMinRequests: step.secondsToMinRequests.map { rounded($0, 1) },
                                 secondsNeeded: step.secondsNeeded.map { rounded($0, 1) },
                                 fits: step.fits)
            })
    }
}
