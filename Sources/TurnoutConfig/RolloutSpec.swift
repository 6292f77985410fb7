/// A rollout as written in a configuration template (`"rollouts": {"web": {…}}`) or in the body
/// of `POST /splits/NAME/rollout` (SPEC §9), decoded and checked: both pools are in the split
/// and differ, weights rise, and the analysis block is the configuration's with the rollout's
/// overrides applied.
public struct RolloutSpec: Sendable, Equatable {
    /// The split it moves.
    public var split: String
    /// The pool that serves today and the pool rolled out.
    public var baseline: String
    public var canary: String
    /// The steps in order, ending with `weight(100)` (appended when missing).
    public var steps: [Step]
    /// `hold` or `proven`.
    public var advance: Advance
    /// The analysis settings in force for this rollout.
    public var analysis: AnalysisConfig

    /// One step.
    public enum Step: Sendable, Equatable {
        /// The canary's percent (1…100) held for at least `holdS` seconds.
        case weight(Int, holdS: Int)
        /// Waits for `resume`.
        case pause
    }

    /// How a weight step earns its advance.
    public enum Advance: String, Sendable, Equatable, CaseIterable {
        case hold, proven
    }

    public init(split: String, baseline: String, canary: String, steps: [Step], advance: Advance, analysis: AnalysisConfig) {
        self.split = split
        self.baseline = baseline
        self.canary = canary
        self.steps = steps
        self.advance = advance
        self.analysis = analysis
    }
}
