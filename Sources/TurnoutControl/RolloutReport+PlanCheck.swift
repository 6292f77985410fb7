import Foundation
import TurnoutRollout

extension RolloutReport {
    /// `plan_check` of the rollout report: the traffic the plan was checked against at the start
    /// and, per weight step, the canary's expected rate and the seconds it needs to reach
    /// `min_requests`. Always an object; `checked` is false (and the rates null) when no
    /// baseline traffic was measured, so readers need not tell a missing key from a null.
    static func planCheckDocument(_ rollout: Rollout) -> [String: Any] {
        guard let check = rollout.planCheck else {
            return ["checked": false, "forced": false, "split_rps": NSNull(), "baseline_rps": NSNull(), "measured_s": NSNull(),
                    "summary": ControlPlane.planNotChecked, "steps": [Any]()]
        }
        return [
            "checked": true,
            "forced": check.forced,
            "split_rps": rounded(check.splitRate, 3),
            "baseline_rps": rounded(check.baselineRate, 3),
            "measured_s": rounded(check.measuredSeconds, 1),
            "summary": rollout.plan.summary(check),
            "steps": check.steps.map { step -> [String: Any] in
                [
                    "step": step.stepIndex + 1,
                    "weight": step.weight,
                    "hold_s": step.holdSeconds,
                    "canary_rps": rounded(step.canaryRate, 3),
                    // null: the canary would get no traffic, so the step never gets there.
                    "seconds_to_min_requests": step.secondsToMinRequests.map { rounded($0, 1) } ?? NSNull(),
                    "seconds_needed": step.secondsNeeded.map { rounded($0, 1) } ?? NSNull(),
                    "fits": step.fits,
                ]
            },
        ]
    }
}
