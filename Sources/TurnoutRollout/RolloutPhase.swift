/// Where a rollout stands, as the documents, `/metrics` and the history name it: the wire name of
/// a `ReleaseState`, which carries the data (`Rollout.phase` derives it). The raw values are
/// the wire names (`GET /splits/NAME/rollout`, `/metrics`, the state file).
public enum RolloutPhase: String, Sendable, Equatable, Codable, CaseIterable {
    /// Moving through its steps under the analyzer.
    case running
    /// Waiting for `resume`: a pause step, or an operator's pause. The analyzer still looks, so
    /// a canary that fails while paused is still rolled back.
    case paused
    /// A step could not earn its advance within `max_step_s`; waits for an operator (`promote`,
    /// `abort`, or `resume` to try the step again). The analyzer still looks.
    case stalled
    /// Finished: the canary has 100 %.
    case promoted
    /// Finished: the analyzer failed the canary, which is back at 0 %.
    case rolledBack = "rolled_back"
    /// Finished: an operator aborted, the canary is back at 0 %.
    case aborted

    /// Whether the rollout is over (nothing it does changes weights any more).
    public var isFinished: Bool { self == .promoted || self == .rolledBack || self == .aborted }
}

/// What a rollout did, as the history, the notifications and the controller name it. The raw
/// values are the history's `action` names.
public enum RolloutEvent: String, Sendable, Equatable, Codable, CaseIterable {
    case started = "rollout_start"
    case advanced = "rollout_step"
    case paused = "rollout_pause"
    case resumed = "rollout_resume"
    case stalled = "rollout_stall"
    case promoted = "rollout_promote"
    case rolledBack = "rollout_rollback"
    case aborted = "rollout_abort"
}

/// One thing the controller must apply: a history entry and, when the canary's share changed,
/// the split's new weights.
public struct RolloutChange: Sendable, Equatable {
    public var event: RolloutEvent
    /// The canary's new percent (the baseline gets the rest), nil when the weights stay.
    public var canaryWeight: Int?
    /// Why, in words.
    public var reason: String

    public init(event: RolloutEvent, canaryWeight: Int?, reason: String) {
        self.event = event
        self.canaryWeight = canaryWeight
        self.reason = reason
    }
}

/// An operator's command to a rollout.
public enum RolloutVerb: String, Sendable, Equatable, CaseIterable {
    case pause, resume, abort, promote
}

/// Why a verb was refused; nothing changed.
public struct RolloutRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
