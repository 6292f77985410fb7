import Synchronization
import TurnoutAnalysis
import TurnoutCore
import TurnoutMetrics
import TurnoutPosix
import TurnoutRollout

/// Guarded switches through the controller: the reference taken at the switch, and a look at
/// the new pool every `analysis.interval_ms` until the watch ends, from the same readings as a
/// rollout's (this instance's workers, or the fleet's sum on the instance that leads the split).
extension RolloutController {
    /// A reading of a guard's new pool, and when it was taken.
    struct GuardBase {
        var startedAt: Double
        var totals: [TrafficKey: ServerTally]
        var at: UInt64
        var lastSave: UInt64
    }

    /// Switches split `name` to `pool` under watch: the reference is the traffic of the pool the
    /// split is on now over its last `baselineSeconds` (what the stats timeline holds of them).
    @discardableResult
    public func startGuardedSwitch(split name: String, to pool: String, watchSeconds: Int, baselineSeconds: Int, force: Bool,
                                   origin: ChangeOrigin) throws(ControlError) -> GuardedSwitch {
        // The one pool taking the split's traffic now; the control plane refuses any other shape.
        let serving = control.weights(of: name)?.weights.filter { $0.value > 0 }.map(\.key) ?? []
        let measured: PoolTraffic? = serving.count == 1 ? traffic(of: serving[0], seconds: Double(baselineSeconds)) : nil
        let guarded = try control.startGuardedSwitch(split: name, to: pool, watchSeconds: watchSeconds, reference: measured,
                                                     force: force, origin: origin)
        wake()
        return guarded
    }

    /// `pool`'s traffic over the last `seconds` of the stats timeline (less right after turnout
    /// started: it says how much), failures counted as a look counts them; nil when a worker did
    /// not hand over its totals in time.
    func traffic(of pool: String, seconds: Double) -> PoolTraffic? {
        guard let window = monitor.window(seconds: seconds) else { return nil }
        var traffic = PoolTraffic(requests: 0, errors: 0, latency: Histogram(), seconds: window.seconds)
        for (name, stats) in window.stats where TrafficMonitor.key(named: name).pool == pool {
            traffic.requests &+= stats.requests
            traffic.errors &+= Self.failures(in: stats)
            traffic.latency.merge(stats.latency)
        }
        return traffic
    }

    /// A look at every guard this instance judges that is due.
    func tickGuards() {
        let live = control.liveGuards().filter { traffic.judges(split: $0.split) }
        guardBases.withLock { bases in bases = bases.filter { key, _ in live.contains { $0.split == key } } }
        for (split, guarded) in live { look(split: split, guarded: guarded) }
    }

    private func look(split: String, guarded: GuardedSwitch) {
        let pools: Set<String> = [guarded.to]
        let reading: [TrafficKey: ServerTally]?
        do {
            reading = try traffic.reading(split: split, pools: pools, timeout: Self.readingTimeout)
        } catch {
            control.notice("guarded switch on split \(split): \(error.message); the watch waits")
            return
        }
        guard let totals = reading else { return }
        let now = monotonicNanoseconds()
        guard let base = guardBases.withLock({ $0[split] }), base.startedAt == guarded.startedAt else {
            guardBases.withLock { $0[split] = GuardBase(startedAt: guarded.startedAt, totals: totals, at: now, lastSave: now) }
            return
        }
        let due = Double(guarded.lastLookAt ?? guarded.startedAt) + Double(control.config.analysis.intervalMs) / 1000
        guard wallClock() >= due else { return }
        var window = PoolWindow(requests: 0, errors: 0, latency: Histogram())
        for (key, tally) in totals {
            let delta = base.totals[key].map { tally.subtracting($0) } ?? tally
            window.requests &+= delta.requests
            window.errors &+= delta.errors
            window.latency.merge(delta.latency)
        }
        let checkpoint = now &- base.lastSave >= traffic.checkpointNanoseconds
        do {
            _ = try control.observeGuard(split: split, startedAt: guarded.startedAt, window: window, checkpoint: checkpoint)
        } catch {
            // Not applied: the base stays, and the next look covers this one's span too.
            control.notice("guarded switch on split \(split): the look could not be applied: \(error.message)")
            return
        }
        guardBases.withLock { $0[split] = GuardBase(startedAt: guarded.startedAt, totals: totals, at: now, lastSave: checkpoint ? now : base.lastSave) }
    }
}
