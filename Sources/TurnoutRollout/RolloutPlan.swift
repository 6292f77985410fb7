import TurnoutAnalysis

/// What a rollout does, fixed when it starts (SPEC §9): which pool replaces which, the steps
/// of the canary's share, how a step earns its advance, and the analysis settings in force.
/// The configuration's templates and the admin API's rollout body decode straight into it
/// (`ConfigDecoder.decodeRollout`), and the state file keeps it inside the `Rollout`.
public struct RolloutPlan: Sendable, Equatable, Codable {
    /// The pool that serves today.
    public var baseline: String
    /// The pool being rolled out.
    public var canary: String
    /// The steps in order; the last one is `weight(100)`, which promotes.
    public var steps: [RolloutStep]
    /// How a weight step earns its advance.
    public var advance: AdvanceMode
    /// Tolerances, intervals and limits: the configuration's, with the rollout's overrides.
    public var analysis: AnalysisSettings

    /// A plan whose steps are taken as given: a final 100 % step is appended when missing.
    /// `RolloutPlan.problems` says what is wrong with a plan before it is used.
    public init(baseline: String, canary: String, steps: [RolloutStep], advance: AdvanceMode = .hold,
                analysis: AnalysisSettings = AnalysisSettings()) {
        self.baseline = baseline
        self.canary = canary
        self.steps = steps
        if steps.last?.weight != 100 { self.steps.append(.weight(100, holdSeconds: 0)) }
        self.advance = advance
        self.analysis = analysis
    }

    /// The canary weight in force during step `index`: the last weight step's at or before it.
    public func canaryWeight(atStep index: Int) -> Int {
        steps[...min(index, steps.count - 1)].reversed().lazy.compactMap(\.weight).first ?? 0
    }
}

/// One step of a rollout.
public enum RolloutStep: Sendable, Equatable, Codable {
    /// The canary gets `percent` of the split (the baseline the rest) for at least `holdSeconds`.
    case weight(Int, holdSeconds: Int)
    /// Waits for an operator's `resume`, weights unchanged.
    case pause

    /// The canary's percent, nil for a pause.
    public var weight: Int? {
        if case .weight(let percent, _) = self { return percent }
        return nil
    }

    /// `5 % for 60 s`, `pause`, `100 %`.
    public var description: String {
        switch self {
        case .pause: return "pause"
        case .weight(let percent, let hold): return hold > 0 ? "\(percent) % for \(hold) s" : "\(percent) %"
        }
    }
}

/// What a weight step needs before it advances.
public enum AdvanceMode: String, Sendable, Equatable, Codable, CaseIterable {
    /// Its hold has passed and `min_requests` canary requests were seen with no failure (the
    /// Argo Rollouts habit): the analyzer can only stop it.
    case hold
    /// Also the analyzer's pass: the canary shown within every tolerance.
    case proven
}
