/// How one simulated rollout ended, for one judge.
struct RolloutResult: Sendable {
    /// The end state.
    enum Outcome: Sendable { case rolledBack, promoted, stalled }
    /// The end state.
    var outcome: Outcome = .stalled
    /// Seconds from the rollout's start to the end state.
    var seconds = 0.0
    /// Canary requests served until then.
    var canaryRequests: UInt64 = 0
    /// Errors served by the canary beyond the baseline's rate until then.
    var excessErrors = 0.0
}
