import TurnoutAnalysis
import TurnoutConfig
import TurnoutMetrics
import TurnoutRollout

/// Rollouts through the control plane (SPEC §9): starting one, the operator's verbs, and the
/// controller's looks. Every rollout change takes the same path as an admin change: saved,
/// published, recorded with source `rollout` and notified.
extension ControlPlane {
    /// Starts a rollout of `plan` on split `name`. Refused (409) when the split already has one in
    /// progress, when the canary has no server up, when a reload removed the plan's pools from the split, or
    /// when a step cannot reach `min_requests` within `max_step_s` at the baseline's traffic
    /// (unless `force`; the plan is not checked when no baseline traffic was measured).
    /// `baseline` is the baseline pool's traffic over the last minutes: enough of it fixes the
    /// analyzer's latency thresholds before the first step (else the first baseline requests
    /// do), and its error rate is the analyzer's starting point.
    @discardableResult
    public func startRollout(_ plan: RolloutPlan, split name: String, force: Bool = false, baseline: PoolTraffic?,
                             origin: ChangeOrigin) throws(ControlError) -> Rollout {
        try change { (state: State) throws(ControlError) -> Change<Rollout> in
            guard let split = state.config.split(named: name) else { throw unknownSplit(name, state.config) }
            for pool in [plan.baseline, plan.canary] where split.weights[pool] == nil {
                throw .conflict("pool \(quoted(pool)) is not in split \(quoted(split.name)) (its pools: \(list(split.poolNames)))")
            }
            if let live = state.runtime.liveRollout(of: split.name) {
                throw .conflict("split \(quoted(split.name)) already has a rollout in progress (\(live.plan.baseline) → \(live.plan.canary), step \(live.stepIndex + 1), \(live.phase.rawValue)); one rollout per split at a time")
            }
            if let why = Self.noServerUp(pool: plan.canary, config: state.config, runtime: state.runtime, health: state.health) {
                throw .conflict("canary pool \(quoted(plan.canary)) has no server up (\(why)); nothing started")
            }
            let now = wallClock()
            var check = Self.planCheck(plan, baseline: baseline, weights: state.runtime.weights[split.name] ?? split.weights)
            if let refusal = check.flatMap(plan.refusal) {
                guard force else { throw .conflict("rollout on split \(quoted(split.name)) refused: " + refusal) }
                check?.forced = true
            }
            var rollout = Rollout(plan: plan, latencyThresholds: nil, now: now)
            if let latency = baseline?.latency, latency.count >= rollout.analyzer.burnInRequests,
               let thresholds = rollout.analyzer.thresholds(fromBaseline: latency) {
                rollout = Rollout(plan: plan, latencyThresholds: thresholds, now: now)
            }
            rollout.planCheck = check
            if let baseline, baseline.requests > 0 {
                rollout.noteBaselineBefore(requests: baseline.requests, errors: baseline.errors, seconds: baseline.seconds)
            }
            var changes = rollout.start(now: now)
            // A forced start says so in the history, where an audit looks for it.
            if let check, check.forced, !changes.isEmpty { changes[0].reason += "; " + plan.summary(check) }
            var runtime = state.runtime
            // `rollback` after the rollout returns to the weights from before it.
            runtime.push(previous: runtime.weights[split.name] ?? split.weights, for: split.name)
            let records = Self.apply(changes, split: split, plan: plan, to: &runtime, caller: origin.caller, now: now)
            runtime.rollouts[split.name] = rollout
            return Change(runtime: runtime, records: records, result: rollout)
        }
    }

    /// `pause`, `resume`, `abort` or `promote` on the split's rollout; 404 when the split never
    /// had one, 409 when the verb does not apply now (nothing changed).
    @discardableResult
    public func rolloutVerb(_ verb: RolloutVerb, split name: String, origin: ChangeOrigin) throws(ControlError) -> Rollout {
        try change { (state: State) throws(ControlError) -> Change<Rollout> in
            guard let split = state.config.split(named: name) else { throw unknownSplit(name, state.config) }
            guard var rollout = state.runtime.rollouts[name] else {
                throw .notFound("split \(quoted(name)) has no rollout (start one with POST /splits/\(name)/rollout)")
            }
            let now = wallClock()
            let changes: [RolloutChange]
            do throws(RolloutRefusal) {
                changes = try rollout.apply(verb, now: now)
            } catch {
                throw .conflict("\(verb.rawValue) refused: \(error.description); nothing changed")
            }
            var runtime = state.runtime
            let records = Self.apply(changes, split: split, plan: rollout.plan, to: &runtime, caller: origin.caller, now: now)
            runtime.rollouts[name] = rollout
            return Change(runtime: runtime, records: records, result: rollout)
        }
    }

    /// The traffic of one look, as the controller read it.
    struct RolloutLook {
        var canary: PoolWindow
        var baseline: PoolWindow
        var canaryServers: [PoolWindow]
        var seconds: Double
    }

    /// Feeds one look to the split's rollout (if it is still the one started at `startedAt` and
    /// still in progress) and applies what it decides. The rollout's evidence is saved when it
    /// changed the weights or the phase, and otherwise when `checkpoint` is set. Returns the
    /// rollout after the look and its changes.
    func observeRollout(split name: String, startedAt: Double, look: RolloutLook, checkpoint: Bool) throws(ControlError) -> (Rollout, [RolloutChange])? {
        try change { (state: State) throws(ControlError) -> Change<(Rollout, [RolloutChange])?> in
            guard var rollout = state.runtime.liveRollout(of: name), rollout.startedAt == startedAt,
                  let split = state.config.split(named: name) else { return .nothing(state, nil) }
            let now = wallClock()
            let down = Self.noServerUp(pool: rollout.plan.canary, config: state.config, runtime: state.runtime, health: state.health)
            let changes = rollout.observe(canary: look.canary, baseline: look.baseline, canaryServers: look.canaryServers,
                                          seconds: look.seconds, canaryDown: down, now: now)
            var runtime = state.runtime
            let records = Self.apply(changes, split: split, plan: rollout.plan, to: &runtime, caller: .none, now: now)
            runtime.rollouts[name] = rollout
            var change = Change(runtime: runtime, records: records, result: Optional((rollout, changes)))
            change.publish = changes.contains { $0.canaryWeight != nil }
            change.save = !changes.isEmpty || checkpoint
            return change
        }
    }

    /// A look the store refused holds the rollout at its step: when the store is unreachable
    /// (a fleet's etcd), the rollout's reason in memory says so until a look is applied again;
    /// any other refusal is reported.
    func holdRollout(split name: String, startedAt: Double, because error: ControlError) {
        guard error.status == 503 else {
            notice("rollout on split \(name): the look could not be applied: \(error.message)")
            return
        }
        state.withLock { state in
            guard var rollout = state.runtime.liveRollout(of: name), rollout.startedAt == startedAt else { return }
            rollout.hold(because: error.message)
            state.runtime.rollouts[name] = rollout
        }
    }

    /// Applies a rollout's changes to `runtime`: each weight change sets the split (canary at its
    /// percent, the baseline the rest, every other pool 0); each change is one history entry.
    static func apply(_ changes: [RolloutChange], split: SplitConfig, plan: RolloutPlan, to runtime: inout RuntimeState,
                      caller: ChangeCaller, now: Double) -> [ChangeRecord] {
        changes.map { change in
            let origin = ChangeOrigin(source: .rollout, caller: caller, reason: change.reason)
            guard let percent = change.canaryWeight else {
                return ChangeRecord(time: now, split: split.name, action: .rollout(change.event), origin: origin)
            }
            let old = runtime.weights[split.name] ?? split.weights
            var new = split.weights.mapValues { _ in 0 }
            new[plan.canary] = percent
            new[plan.baseline] = 100 - percent
            runtime.weights[split.name] = new
            return ChangeRecord(time: now, split: split.name, action: .rollout(change.event), old: old, new: new, origin: origin)
        }
    }

    /// The splits whose rollout is in progress, with the rollout.
    func liveRollouts() -> [(split: String, rollout: Rollout)] {
        read { state in
            state.runtime.rollouts.sorted { $0.key < $1.key }.filter { !$0.value.phase.isFinished }.map { ($0.key, $0.value) }
        }
    }

    /// The split's rollout (in progress or the last one) with its weights in force.
    public func rollout(of split: String) -> (rollout: Rollout, weights: [String: Int])? {
        read { state in
            guard let rollout = state.runtime.rollouts[split], let configured = state.config.split(named: split) else { return nil }
            return (rollout, state.runtime.weights[split] ?? configured.weights)
        }
    }
}
