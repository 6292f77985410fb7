import TurnoutRollout

extension CtlFormat {
    /// The report's `plan_check` as lines under the steps: the summary, then per weight step the
    /// canary's expected rate and how long it needs to reach `min_requests`. Empty for a report
    /// from a turnout that does not check plans.
    static func planCheck(_ value: Any?) -> String {
        guard let check = value as? [String: Any] else { return "" }
        var out = "plan:     \(text(check["summary"]))\n"
        for step in check["steps"] as? [[String: Any]] ?? [] {
            let hold = (step["hold_s"] as? Int ?? 0) > 0 ? ", hold \(text(step["hold_s"])) s" : ""
            let toMinimum = (step["seconds_to_min_requests"] as? Double).map { "about \(PlanFormat.about($0)) s to min_requests" }
                ?? "never reaches min_requests"
            let fits = step["fits"] as? Bool == true ? "fits" : "does not fit within max_step_s"
            out += "          step \(text(step["step"])) at \(text(step["weight"])) %: \(PlanFormat.rate(step["canary_rps"] as? Double ?? 0)) canary requests/s, \(toMinimum)\(hold): \(fits)\n"
        }
        return out
    }
}
