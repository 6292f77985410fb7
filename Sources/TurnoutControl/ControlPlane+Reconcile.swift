import TurnoutConfig
import TurnoutRollout

/// The runtime state fitted to a configuration: at start, on a reload.
extension ControlPlane {
    /// Keeps what still fits `config`: weights of splits whose pools are unchanged, drained
    /// servers that still exist, rollouts whose split kept its pools (the others are aborted,
    /// with the reason, and their split returns to the configuration's weights). Everything
    /// dropped is reported through `notice`. `keepingUnknown` keeps, untouched, what is about
    /// splits and pools `config` does not have at all (a fleet's shared state).
    static func reconcile(_ runtime: RuntimeState, with config: Config, now: Double, keepingUnknown: Bool = false,
                          notice: (String) -> Void) -> RuntimeState {
        var kept = RuntimeState()
        for (name, weights) in runtime.weights.sorted(by: { $0.key < $1.key }) {
            guard let split = config.split(named: name) else {
                if keepingUnknown {
                    kept.weights[name] = weights
                    kept.previous[name] = runtime.previous[name]
                    continue
                }
                notice("split \(name) is no longer configured; its runtime weights are dropped")
                continue
            }
            guard Set(weights.keys) == Set(split.poolNames), weights.values.contains(where: { $0 > 0 }) else {
                notice("split \(name) now has pools \(list(split.poolNames)); its runtime weights \(describe(weights)) are dropped")
                continue
            }
            kept.weights[name] = weights
            kept.previous[name] = (runtime.previous[name] ?? []).filter { Set($0.keys) == Set(split.poolNames) }
        }
        for (pool, servers) in runtime.drained.sorted(by: { $0.key < $1.key }) {
            guard let definition = config.pool(named: pool) else {
                if keepingUnknown { kept.drained[pool] = servers }
                continue
            }
            let labels = Set(definition.servers.map(\.address.description))
            let still = servers.intersection(labels)
            if !still.isEmpty { kept.drained[pool] = still }
        }
        for (name, rollout) in runtime.rollouts.sorted(by: { $0.key < $1.key }) {
            var rollout = rollout
            if keepingUnknown && config.split(named: name) == nil {
                kept.rollouts[name] = rollout
                continue
            }
            if !rollout.phase.isFinished {
                let pools = config.split(named: name).map { Set($0.poolNames) }
                let intact = kept.weights[name] != nil && pools?.contains(rollout.plan.baseline) == true
                    && pools?.contains(rollout.plan.canary) == true
                if !intact {
                    let why = pools == nil ? "split \(name) is no longer configured"
                        : "split \(name)'s pools changed (now \(list(config.split(named: name)!.poolNames)))"
                    _ = rollout.abort(reason: "aborted by a reload: \(why)", now: now)
                    notice("the rollout of \(rollout.plan.canary) on split \(name) is aborted: \(why)")
                }
            }
            if config.split(named: name) != nil { kept.rollouts[name] = rollout }
        }
        for (name, guarded) in runtime.guards.sorted(by: { $0.key < $1.key }) {
            var guarded = guarded
            let pools = config.split(named: name).map { Set($0.poolNames) }
            if pools == nil && keepingUnknown {
                kept.guards[name] = guarded
                continue
            }
            if !guarded.isFinished && (kept.weights[name] == nil || pools?.isSuperset(of: [guarded.from, guarded.to]) != true) {
                let why = pools == nil ? "split \(name) is no longer configured" : "split \(name)'s pools changed"
                guarded.abandon(because: "ended by a reload: \(why)", now: now)
                notice("the guarded switch of split \(name) to \(guarded.to) is ended: \(why)")
            }
            if pools != nil { kept.guards[name] = guarded }
        }
        return kept
    }
}
