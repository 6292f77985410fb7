import Glibc
import TurnoutAnalysis
import TurnoutMetrics
import TurnoutRollout

/// Runs a simulated rollout through Turnout's own rollout state machine (`TurnoutRollout.Rollout`,
/// the code the controller runs in the proxy): this adapter only draws each second's traffic at
/// the weight the machine has set, turns it into a `Look`, and reads the outcome. Steps 5 %,
/// 25 %, 50 % with the cell's hold each (30 s in most cells), then 100 %; one look per second; a
/// step that cannot advance within 15 minutes stalls.
struct TurnoutJudge {
    /// Canary percents of the plan's weight steps.
    static let percents = [5, 25, 50]
    /// Canary shares of the steps, for the reference judges' schedules.
    static let weights = percents.map { Double($0) / 100 }
    /// Longest a step may last before the rollout is reported as stalled (waiting for an operator).
    static let maximumStepSeconds = 900
    /// Seconds of the baseline's traffic before the start that the controller hands the rollout
    /// (its stats timeline's last 5 minutes): the latency thresholds and the starting error rate.
    static let baselineBeforeSeconds = 300.0
    /// How a step earns its advance.
    let advance: AdvanceMode
    /// Whether the analyzer gets the canary's counts per host, or only the pool's.
    var perServer = true

    /// Nanoseconds spent inside `Rollout.observe` and the looks made, for the CPU figure.
    struct Cost { var nanoseconds: UInt64 = 0; var looks: UInt64 = 0 }

    /// The plan a rollout of `cell` runs: SPEC §2's analysis defaults with the cell's hold and
    /// warm-up.
    func plan(for cell: Cell) -> RolloutPlan {
        let steps = Self.percents.map { RolloutStep.weight($0, holdSeconds: cell.holdSeconds) }
        return RolloutPlan(baseline: "baseline", canary: "canary", steps: steps, advance: advance,
                           analysis: AnalysisSettings(warmupSeconds: cell.warmupSeconds,
                                                   maxStepSeconds: Self.maximumStepSeconds))
    }

    /// Runs one rollout.
    func run(_ env: Environment, rng: inout Xoshiro, cost: inout Cost) -> RolloutResult {
        let plan = self.plan(for: env.cell)
        // Thresholds from the baseline's traffic before the start (the controller reads the last
        // 5 minutes): the model's quantile then, with the sampling error of ~50,000 requests.
        let q = plan.analysis.latencyQuantile
        let measured = env.baselineLatency(-Self.baselineBeforeSeconds / 2).baseQuantile(q) * exp(0.01 * rng.normal())
        let threshold = LatencyThreshold(quantile: q, baselineQuantile: UInt64(measured * 1e9),
                                         tolerance: plan.analysis.maxLatencyIncrease)
        var rollout = Rollout(plan: plan, latencyThresholds: [threshold], now: 0)
        // The same 5 minutes give the baseline's error rate, as the controller passes it.
        let before = env.drawCounts(at: -Self.baselineBeforeSeconds, seconds: Self.baselineBeforeSeconds, weight: 0, rng: &rng)
        rollout.noteBaselineBefore(requests: before.baselineRequests, errors: before.baselineErrors,
                                   seconds: Self.baselineBeforeSeconds)
        _ = rollout.start(now: 0)
        let lines = LatencyLines(baseline: Double(threshold.baselineBound) / 1e9, pass: Double(threshold.passBound) / 1e9,
                                 fail: Double(threshold.failBound) / 1e9)
        var result = RolloutResult()
        var t = 0.0
        while rollout.phase == .running || rollout.phase == .paused {
            let weight = Double(rollout.canaryWeight) / 100
            let d = env.drawCounts(at: t, seconds: 1, weight: weight, rng: &rng)
            let e = env.drawExceedances(d, lines: lines, rng: &rng)
            let servers = !perServer ? [] : d.hostRequests.indices.map { h in
                PoolCounts(requests: d.hostRequests[h], errors: d.hostErrors[h], aboveBaselineBound: [e.hostAbove[h]],
                           abovePassBound: [e.hostAbovePass[h]], aboveFailBound: [e.hostAboveFail[h]])
            }
            let look = Look(
                canary: PoolCounts(requests: d.canaryRequests, errors: d.canaryErrors, aboveBaselineBound: [e.canaryAbove],
                                   abovePassBound: [e.canaryAbovePass], aboveFailBound: [e.canaryAboveFail]),
                baseline: PoolCounts(requests: d.baselineRequests, errors: d.baselineErrors,
                                     aboveBaselineBound: [e.baselineAbove], abovePassBound: [0], aboveFailBound: [0]),
                canaryServers: servers,
                seconds: 1)
            t += 1
            let canaryDown = env.cell.canaryFails && t >= Environment.healthDownSeconds ? "4 down" : nil
            let start = Clock.nanoseconds()
            _ = rollout.observe(look, canaryDown: canaryDown, now: t)
            cost.nanoseconds += Clock.nanoseconds() - start
            cost.looks += 1
            result.canaryRequests += d.canaryRequests
            result.excessErrors += d.excessErrors
        }
        result.seconds = t
        switch rollout.phase {
        case .rolledBack: result.outcome = .rolledBack
        case .promoted: result.outcome = .promoted
        default: result.outcome = .stalled
        }
        return result
    }
}

/// Monotonic clock readings without Foundation.
enum Clock {
    /// Nanoseconds of CLOCK_MONOTONIC.
    static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
