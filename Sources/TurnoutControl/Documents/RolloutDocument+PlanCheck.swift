/// The rollout report's `plan_check`: the traffic the plan was checked against at the start and,
/// per weight step, the canary's expected rate and the seconds it needs to reach `min_requests`.
/// Always an object; `checked` is false (and the rates null) when no baseline traffic was
/// measured, so readers need not tell a missing key from a null.
public struct PlanCheckDocument: Codable, Sendable, Equatable {
    public var checked: Bool
    /// Started with `"force": true` although a step does not fit.
    public var forced: Bool
    /// Requests per second of the split and of the baseline pool, and the seconds they were
    /// measured over.
    @Nullable public var splitRate: Double?
    @Nullable public var baselineRate: Double?
    @Nullable public var measuredSeconds: Double?
    /// The check in words.
    public var summary: String
    /// One per weight step that earns an advance.
    public var steps: [PlanStepDocument]

    enum CodingKeys: String, CodingKey {
        case checked, forced, splitRate = "split_rps", baselineRate = "baseline_rps", measuredSeconds = "measured_s", summary, steps
    }
}

/// One weight step of the plan check.
public struct PlanStepDocument: Codable, Sendable, Equatable {
    /// The step's number, from 1.
    public var step: Int
    public var weight: Int
    public var holdSeconds: Int
    /// Canary requests per second expected at that weight.
    public var canaryRate: Double
    /// Null: the canary would get no traffic, so the step never gets there.
    @Nullable public var secondsToMinRequests: Double?
    @Nullable public var secondsNeeded: Double?
    /// Whether the step can advance within `max_step_s`.
    public var fits: Bool

    enum CodingKeys: String, CodingKey {
        case step, weight, holdSeconds = "hold_s", canaryRate = "canary_rps", secondsToMinRequests = "seconds_to_min_requests",
             secondsNeeded = "seconds_needed", fits
    }
}
