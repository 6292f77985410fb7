/// Where a release stands, each case carrying the data only it has: the step it is at, who paused
/// it, since when it is stalled, how and when it ended. One value, so no combination of loose
/// fields can contradict another (a "paused by an operator" flag on a running release, a finish
/// time on a live one). `RolloutPhase` is its wire name (`phase`).
///
/// `step` is an index into the plan's steps in every case (people read it from 1).
public enum ReleaseState: Sendable, Equatable, Codable {
    /// Made, its first step not entered yet (`Rollout.start` enters it). The control plane stores
    /// a release only once started, so this state is never saved nor reported.
    case notStarted
    /// Moving through its steps under the analyzer.
    case running(step: Int)
    /// Waiting for `resume`. The analyzer still looks, so a canary that fails while paused is
    /// still rolled back.
    case paused(step: Int, by: Pauser)
    /// The step could not earn its advance within `max_step_s`; stalled since `since` (seconds on
    /// the caller's clock), waiting for an operator (`promote`, `abort`, or `resume` to try the
    /// step again). The analyzer still looks.
    case stalled(step: Int, since: Double)
    /// Over at `at`, at `step` (the step in force when it ended): nothing it does changes
    /// weights any more.
    case finished(Outcome, step: Int, at: Double)

    /// `{"finished": {"outcome": "promoted", "step": 3, "at": …}}` in the state file rather than
    /// Swift's `_0`; the other cases are spelled by their labels.
    enum FinishedCodingKeys: String, CodingKey {
        case _0 = "outcome", step, at
    }

    /// Who paused a release; `resume` does different things after each.
    public enum Pauser: String, Sendable, Equatable, Codable, CaseIterable {
        /// An operator's `pause`: `resume` continues the same step, whose hold kept counting.
        case `operator`
        /// The plan's `{"pause": true}` step: `resume` moves on to the next step.
        case pauseStep = "pause_step"
    }

    /// How a release ended.
    public enum Outcome: Sendable, Equatable, CaseIterable {
        /// The canary has 100 %, by its last step or an operator's `promote`.
        case promoted
        /// The analyzer failed the canary (or its pool had no server up); it is back at 0 %.
        case rolledBack
        /// An operator (or a reload that took its pools away) aborted; the canary is back at 0 %.
        case aborted

        /// The phase a release that ended so is in.
        public var phase: RolloutPhase {
            switch self {
            case .promoted: .promoted
            case .rolledBack: .rolledBack
            case .aborted: .aborted
            }
        }

        /// The history's name for the ending.
        public var event: RolloutEvent {
            switch self {
            case .promoted: .promoted
            case .rolledBack: .rolledBack
            case .aborted: .aborted
            }
        }

        /// The outcome a finished phase names; nil for a live one.
        public init?(_ phase: RolloutPhase) {
            guard let outcome = Self.allCases.first(where: { $0.phase == phase }) else { return nil }
            self = outcome
        }
    }

    // MARK: Reading

    /// The step in force (0 before the start).
    public var step: Int {
        switch self {
        case .notStarted: 0
        case .running(let step), .paused(let step, _), .stalled(let step, _), .finished(_, let step, _): step
        }
    }

    /// The wire name: `running`, `paused`, `stalled`, `promoted`, `rolled_back`, `aborted`. A
    /// release not started reads `running`, as it always has; nothing shows one.
    public var phase: RolloutPhase {
        switch self {
        case .notStarted, .running: .running
        case .paused: .paused
        case .stalled: .stalled
        case .finished(let outcome, _, _): outcome.phase
        }
    }

    /// Whether the release is over.
    public var isFinished: Bool {
        if case .finished = self { return true }
        return false
    }

    /// When the release ended; nil while it is live.
    public var finishedAt: Double? {
        if case .finished(_, _, let at) = self { return at }
        return nil
    }
}

/// The state file spells an outcome as its phase (`promoted`, `rolled_back`, `aborted`), so the
/// names are written once, in `RolloutPhase`.
extension ReleaseState.Outcome: Codable {
    public init(from decoder: any Decoder) throws {
        let phase = try decoder.singleValueContainer().decode(RolloutPhase.self)
        guard let outcome = Self(phase) else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: decoder.codingPath, debugDescription: "\(phase.rawValue) is not how a release ends (promoted, rolled_back or aborted)"))
        }
        self = outcome
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(phase)
    }
}
