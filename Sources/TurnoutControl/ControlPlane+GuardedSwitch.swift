import TurnoutAnalysis
import TurnoutConfig
import TurnoutRollout

/// Guarded switches through the control plane (SPEC §5): the switch with its reference, the
/// watch's looks, and the operator's `keep` and `revert`. Every change takes the same path as an
/// admin change: saved, published, recorded with source `guard` and notified.
extension ControlPlane {
    /// Switches split `name` to `pool` (100, every other pool 0) and watches `pool` against
    /// `reference`, the pool left's traffic before the switch, for `watchSeconds`. Refused (409)
    /// like a switch (unknown pool, no server up unless `force`, a release in progress), when the
    /// split's traffic is not all on one other pool (there would be no single pool to compare
    /// with and to switch back to), and when the reference is too small to judge against.
    @discardableResult
    public func startGuardedSwitch(split name: String, to pool: String, watchSeconds: Int, reference: PoolTraffic?, force: Bool,
                                   origin: ChangeOrigin) throws(ControlError) -> GuardedSwitch {
        try change { (state: State) throws(ControlError) -> Change<GuardedSwitch> in
            guard let split = state.config.split(named: name) else { throw unknownSplit(name, state.config) }
            guard split.weights[pool] != nil else {
                throw .badRequest("pool \(quoted(pool)) is not in split \(quoted(name)) (its pools: \(list(split.poolNames)))")
            }
            try Self.refuseDuringRelease(name, state.runtime)
            if !force, let summary = Self.noServerUp(pool: pool, config: state.config, runtime: state.runtime, health: state.health) {
                throw .conflict("pool \(quoted(pool)) has no server up (\(summary)); nothing changed (use force to switch anyway)")
            }
            let old = state.runtime.weights[name] ?? split.weights
            let serving = old.filter { $0.value > 0 }
            guard serving.count == 1, let from = serving.first?.key, from != pool else {
                throw .conflict("a guarded switch moves all of a split's traffic from one pool to another; split \(quoted(name)) "
                    + "is at \(describe(old)), so there is no one pool to judge \(quoted(pool)) against. Switch it to one pool first")
            }
            let judge: GuardJudge
            do throws(GuardJudge.Refusal) {
                guard let reference else {
                    throw GuardJudge.Refusal(description: "no traffic of \(from) was measured yet", required: GuardJudge.requiredReferenceRequests(state.config.analysis.policy))
                }
                judge = try GuardJudge(reference: reference, policy: state.config.analysis.policy)
            } catch {
                throw .conflict("guarded switch of split \(quoted(name)) to \(quoted(pool)) refused: \(error.description) "
                    + "before the switch; nothing changed (wait for more traffic, lower analysis.min_requests, or switch without a guard)")
            }
            let now = wallClock()
            let guarded = GuardedSwitch(from: from, to: pool, previousWeights: old, watchSeconds: Double(watchSeconds), judge: judge, now: now)
            let new = split.weights.mapValues { _ in 0 }.merging([pool: 100]) { $1 }
            var runtime = state.runtime
            runtime.push(previous: old, for: name)
            runtime.weights[name] = new
            runtime.guards[name] = guarded
            let record = ChangeRecord(time: now, split: name, action: .guarded(.started), old: old, new: new,
                                      origin: ChangeOrigin(source: .guard, caller: origin.caller,
                                                           reason: [origin.reason, guarded.reason].compactMap { $0 }.joined(separator: "; ")))
            return Change(runtime: runtime, records: [record], result: guarded)
        }
    }

    /// `keep` or `revert` on the split's guard; 404 when the split never had one, 409 when it is
    /// over (nothing changed).
    @discardableResult
    public func guardVerb(_ verb: GuardVerb, split name: String, origin: ChangeOrigin) throws(ControlError) -> GuardedSwitch {
        try change { (state: State) throws(ControlError) -> Change<GuardedSwitch> in
            guard state.config.split(named: name) != nil else { throw unknownSplit(name, state.config) }
            guard var guarded = state.runtime.guards[name] else {
                throw .notFound("split \(quoted(name)) has no guarded switch (start one with POST /splits/\(name)/switch and a \"guard\")")
            }
            let changes: [GuardedSwitch.Change]
            do throws(RolloutRefusal) {
                changes = try guarded.apply(verb, now: wallClock())
            } catch {
                throw .conflict("\(verb.rawValue) refused: \(error.description); nothing changed")
            }
            return Self.applying(changes, of: guarded, split: name, to: state, caller: origin.caller)
        }
    }

    /// Feeds one look at the new pool to the split's guard (if it is still the one started at
    /// `startedAt` and still watching) and applies what it decides. Its evidence is saved when it
    /// ended, and otherwise when `checkpoint` is set. Returns the guard after it.
    func observeGuard(split name: String, startedAt: Double, window: PoolWindow, checkpoint: Bool) throws(ControlError) -> GuardedSwitch? {
        try change { (state: State) throws(ControlError) -> Change<GuardedSwitch?> in
            guard var guarded = state.runtime.liveGuard(of: name), guarded.startedAt == startedAt else { return .nothing(state, nil) }
            let down = Self.noServerUp(pool: guarded.to, config: state.config, runtime: state.runtime, health: state.health)
            let changes = guarded.observe(window, toDown: down, now: wallClock())
            let applied = Self.applying(changes, of: guarded, split: name, to: state, caller: .none)
            var change = Change<GuardedSwitch?>(runtime: applied.runtime, records: applied.records, result: applied.result)
            change.publish = changes.contains { $0.weights != nil }
            change.save = !changes.isEmpty || checkpoint
            return change
        }
    }

    /// The state after a guard's `changes`: a revert puts the weights from before the switch back
    /// (and takes them off the rollback stack, as a rollback would); each change is one entry.
    private static func applying(_ changes: [GuardedSwitch.Change], of guarded: GuardedSwitch, split name: String, to state: State,
                                 caller: ChangeCaller) -> Change<GuardedSwitch> {
        var runtime = state.runtime
        var records: [ChangeRecord] = []
        let now = wallClock()
        for change in changes {
            let old = runtime.weights[name]
            if let weights = change.weights {
                if runtime.previous[name]?.last == weights { runtime.previous[name]?.removeLast() }
                runtime.weights[name] = weights
            }
            records.append(ChangeRecord(time: now, split: name, action: .guarded(change.event), old: change.weights == nil ? nil : old,
                                        new: change.weights, origin: ChangeOrigin(source: .guard, caller: caller, reason: change.reason)))
        }
        runtime.guards[name] = guarded
        return Change(runtime: runtime, records: records, result: guarded)
    }

    /// The splits whose guard is watching, with the guard.
    func liveGuards() -> [(split: String, guarded: GuardedSwitch)] {
        read { state in state.runtime.guards.sorted { $0.key < $1.key }.filter { !$0.value.isFinished }.map { ($0.key, $0.value) } }
    }

    /// The split's guard (watching, or the last one) and the weights in force; nil when it never had one.
    public func guarded(of split: String) -> (guarded: GuardedSwitch, weights: [String: Int])? {
        read { state in
            guard let guarded = state.runtime.guards[split], let config = state.config.split(named: split) else { return nil }
            return (guarded, state.runtime.weights[split] ?? config.weights)
        }
    }
}
