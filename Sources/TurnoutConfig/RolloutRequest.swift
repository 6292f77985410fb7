/// A rollout asked for through the admin API (`POST /splits/NAME/rollout`): the rollout, and
/// whether the operator forces it past the plan check (SPEC §9). Kept apart from `RolloutSpec`
/// because `force` is a decision of one request, never part of a configuration template.
public struct RolloutRequest: Sendable, Equatable {
    /// The rollout to start.
    public var spec: RolloutSpec
    /// `"force": true`: start even when a step cannot reach `min_requests` within `max_step_s`
    /// at the traffic measured now.
    public var force: Bool

    /// A request for `spec`, forced or not.
    public init(spec: RolloutSpec, force: Bool) {
        self.spec = spec
        self.force = force
    }
}
