import Glibc
import TurnoutAnalysis
import TurnoutMetrics
import TurnoutRollout

/// How one simulated guarded switch ended, for one guard.
struct GuardResult: Sendable {
    /// Whether the guard switched back to blue.
    var reverted = false
    /// Seconds from the switch to the revert (from the incident's start in an incident cell).
    var secondsToRevert = 0.0
    /// Errors green served beyond what blue's rate would have given, until the revert or the
    /// watch's end (expected counts, as the rollout table's).
    var excessErrors = 0.0
}

/// One guarded switch of a `GuardCell`, drawn second by second: blue's reference, then green's
/// watch. Both guards meet the same draws: Turnout's (`GuardedSwitch` with the analysis
/// defaults, the state machine the control plane runs) and the fixed-threshold guard tutorials
/// write (`FixedThresholdGuard`). Each stops counting at its own revert.
struct GuardRun {
    let cell: GuardCell
    /// Phase of the swing, radians.
    let phase: Double
    /// The incident's first second of the watch.
    let incidentStart: Int

    /// A realization drawn from `rng`.
    init(cell: GuardCell, rng: inout Xoshiro) {
        self.cell = cell
        phase = 2 * Double.pi * rng.uniform()
        incidentStart = Int(Double(GuardCell.watchSeconds - GuardCell.incidentSeconds) * rng.uniform())
    }

    /// Load relative to the mean at time t (seconds from the switch; the reference is t < 0):
    /// it multiplies the request rate and every latency.
    func load(_ t: Double) -> Double {
        switch cell.swing {
        case .none: 1
        case .day: 1 + GuardCell.swingAmplitude * sin(2 * Double.pi * t / GuardCell.daySeconds + phase)
        case .compressed: t < 0 ? 1 : 1 + GuardCell.swingAmplitude * sin(2 * Double.pi * t / Double(GuardCell.watchSeconds) + phase)
        }
    }

    /// Whether the incident is on in watch second `s` (0-based).
    func incidentActive(_ s: Int) -> Bool {
        cell.incident && s >= incidentStart && s < incidentStart + GuardCell.incidentSeconds
    }

    /// Green's error rate in watch second `s`.
    func greenErrorRate(_ s: Int) -> Double {
        if incidentActive(s) { return GuardCell.incidentErrorRate }
        return min(1, cell.blueErrorRate * cell.errorMultiplier + cell.errorIncrease)
    }

    /// One second of a pool's traffic at time t into `window`: Poisson arrivals, binomial
    /// errors, each request's latency drawn from the lognormal at `scale`.
    func draw(at t: Double, errorRate: Double, latencyScale: Double, into window: inout PoolWindow, rng: inout Xoshiro) {
        let l = load(t + 0.5)
        let n = rng.poisson(cell.requestsPerSecond * l)
        window.requests = n
        window.errors = rng.binomial(n, errorRate)
        window.latency.reset()
        let median = LatencyModel.median * 1e9 * latencyScale * l
        var i: UInt64 = 0
        while i < n {
            // Box–Muller, both of the pair.
            let r = (-2 * log(rng.uniform())).squareRoot(), a = 2 * Double.pi * rng.uniform()
            window.latency.record(UInt64(median * exp(LatencyModel.sigma * r * cos(a))))
            if i + 1 < n { window.latency.record(UInt64(median * exp(LatencyModel.sigma * r * sin(a)))) }
            i += 2
        }
    }

    /// Runs the reference and the watch; Turnout's result and the fixed guard's.
    func run(rng: inout Xoshiro, cost: inout TurnoutJudge.Cost) -> (turnout: GuardResult, fixed: GuardResult) {
        var window = PoolWindow(requests: 0, errors: 0, latency: Histogram())
        var reference = PoolTraffic(requests: 0, errors: 0, latency: Histogram(), seconds: Double(GuardCell.referenceSeconds))
        for s in -GuardCell.referenceSeconds..<0 {
            draw(at: Double(s), errorRate: cell.blueErrorRate, latencyScale: 1, into: &window, rng: &rng)
            reference.requests += window.requests
            reference.errors += window.errors
            reference.latency.merge(window.latency)
        }
        let judge: GuardJudge
        do { judge = try GuardJudge(reference: reference, policy: AnalysisPolicy()) } catch {
            fatalError("the simulated reference was refused: \(error)")
        }
        var guarded = GuardedSwitch(from: "blue", to: "green", previousWeights: ["blue": 100, "green": 0],
                                    watchSeconds: Double(GuardCell.watchSeconds), judge: judge, now: 0)
        var fixed = FixedThresholdGuard(referenceP99: reference.latency.value(atQuantile: 0.99) ?? 0)
        var turnout = GuardResult(), tutorial = GuardResult()
        let detectFrom = cell.incident ? Double(incidentStart) : 0
        for s in 0..<GuardCell.watchSeconds {
            draw(at: Double(s), errorRate: greenErrorRate(s), latencyScale: cell.latencyScale, into: &window, rng: &rng)
            let excess = Double(window.requests) * (greenErrorRate(s) - cell.blueErrorRate)
            let now = Double(s + 1)
            if !guarded.isFinished {
                turnout.excessErrors += excess
                let start = Clock.nanoseconds()
                _ = guarded.observe(window, now: now)
                cost.nanoseconds += Clock.nanoseconds() - start
                cost.looks += 1
                if guarded.phase == .reverted {
                    turnout.reverted = true
                    turnout.secondsToRevert = now - detectFrom
                }
            }
            if !tutorial.reverted {
                tutorial.excessErrors += excess
                if fixed.observe(window, second: s + 1) {
                    tutorial.reverted = true
                    tutorial.secondsToRevert = now - detectFrom
                }
            }
        }
        return (turnout, tutorial)
    }
}

/// The guard tutorials write: "error rate above 5 % or latency above twice the baseline →
/// switch back", checked once a minute over the last minute (a Prometheus query over `[1m]` at a
/// 1-minute interval), the baseline being the old pool's p99 over the reference.
struct FixedThresholdGuard {
    /// Seconds per check, and the window each check reads.
    static let interval = 60
    static let maximumErrorRate = 0.05
    static let maximumLatencyRatio = 2.0
    /// Blue's p99 over the reference (nanoseconds).
    let referenceP99: UInt64
    /// The current minute's traffic.
    var minute = PoolWindow(requests: 0, errors: 0, latency: Histogram())

    init(referenceP99: UInt64) { self.referenceP99 = referenceP99 }

    /// Adds watch second `second` (1-based); whether this check switches back.
    mutating func observe(_ window: PoolWindow, second: Int) -> Bool {
        minute.requests += window.requests
        minute.errors += window.errors
        minute.latency.merge(window.latency)
        guard second % Self.interval == 0 else { return false }
        defer { minute = PoolWindow(requests: 0, errors: 0, latency: Histogram()) }
        guard minute.requests > 0 else { return false }
        let errorRate = Double(minute.errors) / Double(minute.requests)
        let p99 = minute.latency.value(atQuantile: 0.99) ?? 0
        return errorRate > Self.maximumErrorRate || Double(p99) > Self.maximumLatencyRatio * Double(referenceP99)
    }
}
