import Glibc
import Synchronization
import TurnoutAnalysis
import TurnoutConfig
import TurnoutCore
import TurnoutMetrics
import TurnoutPosix
import TurnoutRollout

/// Drives every rollout in progress from the traffic the proxy actually carried (SPEC §9): on a
/// thread of its own, every `analysis.interval_ms` it reads the exact per-server totals of the
/// rollout's two pools from every worker, subtracts the previous reading, and hands the look to
/// the rollout's state machine through the control plane, which applies what it decides.
///
/// The data path is not touched: workers record traffic as they always do, and are asked for a
/// copy of two pools' cells between events. A reading is whole or not taken: a worker that is
/// slow to answer delays the look (the next one covers the longer span, exactly), it is never
/// left out. A look never straddles a weight change: after one, the next reading starts afresh.
public final class RolloutController: Sendable {
    public let control: ControlPlane
    /// The stats timeline: the baseline's last minutes fix the latency thresholds at a start.
    public let monitor: TrafficMonitor
    /// Where readings come from and which rollouts this instance judges.
    public let traffic: RolloutTraffic
    private let stopped = Latch()
    private let wakeUp = Latch()
    private let thread = Mutex<pthread_t?>(nil)
    /// Per split: the reading the next look is measured from.
    private let bases = Mutex<[String: Base]>([:])
    /// Per split under a guarded switch: the reading its next look is measured from.
    let guardBases = Mutex<[String: GuardBase]>([:])
    /// When a late worker was last reported (monotonic ns): once per 10 s, not at every tick.
    private let lastLateNotice = Mutex<UInt64>(0)
    /// Time spent judging (the state machine and the analyzer) and looks taken, for `/metrics`.
    private let cost = Mutex<(nanoseconds: UInt64, looks: UInt64)>((0, 0))

    /// A reading of the rollout's pools, the weight it was taken at, and when.
    struct Base {
        var rolloutStartedAt: Double
        var canaryWeight: Int
        var totals: [TrafficKey: ServerTally]
        var at: UInt64
        var lastSave: UInt64
    }

    /// How often the controller wakes to see whether a look is due.
    static let tickSeconds = 0.1
    /// A late worker or a refused look is reported at most this often.
    static let noticeNanoseconds: UInt64 = 10_000_000_000
    /// How long a reading may take before the look is put off to the next tick.
    static let readingTimeout = 2.0

    public init(control: ControlPlane, monitor: TrafficMonitor, traffic: RolloutTraffic? = nil) {
        self.control = control
        self.monitor = monitor
        self.traffic = traffic ?? LocalTraffic(server: control.server)
    }

    /// Wakes the controller now (a rollout started, or this instance began to lead one).
    public func wake() { wakeUp.signal() }

    public func start() {
        let started = LoopThread.start(name: "turnout-rollout") { [self] in
            while !stopped.wait(seconds: 0) {
                tick()
                _ = wakeUp.wait(seconds: Self.tickSeconds)
            }
        }
        thread.withLock { $0 = started }
    }

    public func stop() {
        guard let running = thread.withLock({ value -> pthread_t? in defer { value = nil }; return value }) else { return }
        stopped.signal()
        wakeUp.signal()
        LoopThread.join(running)
    }

    // MARK: Admin entry points

    /// Starts a rollout from an admin body (empty: the configuration's template for the split).
    public func start(split name: String, body: [UInt8], origin: ChangeOrigin) throws(ControlError) -> Rollout {
        let config = control.config
        guard let split = config.split(named: name) else { throw unknownSplit(name, config) }
        let request: RolloutRequest
        do {
            request = try AdminBody.rollout(body, split: split, config: config)
        } catch {
            throw .badRequest("POST /splits/\(name)/rollout: " + error.errors.map(\.description).joined(separator: "; "))
        }
        let rollout = try control.startRollout(request.plan, split: name, force: request.force,
                                               baseline: baselineTraffic(pool: request.plan.baseline), origin: origin)
        wakeUp.signal()
        return rollout
    }

    /// The baseline pool's traffic over the stats timeline's last 5 minutes (less right after
    /// turnout started), its failures counted as a look counts them; nil when a worker did not
    /// hand over its totals in time. In a fleet, this instance's counts times the instances
    /// registered (`RolloutTraffic.trafficScale`): the rates and the error rate are the fleet's
    /// as a balancer spreading traffic evenly would make them.
    func baselineTraffic(pool: String) -> PoolTraffic? {
        guard var baseline = traffic(of: pool, seconds: 300) else { return nil }
        let scale = baseline.requests > 0 ? traffic.trafficScale : 1
        baseline.requests = UInt64((Double(baseline.requests) * scale).rounded())
        baseline.errors = UInt64((Double(baseline.errors) * scale).rounded())
        return baseline
    }

    /// The requests of `stats` that failed as the analyzer counts failures: 5xx answers and
    /// upstream errors (refused, reset, timed out…).
    static func failures(in stats: TrafficStats) -> UInt64 {
        stats.responses(inClass: 5) &+ UpstreamErrorKind.allCases.reduce(0) { $0 &+ stats.errors($1) }
    }

    /// Nanoseconds per look so far and the number of looks.
    public var lookCost: (nanosecondsPerLook: Double, looks: UInt64) {
        cost.withLock { ($0.looks == 0 ? 0 : Double($0.nanoseconds) / Double($0.looks), $0.looks) }
    }

    // MARK: Looking

    /// One pass over the rollouts in progress: a look at each one that is due.
    func tick() {
        tickGuards()
        let live = control.liveRollouts().filter { traffic.judges(split: $0.split) }
        bases.withLock { bases in bases = bases.filter { key, _ in live.contains { $0.split == key } } }
        for (split, rollout) in live { look(split: split, rollout: rollout) }
    }

    private func look(split: String, rollout: Rollout) {
        let pools: Set<String> = [rollout.plan.baseline, rollout.plan.canary]
        let base = bases.withLock { $0[split] }
        guard let base, base.rolloutStartedAt == rollout.startedAt, base.canaryWeight == rollout.canaryWeight else {
            rebase(split: split, rollout: rollout, pools: pools, lastSave: base?.lastSave)
            return
        }
        guard wallClock() >= rollout.nextLookDue else { return }
        let reading: [TrafficKey: ServerTally]?
        do {
            reading = try traffic.reading(split: split, pools: pools, timeout: Self.readingTimeout)
        } catch {
            control.holdRollout(split: split, startedAt: rollout.startedAt, because: error)
            return
        }
        guard let totals = reading else {
            let now = monotonicNanoseconds()
            let due = lastLateNotice.withLock { last in
                guard last == 0 || now &- last >= Self.noticeNanoseconds else { return false }
                last = now
                return true
            }
            if due { control.notice("rollout on split \(split): a worker did not hand over its counts within \(Self.readingTimeout) s; the look waits for it") }
            return
        }
        let now = monotonicNanoseconds()
        let look = Self.look(from: base.totals, to: totals, plan: rollout.plan, canaryServers: canaryServers(rollout.plan.canary),
                             seconds: Double(now &- base.at) / 1e9)
        let checkpoint = now &- base.lastSave >= traffic.checkpointNanoseconds
        let started = monotonicNanoseconds()
        let outcome: (Rollout, [RolloutChange])?
        do {
            outcome = try control.observeRollout(split: split, startedAt: rollout.startedAt, look: look, checkpoint: checkpoint)
        } catch {
            // Not applied, so the base stays: the next look covers this one's span too.
            control.holdRollout(split: split, startedAt: rollout.startedAt, because: error)
            return
        }
        cost.withLock { $0 = ($0.nanoseconds &+ (monotonicNanoseconds() &- started), $0.looks &+ 1) }
        guard let (after, _) = outcome else { return }
        if after.canaryWeight != base.canaryWeight || after.phase.isFinished {
            // The weights moved: the next look starts from a reading taken now.
            bases.withLock { $0[split] = nil }
            if !after.phase.isFinished { rebase(split: split, rollout: after, pools: pools, lastSave: now) }
            return
        }
        bases.withLock { $0[split] = Base(rolloutStartedAt: base.rolloutStartedAt, canaryWeight: base.canaryWeight, totals: totals, at: now,
                                          lastSave: checkpoint ? now : base.lastSave) }
    }

    /// Takes the reading the rollout's next look is measured from.
    private func rebase(split: String, rollout: Rollout, pools: Set<String>, lastSave: UInt64?) {
        guard let totals = try? traffic.reading(split: split, pools: pools, timeout: Self.readingTimeout) else { return }
        let now = monotonicNanoseconds()
        bases.withLock {
            $0[split] = Base(rolloutStartedAt: rollout.startedAt, canaryWeight: rollout.canaryWeight, totals: totals, at: now,
                             lastSave: lastSave ?? now)
        }
    }

    /// The canary pool's configured servers, in a stable order.
    private func canaryServers(_ pool: String) -> [String] {
        control.config.pool(named: pool)?.servers.map(\.address.description).sorted() ?? []
    }

    /// The traffic between two readings as the analyzer takes it: each pool's requests, failures
    /// (5xx answers and upstream errors) and latency, and the canary's per server.
    static func look(from earlier: [TrafficKey: ServerTally], to later: [TrafficKey: ServerTally], plan: RolloutPlan,
                     canaryServers: [String], seconds: Double) -> ControlPlane.RolloutLook {
        func window(_ keys: [TrafficKey]) -> PoolWindow {
            var requests: UInt64 = 0, errors: UInt64 = 0
            var latency = Histogram()
            for key in keys {
                guard let now = later[key] else { continue }
                let delta = earlier[key].map { now.subtracting($0) } ?? now
                requests &+= delta.requests
                errors &+= delta.errors
                latency.merge(delta.latency)
            }
            return PoolWindow(requests: requests, errors: errors, latency: latency)
        }
        let keys = Set(later.keys).union(earlier.keys)
        let canaryKeys = keys.filter { $0.pool == plan.canary }.sorted()
        let baselineKeys = keys.filter { $0.pool == plan.baseline }.sorted()
        return ControlPlane.RolloutLook(
            canary: window(canaryKeys), baseline: window(baselineKeys),
            canaryServers: canaryServers.map { window([TrafficKey(pool: plan.canary, server: $0)]) },
            seconds: seconds)
    }
}
