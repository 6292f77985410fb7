import TurnoutAnalysis

/// What a rollout's readers need: its state's wire name and parts, its step, its look cadence and
/// its warm-up. Read-only; the machine itself is in `Rollout.swift`.
extension Rollout {
    /// The wire name of the state (documents, `/metrics`, the history).
    public var phase: RolloutPhase { state.phase }

    /// Index into `plan.steps` of the step in force (the last one in force when it ended).
    public var stepIndex: Int { state.step }

    /// When the rollout finished, nil while it runs.
    public var finishedAt: Double? { state.finishedAt }

    /// Whether the rollout is over.
    public var isFinished: Bool { state.isFinished }

    /// The step in force.
    public var step: RolloutStep { plan.steps[stepIndex] }

    /// Seconds between looks.
    public var interval: Double { Double(plan.analysis.intervalMs) / 1000 }

    /// When the next look is due (now, before the first one).
    public var nextLookDue: Double { (lastLookAt ?? startedAt) + interval }

    /// Whether the analyzer is still ignoring traffic after the canary's first requests.
    public func warmingUp(at now: Double) -> Bool {
        guard let since = canaryTrafficSince else { return plan.analysis.warmupSeconds > 0 }
        return now - since < Double(plan.analysis.warmupSeconds)
    }

    /// Whether a look that began at `start` holds any traffic of the warm-up: the look that ends
    /// as the warm-up ends began inside it, so it is left out too, and no request measured during
    /// the warm-up reaches the analyzer. (Without a warm-up nothing is left out, including a look
    /// that began before the canary's first traffic.)
    func warmUpCovers(lookFrom start: Double) -> Bool {
        plan.analysis.warmupSeconds > 0 && warmingUp(at: start)
    }

    /// The latency thresholds in force (empty while they are measured).
    public var latencyThresholds: [LatencyThreshold] { analyzer.latencyThresholds }
}
