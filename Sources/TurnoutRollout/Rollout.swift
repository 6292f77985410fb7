import TurnoutAnalysis

/// One rollout as a pure state machine: time and looks in, weight changes and events out. It
/// never reads a clock and does no I/O, so the controller, the tests and the simulator drive the
/// same rules (SPEC §9). Times are seconds on the caller's clock; the controller passes wall
/// time so that a rollout resumed from the state file keeps its step's age.
///
/// Life of a rollout: `start` enters the first step; every look goes to `observe`, which feeds
/// the analyzer (after the warm-up) and advances, stalls or rolls back; `apply` takes the
/// operator's verbs. A fail verdict rolls back at any moment, paused or stalled included.
/// Where it stands is one `ReleaseState`; `phase`, `stepIndex` and `finishedAt` read it.
public struct Rollout: Sendable, Equatable, Codable {
    /// The definition, fixed at the start.
    public let plan: RolloutPlan
    /// Where the rollout stands, with the data of that state.
    public private(set) var state = ReleaseState.notStarted
    /// The canary's percent in force.
    public private(set) var canaryWeight = 0
    public private(set) var startedAt: Double
    /// When the current step began (a resumed stall restarts it).
    public private(set) var stepStartedAt: Double
    /// When the canary first had a share above 0; the warm-up counts from here.
    public private(set) var canaryTrafficSince: Double?
    /// The judge: its tests' evidence is part of the rollout, so a restart keeps it.
    public internal(set) var analyzer: CanaryAnalyzer
    /// Looks taken, and the time of the last one.
    public private(set) var looks = 0
    public private(set) var lastLookAt: Double?
    /// Why the rollout is where it is, in words.
    public private(set) var reason = "not started"
    /// The plan checked against the baseline's traffic at the start; nil when none was measured
    /// (and in state files written before the check existed, which is why it is optional).
    public var planCheck: PlanCheck?

    /// A rollout of `plan` that has not entered its first step. `latencyThresholds`, one per
    /// tested quantile, come from the baseline's traffic before the start; nil has the analyzer
    /// measure them from the baseline's first requests.
    public init(plan: RolloutPlan, latencyThresholds: [LatencyThreshold]?, now: Double) {
        self.plan = plan
        analyzer = CanaryAnalyzer(policy: plan.analysis.policy)
        if let latencyThresholds { analyzer.setLatencyThresholds(latencyThresholds) }
        startedAt = now
        stepStartedAt = now
    }

    /// The baseline pool's traffic over the `seconds` before the start (the controller's stats
    /// timeline): the analyzer starts from its error rate.
    public mutating func noteBaselineBefore(requests: UInt64, errors: UInt64, seconds: Double) {
        analyzer.noteBaselineBefore(requests: requests, errors: errors, seconds: seconds)
    }

    /// The step holds because its looks cannot be applied (a fleet's etcd is unreachable): the
    /// reason says so until the next look is applied. Nothing else changes.
    public mutating func hold(because why: String) {
        reason = "holding step \(stepIndex + 1): \(why)"
    }

    // MARK: Driving

    /// Enters the first step.
    public mutating func start(now: Double) -> [RolloutChange] {
        precondition(state == .notStarted, "Rollout.start: already started")
        return enter(step: 0, now: now, first: true)
    }

    /// One look at the traffic since the previous look. `canaryDown`, when not nil, says that no
    /// server of the canary pool is up, in words: a fail at once, even during the warm-up.
    public mutating func observe(_ look: Look, canaryDown: String? = nil, now: Double) -> [RolloutChange] {
        judge(canaryDown: canaryDown, seconds: look.seconds, now: now) { $0.observe(look) }
    }

    /// The same from the pools' windows (counts and latency histograms): the analyzer reads the
    /// counts above its thresholds from the histograms, and measures the thresholds from the
    /// baseline's first requests when none were known at the start.
    public mutating func observe(canary: PoolWindow, baseline: PoolWindow, canaryServers: [PoolWindow],
                                 seconds: Double, canaryDown: String? = nil, now: Double) -> [RolloutChange] {
        judge(canaryDown: canaryDown, seconds: seconds, now: now) {
            $0.observe(canary: canary, baseline: baseline, canaryServers: canaryServers, seconds: seconds)
        }
    }

    /// Feeds the analyzer (unless the look holds warm-up traffic) and acts on its verdict and the
    /// step's clock. The look covers the `seconds` before `now`.
    private mutating func judge(canaryDown: String?, seconds: Double, now: Double,
                                feed: (inout CanaryAnalyzer) -> Verdict) -> [RolloutChange] {
        // Nothing to judge before the first step or after the end.
        guard state != .notStarted, !state.isFinished else { return [] }
        looks += 1
        lastLookAt = now
        if let canaryDown {
            return finish(.rolledBack, reason: "canary pool \(plan.canary) has no server up (\(canaryDown))", now: now)
        }
        if warmUpCovers(lookFrom: now - seconds) {
            if case .running = state {
                let since = canaryTrafficSince.map { now - $0 } ?? 0
                reason = "warming up: the analyzer ignores the canary's first \(plan.analysis.warmupSeconds) s (\(Int(since)) s so far)"
            }
            return []
        }
        if feed(&analyzer) == .fail {
            return finish(.rolledBack, reason: analyzer.reason, now: now)
        }
        // Only a running weight step advances or stalls; a paused or stalled one waits.
        guard case .running = state, case .weight(_, let hold) = step else { return [] }
        let age = now - stepStartedAt
        let canaryRequests = analyzer.stepCanaryRequests
        let minimum = UInt64(plan.analysis.minRequests)
        var waiting: [String] = []
        if age < Double(hold) { waiting.append("hold \(Int(age)) of \(hold) s") }
        if canaryRequests < minimum { waiting.append("\(canaryRequests) of \(minimum) canary requests") }
        if plan.advance == .proven && analyzer.verdict != .pass { waiting.append(analyzer.reason) }
        if waiting.isEmpty {
            let why = plan.advance == .proven ? analyzer.reason
                : "step \(stepIndex + 1) held \(Int(age)) s with \(canaryRequests) canary requests and no failure"
            return enter(step: stepIndex + 1, now: now, first: false, because: why)
        }
        if age >= Double(plan.analysis.maxStepSeconds) {
            state = .stalled(step: stepIndex, since: now)
            reason = "step \(stepIndex + 1) could not advance within max_step_s \(plan.analysis.maxStepSeconds) s (waiting: \(waiting.joined(separator: "; "))); promote, abort, or resume to try the step again"
            return [RolloutChange(event: .stalled, canaryWeight: nil, reason: reason)]
        }
        reason = "step \(stepIndex + 1) at \(canaryWeight) %: waiting: " + waiting.joined(separator: "; ")
        return []
    }

    /// An operator's verb; refused (nothing changed) when it does not apply in this state. The
    /// cases read as the table of state × verb (`RolloutVerbTableTests` checks every row).
    public mutating func apply(_ verb: RolloutVerb, now: Double) throws(RolloutRefusal) -> [RolloutChange] {
        switch (state, verb) {
        case (.notStarted, _):
            throw RolloutRefusal("the rollout of \(plan.canary) has not started")
        case (.finished(let outcome, _, _), _):
            throw RolloutRefusal("the rollout of \(plan.canary) is over (\(outcome.phase.rawValue)); start a new one")
        case (.paused, .pause):
            throw RolloutRefusal("the rollout is already paused")
        case (.running(let step), .pause), (.stalled(let step, _), .pause):
            state = .paused(step: step, by: .operator)
            reason = "paused by an operator at step \(step + 1) (\(canaryWeight) % canary); resume to continue"
            return [RolloutChange(event: .paused, canaryWeight: nil, reason: reason)]
        case (.running, .resume):
            throw RolloutRefusal("the rollout is running, not paused")
        case (.stalled(let step, _), .resume):
            state = .running(step: step)
            stepStartedAt = now
            reason = "resumed by an operator: step \(step + 1) starts its hold and max_step_s again"
            return [RolloutChange(event: .resumed, canaryWeight: nil, reason: reason)]
        case (.paused(let step, by: .operator), .resume):
            // The step goes on where it was: its hold kept counting during the pause.
            state = .running(step: step)
            reason = "resumed by an operator at step \(step + 1)"
            return [RolloutChange(event: .resumed, canaryWeight: nil, reason: reason)]
        case (.paused(let step, by: .pauseStep), .resume):
            return [RolloutChange(event: .resumed, canaryWeight: nil, reason: "pause step \(step + 1) resumed by an operator")]
                + enter(step: step + 1, now: now, first: false, because: "resumed after pause step \(step + 1)")
        case (_, .abort):
            return finish(.aborted, reason: "aborted by an operator at step \(stepIndex + 1); baseline \(plan.baseline) back to 100 %", now: now)
        case (_, .promote):
            return finish(.promoted, reason: "promoted by an operator at step \(stepIndex + 1); canary \(plan.canary) at 100 %", now: now)
        }
    }

    /// Ends the rollout from outside an operator's verbs (a reload took its pools away): aborted,
    /// the canary back at 0 %, with `reason`. Nothing happens to a finished rollout.
    public mutating func abort(reason why: String, now: Double) -> [RolloutChange] {
        guard !state.isFinished else { return [] }
        return finish(.aborted, reason: why, now: now)
    }

    // MARK: Steps

    /// Enters step `index`: the last one promotes, a pause waits, a weight step moves the split.
    private mutating func enter(step index: Int, now: Double, first: Bool, because: String? = nil) -> [RolloutChange] {
        let prefix = because.map { $0 + "; " } ?? ""
        if index >= plan.steps.count - 1 {
            return finish(.promoted, atStep: plan.steps.count - 1, reason: prefix + "promoted: canary \(plan.canary) at 100 %", now: now)
        }
        stepStartedAt = now
        switch plan.steps[index] {
        case .pause:
            state = .paused(step: index, by: .pauseStep)
            reason = prefix + "step \(index + 1) is a pause at \(canaryWeight) % canary: resume to continue"
            return [RolloutChange(event: first ? .started : .paused, canaryWeight: nil, reason: reason)]
        case .weight(let percent, let hold):
            state = .running(step: index)
            canaryWeight = percent
            if percent > 0 && canaryTrafficSince == nil { canaryTrafficSince = now }
            analyzer.beginStep(canaryWeight: Double(percent) / 100)
            reason = prefix + "step \(index + 1) of \(plan.steps.count): canary \(plan.canary) at \(percent) %" + (hold > 0 ? " for at least \(hold) s" : "")
            return [RolloutChange(event: first ? .started : .advanced, canaryWeight: percent, reason: reason)]
        }
    }

    /// Ends the rollout at `atStep` (the step in force when nil): a promotion puts the canary at
    /// 100 %, any other ending back at 0 %.
    private mutating func finish(_ outcome: ReleaseState.Outcome, atStep: Int? = nil, reason why: String,
                                 now: Double) -> [RolloutChange] {
        state = .finished(outcome, step: atStep ?? stepIndex, at: now)
        canaryWeight = outcome == .promoted ? 100 : 0
        reason = why
        return [RolloutChange(event: outcome.event, canaryWeight: canaryWeight, reason: why)]
    }
}

/// Reading a rollout back from the state file (and a fleet's state key in etcd, the same
/// document), and writing it.
///
/// The state is written as `state` (`{"paused": {"step": 2, "by": "operator"}}`). The fields an
/// earlier Turnout kept instead (`phase`, `stepIndex`, `pausedByOperator`, `finishedAt`) are read
/// when `state` is missing, and still written beside it, derived from it, so that an earlier
/// Turnout reads the document too: a package downgraded, or a fleet part-way through an upgrade
/// whose older instances follow the same state key (`ReleaseState+Legacy.swift`).
///
/// The analyzer's evidence has not kept its shape across Turnout versions (its tests' lines and
/// their number changed when the fail tests began to honour the tolerances), so a state file
/// written by an earlier Turnout in the middle of a rollout would otherwise stop the proxy from
/// starting. Such a rollout resumes at its step and weights with a fresh analyzer, and its
/// reason says so: the evidence restarts, which can only make a rollback later, never one that
/// would not have happened.
extension Rollout {
    /// Every stored property, then the earlier Turnout's state fields. The round-trip test
    /// (decoded == encoded) fails when a new property is missing from `init(from:)` or `encode(to:)`.
    enum CodingKeys: String, CodingKey {
        case plan, state, canaryWeight, startedAt, stepStartedAt, canaryTrafficSince, analyzer, looks, lastLookAt, reason, planCheck
        case phase, stepIndex, pausedByOperator, finishedAt
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        plan = try c.decode(RolloutPlan.self, forKey: .plan)
        canaryWeight = try c.decode(Int.self, forKey: .canaryWeight)
        startedAt = try c.decode(Double.self, forKey: .startedAt)
        stepStartedAt = try c.decode(Double.self, forKey: .stepStartedAt)
        canaryTrafficSince = try c.decodeIfPresent(Double.self, forKey: .canaryTrafficSince)
        looks = try c.decode(Int.self, forKey: .looks)
        lastLookAt = try c.decodeIfPresent(Double.self, forKey: .lastLookAt)
        reason = try c.decode(String.self, forKey: .reason)
        planCheck = try c.decodeIfPresent(PlanCheck.self, forKey: .planCheck)
        if let state = try c.decodeIfPresent(ReleaseState.self, forKey: .state) {
            self.state = state
        } else {
            let legacy = LegacyReleaseFields(
                phase: try c.decode(RolloutPhase.self, forKey: .phase), stepIndex: try c.decode(Int.self, forKey: .stepIndex),
                pausedByOperator: try c.decode(Bool.self, forKey: .pausedByOperator),
                finishedAt: try c.decodeIfPresent(Double.self, forKey: .finishedAt))
            state = ReleaseState(legacy, stepStartedAt: stepStartedAt, maxStepSeconds: plan.analysis.maxStepSeconds, lastLookAt: lastLookAt)
        }
        do {
            analyzer = try c.decode(CanaryAnalyzer.self, forKey: .analyzer)
        } catch DecodingError.keyNotFound(let key, _) {
            analyzer = CanaryAnalyzer(policy: plan.analysis.policy)
            if !state.isFinished {
                analyzer.beginStep(canaryWeight: Double(canaryWeight) / 100)
                reason = "resumed at step \(stepIndex + 1) with fresh evidence: the analyzer's saved state came from an earlier Turnout (no \(key.stringValue))"
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(plan, forKey: .plan)
        try c.encode(state, forKey: .state)
        try c.encode(canaryWeight, forKey: .canaryWeight)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(stepStartedAt, forKey: .stepStartedAt)
        try c.encodeIfPresent(canaryTrafficSince, forKey: .canaryTrafficSince)
        try c.encode(analyzer, forKey: .analyzer)
        try c.encode(looks, forKey: .looks)
        try c.encodeIfPresent(lastLookAt, forKey: .lastLookAt)
        try c.encode(reason, forKey: .reason)
        try c.encodeIfPresent(planCheck, forKey: .planCheck)
        let legacy = state.legacyFields
        try c.encode(legacy.phase, forKey: .phase)
        try c.encode(legacy.stepIndex, forKey: .stepIndex)
        try c.encode(legacy.pausedByOperator, forKey: .pausedByOperator)
        try c.encodeIfPresent(legacy.finishedAt, forKey: .finishedAt)
    }
}
