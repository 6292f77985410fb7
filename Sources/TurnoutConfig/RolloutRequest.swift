import TurnoutRollout

/// A rollout asked for through the admin API (`POST /splits/NAME/rollout`): the plan, and
/// whether the operator forces it past the plan check (SPEC §9). Kept apart from `RolloutPlan`
/// because `force` is a decision of one request, never part of a configuration template; the
/// split is the request's path.
public struct RolloutRequest: Sendable, Equatable {
    /// The rollout to start.
    public var plan: RolloutPlan
    /// `"force": true`: start even when a step cannot reach `min_requests` within `max_step_s`
    /// at the traffic measured now.
    public var force: Bool

    /// A request for `plan`, forced or not.
    public init(plan: RolloutPlan, force: Bool) {
        self.plan = plan
        self.force = force
    }
}
