import TurnoutControl
import TurnoutRollout

extension CtlFormat {
    /// The report's `plan_check` as lines under the steps: the summary, then per weight step the
    /// canary's expected rate and how long it needs to reach `min_requests`. Empty for a report
    /// from a turnout that does not check plans.
    static func planCheck(_ check: PlanCheckDocument?) -> String {
        guard let check else { return "" }
        var out = "plan:     \(check.summary)\n"
        for step in check.steps {
            let hold = step.holdSeconds > 0 ? ", hold \(step.holdSeconds) s" : ""
            let toMinimum = step.secondsToMinRequests.map { "about \(PlanFormat.about($0)) s to min_requests" } ?? "never reaches min_requests"
            let fits = step.fits ? "fits" : "does not fit within max_step_s"
            out += "          step \(step.step) at \(step.weight) %: \(PlanFormat.rate(step.canaryRate)) canary requests/s, \(toMinimum)\(hold): \(fits)\n"
        }
        return out
    }
}
