import TurnoutAnalysis

/// One rollout as a pure state machine: time and looks in, weight changes and events out. It
/// never reads a clock and does no I/O, so the controller, the tests and the simulator drive the
/// same rules (SPEC §9). Times are seconds on the caller's clock; the controller passes wall
/// time so that a rollout resumed from the state file keeps its step's age.
///
/// Life of a rollout: `start` enters the first step; every look goes to `observe`, which feeds
/// the analyzer (after the warm-up) and advances, stalls or rolls back; `apply` takes the
/// operator's verbs. A fail verdict rolls back at any moment, paused or stalled included.
public struct Rollout: Sendable, Equatable, Codable {
    /// The definition, fixed at the start.
    public let plan: RolloutPlan
    public private(set) var phase: RolloutPhase = .running
    /// Index into `plan.steps`.
    public private(set) var stepIndex = 0
    /// The canary's percent in force.
    public private(set) var canaryWeight = 0
    public private(set) var startedAt: Double
    /// When the current step began (a resumed stall restarts it).
    public private(set) var stepStartedAt: Double
    /// When the rollout finished, nil while it runs.
    public private(set) var finishedAt: Double?
    /// When the canary first had a share above 0; the warm-up counts from here.
    public private(set) var canaryTrafficSince: Double?
    /// Whether the current pause was an operator's (resume continues the step) rather than a
    /// pause step (resume moves on).
    public private(set) var pausedByOperator = false
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

    // MARK: Reading

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

    // MARK: Driving

    /// Enters the first step.
    public mutating func start(now: Double) -> [RolloutChange] {
        precondition(looks == 0 && reason == "not started", "Rollout.start: already started")
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
        guard !phase.isFinished else { return [] }
        looks += 1
        lastLookAt = now
        if let canaryDown {
            return finish(.rolledBack, event: .rolledBack, canaryWeight: 0, reason: "canary pool \(plan.canary) has no server up (\(canaryDown))", now: now)
        }
        if warmUpCovers(lookFrom: now - seconds) {
            if phase == .running {
                let since = canaryTrafficSince.map { now - $0 } ?? 0
                reason = "warming up: the analyzer ignores the canary's first \(plan.analysis.warmupSeconds) s (\(Int(since)) s so far)"
            }
            return []
        }
        if feed(&analyzer) == .fail {
            return finish(.rolledBack, event: .rolledBack, canaryWeight: 0, reason: analyzer.reason, now: now)
        }
        guard phase == .running, case .weight(_, let hold) = step else { return [] }
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
            phase = .stalled
            reason = "step \(stepIndex + 1) could not advance within max_step_s \(plan.analysis.maxStepSeconds) s (waiting: \(waiting.joined(separator: "; "))); promote, abort, or resume to try the step again"
            return [RolloutChange(event: .stalled, canaryWeight: nil, reason: reason)]
        }
        reason = "step \(stepIndex + 1) at \(canaryWeight) %: waiting: " + waiting.joined(separator: "; ")
        return []
    }

    /// An operator's verb; refused (nothing changed) when it does not apply in this phase.
    public mutating func apply(_ verb: RolloutVerb, now: Double) throws(RolloutRefusal) -> [RolloutChange] {
        if phase.isFinished {
            throw RolloutRefusal("the rollout of \(plan.canary) is over (\(phase.rawValue)); start a new one")
        }
        switch verb {
        case .pause:
            guard phase != .paused else { throw RolloutRefusal("the rollout is already paused") }
            phase = .paused
            pausedByOperator = true
            reason = "paused by an operator at step \(stepIndex + 1) (\(canaryWeight) % canary); resume to continue"
            return [RolloutChange(event: .paused, canaryWeight: nil, reason: reason)]
        case .resume:
            switch phase {
            case .running:
                throw RolloutRefusal("the rollout is running, not paused")
            case .stalled:
                phase = .running
                stepStartedAt = now
                reason = "resumed by an operator: step \(stepIndex + 1) starts its hold and max_step_s again"
                return [RolloutChange(event: .resumed, canaryWeight: nil, reason: reason)]
            default:
                if pausedByOperator {
                    phase = .running
                    pausedByOperator = false
                    reason = "resumed by an operator at step \(stepIndex + 1)"
                    return [RolloutChange(event: .resumed, canaryWeight: nil, reason: reason)]
                }
                return [RolloutChange(event: .resumed, canaryWeight: nil, reason: "pause step \(stepIndex + 1) resumed by an operator")]
                    + enter(step: stepIndex + 1, now: now, first: false, because: "resumed after pause step \(stepIndex + 1)")
            }
        case .abort:
            return finish(.aborted, event: .aborted, canaryWeight: 0, reason: "aborted by an operator at step \(stepIndex + 1); baseline \(plan.baseline) back to 100 %", now: now)
        case .promote:
            return finish(.promoted, event: .promoted, canaryWeight: 100, reason: "promoted by an operator at step \(stepIndex + 1); canary \(plan.canary) at 100 %", now: now)
        }
    }

    /// Ends the rollout from outside an operator's verbs (a reload took its pools away): aborted,
    /// the canary back at 0 %, with `reason`. Nothing happens to a finished rollout.
    public mutating func abort(reason why: String, now: Double) -> [RolloutChange] {
        guard !phase.isFinished else { return [] }
        return finish(.aborted, event: .aborted, canaryWeight: 0, reason: why, now: now)
    }

    // MARK: Steps

    /// Enters step `index`: the last one promotes, a pause waits, a weight step moves the split.
    private mutating func enter(step index: Int, now: Double, first: Bool, because: String? = nil) -> [RolloutChange] {
        let prefix = because.map { $0 + "; " } ?? ""
        if index >= plan.steps.count - 1 {
            stepIndex = plan.steps.count - 1
            return finish(.promoted, event: .promoted, canaryWeight: 100,
                          reason: prefix + "promoted: canary \(plan.canary) at 100 %", now: now)
        }
        stepIndex = index
        stepStartedAt = now
        phase = .running
        pausedByOperator = false
        switch plan.steps[index] {
        case .pause:
            phase = .paused
            reason = prefix + "step \(index + 1) is a pause at \(canaryWeight) % canary: resume to continue"
            return [RolloutChange(event: first ? .started : .paused, canaryWeight: nil, reason: reason)]
        case .weight(let percent, let hold):
            canaryWeight = percent
            if percent > 0 && canaryTrafficSince == nil { canaryTrafficSince = now }
            analyzer.beginStep(canaryWeight: Double(percent) / 100)
            reason = prefix + "step \(index + 1) of \(plan.steps.count): canary \(plan.canary) at \(percent) %" + (hold > 0 ? " for at least \(hold) s" : "")
            return [RolloutChange(event: first ? .started : .advanced, canaryWeight: percent, reason: reason)]
        }
    }

    private mutating func finish(_ end: RolloutPhase, event: RolloutEvent, canaryWeight weight: Int, reason why: String,
                                 now: Double) -> [RolloutChange] {
        phase = end
        canaryWeight = weight
        finishedAt = now
        reason = why
        return [RolloutChange(event: event, canaryWeight: weight, reason: why)]
    }
}

/// Reading a rollout back from the state file.
///
/// Everything but the analyzer's evidence has kept its shape across Turnout versions. The
/// analyzer's tests have not (their lines and their number changed when the fail tests began to
/// honour the tolerances), so a state file written by an earlier Turnout in the middle of a
/// rollout would otherwise stop the proxy from starting. Such a rollout resumes at its step and
/// weights with a fresh analyzer, and its reason says so: the evidence restarts, which can only
/// make a rollback later, never one that would not have happened.
extension Rollout {
    /// Every stored property: `encode(to:)` is synthesized from this list, and the round-trip
    /// test (decoded == encoded) fails when a new property is missing from it.
    enum CodingKeys: String, CodingKey {
        case plan, phase, stepIndex, canaryWeight, startedAt, stepStartedAt, finishedAt, canaryTrafficSince
        case pausedByOperator, analyzer, looks, lastLookAt, reason, planCheck
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        plan = try c.decode(RolloutPlan.self, forKey: .plan)
        phase = try c.decode(RolloutPhase.self, forKey: .phase)
        stepIndex = try c.decode(Int.self, forKey: .stepIndex)
        canaryWeight = try c.decode(Int.self, forKey: .canaryWeight)
        startedAt = try c.decode(Double.self, forKey: .startedAt)
        stepStartedAt = try c.decode(Double.self, forKey: .stepStartedAt)
        finishedAt = try c.decodeIfPresent(Double.self, forKey: .finishedAt)
        canaryTrafficSince = try c.decodeIfPresent(Double.self, forKey: .canaryTrafficSince)
        pausedByOperator = try c.decode(Bool.self, forKey: .pausedByOperator)
        looks = try c.decode(Int.self, forKey: .looks)
        lastLookAt = try c.decodeIfPresent(Double.self, forKey: .lastLookAt)
        reason = try c.decode(String.self, forKey: .reason)
        planCheck = try c.decodeIfPresent(PlanCheck.self, forKey: .planCheck)
        do {
            analyzer = try c.decode(CanaryAnalyzer.self, forKey: .analyzer)
        } catch DecodingError.keyNotFound(let key, _) {
            analyzer = CanaryAnalyzer(policy: plan.analysis.policy)
            if !phase.isFinished {
                analyzer.beginStep(canaryWeight: Double(canaryWeight) / 100)
                reason = "resumed at step \(stepIndex + 1) with fresh evidence: the analyzer's saved state came from an earlier Turnout (no \(key.stringValue))"
            }
        }
    }
}
