/// One interval's traffic split between the pools, drawn from an `Environment`.
struct IntervalDraw {
    /// Requests served by each pool.
    var canaryRequests: UInt64 = 0, baselineRequests: UInt64 = 0
    /// Failed requests of each pool.
    var canaryErrors: UInt64 = 0, baselineErrors: UInt64 = 0
    /// Requests and errors of each canary host (`Environment.canaryHosts`; host 0 is the noisy
    /// one when the cell has one). They add up to the canary's counts.
    var hostRequests: [UInt64] = [], hostErrors: [UInt64] = []
    /// Errors the canary served beyond what the baseline's rate would have given (expected).
    var excessErrors = 0.0
    /// Midpoint of the interval (seconds).
    var midpoint = 0.0
}

/// The latency thresholds of a rollout in seconds: the baseline's quantile and the tolerance
/// line rounded down (pass) and up (fail), as `LatencyThreshold` holds them.
struct LatencyLines {
    var baseline: Double, pass: Double, fail: Double
}

/// Slow requests of one interval: what the histograms would count above the three bucket bounds.
struct IntervalExceedances {
    /// Canary requests slower than the baseline line, and among them slower than the pass and
    /// the fail lines.
    var canaryAbove: UInt64 = 0, canaryAbovePass: UInt64 = 0, canaryAboveFail: UInt64 = 0
    /// The same per canary host.
    var hostAbove: [UInt64] = [], hostAbovePass: [UInt64] = [], hostAboveFail: [UInt64] = []
    /// Baseline requests slower than the baseline line.
    var baselineAbove: UInt64 = 0
}

extension Environment {
    /// Draws request and error counts for `seconds` starting at `t` at canary share `weight`:
    /// Poisson arrivals spread evenly over the canary's hosts, binomial errors.
    func drawCounts(at t: Double, seconds: Double, weight: Double, rng: inout Xoshiro) -> IntervalDraw {
        var d = IntervalDraw()
        d.midpoint = t + seconds / 2
        let expected = rate(d.midpoint) * seconds
        d.baselineRequests = rng.poisson(expected * (1 - weight))
        let p = baseErrorRate(d.midpoint)
        let pc = canaryErrorRate(d.midpoint)
        let factor = noisyFactor(d.midpoint)
        for host in 0..<Self.canaryHosts {
            let n = rng.poisson(expected * weight / Double(Self.canaryHosts))
            let pHost = host == 0 ? min(1, pc * factor) : pc
            let errors = rng.binomial(n, pHost)
            d.hostRequests.append(n)
            d.hostErrors.append(errors)
            d.canaryRequests += n
            d.canaryErrors += errors
        }
        d.baselineErrors = rng.binomial(d.baselineRequests, p)
        d.excessErrors = Double(d.canaryRequests) * (pc - p)
        return d
    }

    /// Canary requests slower than each line (nested: baseline ≤ pass ≤ fail), per host and in
    /// all, and baseline requests slower than the baseline line.
    func drawExceedances(_ d: IntervalDraw, lines: LatencyLines, rng: inout Xoshiro) -> IntervalExceedances {
        var e = IntervalExceedances()
        e.baselineAbove = rng.binomial(d.baselineRequests, baselineLatency(d.midpoint).tail(lines.baseline))
        let canary = canaryLatency(d.midpoint)
        for host in d.hostRequests.indices {
            let factor = host == 0 ? canary.noisyFactor : 1
            let tails = [lines.baseline, lines.pass, lines.fail].map { min(1, canary.hostTail($0) * factor) }
            // Each count is drawn among the requests above the line before it.
            var counts: [UInt64] = []
            var previous = d.hostRequests[host], previousTail = 1.0
            for tail in tails {
                let count = previousTail > 0 ? rng.binomial(previous, min(1, tail / previousTail)) : 0
                counts.append(count)
                previous = count
                previousTail = tail
            }
            e.hostAbove.append(counts[0])
            e.hostAbovePass.append(counts[1])
            e.hostAboveFail.append(counts[2])
            e.canaryAbove += counts[0]
            e.canaryAbovePass += counts[1]
            e.canaryAboveFail += counts[2]
        }
        return e
    }

    /// A pool's q-quantile over `n` requests drawn from `model`: the exact order statistic,
    /// sampled through a Beta-distributed uniform order statistic (seconds).
    func sampledQuantile(_ q: Double, of n: UInt64, model: LatencyModel, rng: inout Xoshiro) -> Double? {
        guard n > 0 else { return nil }
        let k = min(max(UInt64((q * Double(n)).rounded(.up)), 1), n)
        let u = rng.uniformOrderStatistic(k, of: n)
        return model.inverseTail(1 - u)
    }
}
