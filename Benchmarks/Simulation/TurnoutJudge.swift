import Glibc
import TurnoutAnalysis
import TurnoutMetrics

/// Runs a rollout under Turnout's analyzer: one look per second; steps 5 %, 25 %, 50 %, then
/// promotion to 100 %; a step advances when the analyzer says `pass` (after ≥ 30 s and ≥ 500
/// canary requests) and is declared stalled after 15 minutes without a verdict.
struct TurnoutJudge {
    /// Canary shares of the steps.
    static let weights = [0.05, 0.25, 0.50]
    /// Longest a step may last before the rollout is reported as stalled (waiting for an operator).
    static let maximumStepSeconds = 900
    /// The policy (SPEC §2 defaults).
    let policy: AnalysisPolicy
    /// Whether the analyzer gets the canary's counts per host, or only the pool's.
    var perServer = true

    /// Nanoseconds spent inside `CanaryAnalyzer.observe` and the looks made, for the CPU figure.
    struct Cost { var nanoseconds: UInt64 = 0; var looks: UInt64 = 0 }

    /// Runs one rollout.
    func run(_ env: Environment, rng: inout Xoshiro, cost: inout Cost) -> RolloutResult {
        var analyzer = CanaryAnalyzer(policy: policy)
        var result = RolloutResult()
        var t = 0.0
        for weight in Self.weights {
            // Thresholds from the baseline's previous window (a minute of baseline traffic before
            // the step): the model's quantile then, with the sampling error of ~50,000 requests.
            let q = policy.latencyQuantiles[0]
            let measured = env.baselineLatency(t - 30).baseQuantile(q) * exp(0.01 * rng.normal())
            let threshold = LatencyThreshold(quantile: q, baselineQuantile: UInt64(measured * 1e9),
                                             tolerance: policy.latencyTolerance)
            analyzer.beginStep(canaryWeight: weight, latencyThresholds: [threshold])
            let x = Double(threshold.failThreshold) / 1e9, xPlus = Double(threshold.passThreshold) / 1e9
            var verdict = Verdict.continue
            for _ in 0..<Self.maximumStepSeconds {
                let d = env.drawCounts(at: t, seconds: 1, weight: weight, rng: &rng)
                let e = env.drawExceedances(d, x: x, xPlus: xPlus, rng: &rng)
                let servers = !perServer ? [] : d.hostRequests.indices.map { h in
                    PoolCounts(requests: d.hostRequests[h], errors: d.hostErrors[h],
                               aboveFailThreshold: [e.hostAbove[h]], abovePassThreshold: [e.hostAbovePlus[h]])
                }
                let look = Look(
                    canary: PoolCounts(requests: d.canaryRequests, errors: d.canaryErrors,
                                       aboveFailThreshold: [e.canaryAbove], abovePassThreshold: [e.canaryAbovePlus]),
                    baseline: PoolCounts(requests: d.baselineRequests, errors: d.baselineErrors,
                                         aboveFailThreshold: [e.baselineAbove], abovePassThreshold: [0]),
                    canaryServers: servers,
                    seconds: 1)
                let start = Clock.nanoseconds()
                verdict = analyzer.observe(look)
                cost.nanoseconds += Clock.nanoseconds() - start
                cost.looks += 1
                t += 1
                result.canaryRequests += d.canaryRequests
                result.excessErrors += d.excessErrors
                if verdict != .continue { break }
            }
            result.seconds = t
            switch verdict {
            case .fail:
                result.outcome = .rolledBack
                return result
            case .continue:
                result.outcome = .stalled
                return result
            case .pass:
                continue
            }
        }
        result.outcome = .promoted
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
