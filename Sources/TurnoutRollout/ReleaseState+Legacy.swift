/// A rollout's state as Turnout wrote it before `ReleaseState`: a phase beside loose fields.
/// State files and fleets' state keys written then carry these keys and no `state`; Turnout
/// reads them, and still writes them beside `state` so that an earlier Turnout reads what this
/// one wrote (see `Rollout.init(from:)`).
struct LegacyReleaseFields: Sendable, Equatable {
    /// `running`, `paused`, `stalled`, `promoted`, `rolled_back` or `aborted`.
    var phase: RolloutPhase
    /// The step in force.
    var stepIndex: Int
    /// Whether a pause was an operator's (resume continues the step) rather than a pause step's.
    var pausedByOperator: Bool
    /// When the rollout finished, absent while it runs.
    var finishedAt: Double?
}

extension ReleaseState {
    /// The state those fields describe. Two facts they never held are filled in: a stall's time
    /// is taken as the moment its step reached `max_step_s` (the earliest the stall can have
    /// happened; the look that stalled it came at most one interval later), and a finished
    /// rollout without `finishedAt`, which Turnout never wrote, as ending at its last look.
    init(_ legacy: LegacyReleaseFields, stepStartedAt: Double, maxStepSeconds: Int, lastLookAt: Double?) {
        let step = legacy.stepIndex
        switch legacy.phase {
        case .running:
            self = .running(step: step)
        case .paused:
            self = .paused(step: step, by: legacy.pausedByOperator ? .operator : .pauseStep)
        case .stalled:
            self = .stalled(step: step, since: stepStartedAt + Double(maxStepSeconds))
        case .promoted, .rolledBack, .aborted:
            self = .finished(Outcome(legacy.phase)!, step: step, at: legacy.finishedAt ?? lastLookAt ?? stepStartedAt)
        }
    }

    /// The fields an earlier Turnout reads. A stall's time has no field there; a release not
    /// started (never written) reads as running at its first step, as it did then.
    var legacyFields: LegacyReleaseFields {
        switch self {
        case .notStarted, .running:
            LegacyReleaseFields(phase: .running, stepIndex: step, pausedByOperator: false)
        case .paused(let step, let pauser):
            LegacyReleaseFields(phase: .paused, stepIndex: step, pausedByOperator: pauser == .operator)
        case .stalled(let step, _):
            LegacyReleaseFields(phase: .stalled, stepIndex: step, pausedByOperator: false)
        case .finished(let outcome, let step, let at):
            LegacyReleaseFields(phase: outcome.phase, stepIndex: step, pausedByOperator: false, finishedAt: at)
        }
    }
}
