import Glibc

/// One minute of both pools as the reference judges see it: per-minute points, like the
/// metrics backends Kayenta and Flagger query.
struct MinutePoint {
    /// Error rates of canary and baseline over the minute.
    var canaryErrorRate: Double, baselineErrorRate: Double
    /// p99 latency (seconds) of canary and baseline over the minute.
    var canaryP99: Double, baselineP99: Double
    /// Canary requests and excess errors in the minute.
    var draw: IntervalDraw
}

extension Environment {
    /// Draws one minute at canary share `weight`.
    func drawMinute(at t: Double, weight: Double, rng: inout Xoshiro) -> MinutePoint {
        let d = drawCounts(at: t, seconds: 60, weight: weight, rng: &rng)
        let c = sampledQuantile(0.99, of: d.canaryRequests, model: canaryLatency(d.midpoint), rng: &rng) ?? 0
        let b = sampledQuantile(0.99, of: d.baselineRequests, model: baselineLatency(d.midpoint), rng: &rng) ?? 0
        return MinutePoint(
            canaryErrorRate: d.canaryRequests == 0 ? 0 : Double(d.canaryErrors) / Double(d.canaryRequests),
            baselineErrorRate: d.baselineRequests == 0 ? 0 : Double(d.baselineErrors) / Double(d.baselineRequests),
            canaryP99: c, baselineP99: b, draw: d)
    }
}

/// A Kayenta-like judge: each step is a fixed 10-minute window of per-minute points, judged at
/// its end by a one-sided Mann–Whitney test (canary > baseline) on the error rate and on p99,
/// each at level 0.01 (Kayenta's default 99 % confidence). Any significant metric rolls back.
struct KayentaJudge {
    /// Minutes per step.
    static let minutesPerStep = 10
    /// Significance level per metric and step.
    static let alpha = 0.01

    /// Runs one rollout.
    func run(_ env: Environment, rng: inout Xoshiro) -> RolloutResult {
        var result = RolloutResult()
        var t = 0.0
        for weight in TurnoutJudge.weights {
            var points: [MinutePoint] = []
            for _ in 0..<Self.minutesPerStep {
                let p = env.drawMinute(at: t, weight: weight, rng: &rng)
                points.append(p)
                result.canaryRequests += p.draw.canaryRequests
                result.excessErrors += p.draw.excessErrors
                t += 60
            }
            result.seconds = t
            let errors = Self.mannWhitneyGreater(points.map(\.canaryErrorRate), points.map(\.baselineErrorRate))
            let latency = Self.mannWhitneyGreater(points.map(\.canaryP99), points.map(\.baselineP99))
            if errors < Self.alpha || latency < Self.alpha {
                result.outcome = .rolledBack
                return result
            }
        }
        result.outcome = .promoted
        return result
    }

    /// One-sided p-value that `a` tends to exceed `b` (normal approximation with tie correction
    /// and continuity correction).
    static func mannWhitneyGreater(_ a: [Double], _ b: [Double]) -> Double {
        let n1 = Double(a.count), n2 = Double(b.count), n = n1 + n2
        var u = 0.0
        for x in a { for y in b { u += x > y ? 1 : (x == y ? 0.5 : 0) } }
        var all = a + b
        all.sort()
        var tieTerm = 0.0
        var i = 0
        while i < all.count {
            var j = i
            while j + 1 < all.count && all[j + 1] == all[i] { j += 1 }
            let size = Double(j - i + 1)
            tieTerm += size * size * size - size
            i = j + 1
        }
        let variance = n1 * n2 / 12 * ((n + 1) - tieTerm / (n * (n - 1)))
        guard variance > 0 else { return 1 }
        let z = (u - n1 * n2 / 2 - 0.5) / variance.squareRoot()
        return 0.5 * erfc(z / 1.4142135623730951)
    }
}

/// A Flagger-like judge: every minute it checks the canary alone against absolute thresholds
/// (success rate ≥ 99 %, p99 ≤ 250 ms, i.e. about 1.5× the healthy p99); failed checks
/// accumulate and 5 of them roll back. A step advances after its hold (1, 2, 2 minutes) of
/// passing checks.
struct FlaggerJudge {
    /// Minutes of passing checks per step.
    static let holdMinutes = [1, 2, 2]
    /// Failed checks that roll back.
    static let failureLimit = 5
    /// Absolute thresholds.
    static let maxErrorRate = 0.01, maxP99 = 0.250
    /// Give up after this many minutes (stalled).
    static let maximumMinutes = 60

    /// Runs one rollout.
    func run(_ env: Environment, rng: inout Xoshiro) -> RolloutResult {
        var result = RolloutResult()
        var t = 0.0
        var failed = 0
        var step = 0, held = 0
        for _ in 0..<Self.maximumMinutes {
            let p = env.drawMinute(at: t, weight: TurnoutJudge.weights[step], rng: &rng)
            result.canaryRequests += p.draw.canaryRequests
            result.excessErrors += p.draw.excessErrors
            t += 60
            result.seconds = t
            if p.canaryErrorRate > Self.maxErrorRate || p.canaryP99 > Self.maxP99 {
                failed += 1
                if failed >= Self.failureLimit {
                    result.outcome = .rolledBack
                    return result
                }
            } else {
                held += 1
                if held >= Self.holdMinutes[step] {
                    step += 1
                    held = 0
                    if step == TurnoutJudge.weights.count {
                        result.outcome = .promoted
                        return result
                    }
                }
            }
        }
        result.outcome = .stalled
        return result
    }
}
