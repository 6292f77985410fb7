/// One interval's traffic split between the pools, drawn from an `Environment`.
struct IntervalDraw {
    /// Requests served by each pool.
    var canaryRequests: UInt64 = 0, baselineRequests: UInt64 = 0
    /// Failed requests of each pool.
    var canaryErrors: UInt64 = 0, baselineErrors: UInt64 = 0
    /// Canary requests of the ordinary hosts and of the noisy host.
    var ordinaryRequests: UInt64 = 0, noisyRequests: UInt64 = 0
    /// Errors the canary served beyond what the baseline's rate would have given (expected).
    var excessErrors = 0.0
    /// Midpoint of the interval (seconds).
    var midpoint = 0.0
}

extension Environment {
    /// Draws request and error counts for `seconds` starting at `t` at canary share `weight`:
    /// Poisson arrivals, binomial errors.
    func drawCounts(at t: Double, seconds: Double, weight: Double, rng: inout Xoshiro) -> IntervalDraw {
        var d = IntervalDraw()
        d.midpoint = t + seconds / 2
        let expected = rate(d.midpoint) * seconds
        d.canaryRequests = rng.poisson(expected * weight)
        d.baselineRequests = rng.poisson(expected * (1 - weight))
        let p = baseErrorRate(d.midpoint)
        let pc = min(1, p * cell.errorMultiplier)
        if cell.noisyHost {
            d.noisyRequests = rng.binomial(d.canaryRequests, Self.noisyShare)
            d.ordinaryRequests = d.canaryRequests - d.noisyRequests
            d.canaryErrors = rng.binomial(d.ordinaryRequests, pc)
                + rng.binomial(d.noisyRequests, min(1, pc * noisyFactor(d.midpoint)))
        } else {
            d.ordinaryRequests = d.canaryRequests
            d.canaryErrors = rng.binomial(d.canaryRequests, pc)
        }
        d.baselineErrors = rng.binomial(d.baselineRequests, p)
        d.excessErrors = Double(d.canaryRequests) * (pc - p)
        return d
    }

    /// Canary requests slower than `x` and, among them, slower than `xPlus` (> x), and baseline
    /// requests slower than `x`: what the histograms would count above two bucket bounds.
    func drawExceedances(_ d: IntervalDraw, x: Double, xPlus: Double, rng: inout Xoshiro)
        -> (canaryAbove: UInt64, canaryAbovePlus: UInt64, baselineAbove: UInt64) {
        let base = baselineLatency(d.midpoint)
        let baselineAbove = rng.binomial(d.baselineRequests, base.tail(x))
        var canary = canaryLatency(d.midpoint)
        let factor = canary.noisyFactor
        canary.noisyShare = 0
        let pOrdinary = canary.hostTail(x), pOrdinaryPlus = canary.hostTail(xPlus)
        var above = rng.binomial(d.ordinaryRequests, pOrdinary)
        var abovePlus = pOrdinary > 0 ? rng.binomial(above, pOrdinaryPlus / pOrdinary) : 0
        if d.noisyRequests > 0 {
            let pNoisy = min(1, pOrdinary * factor), pNoisyPlus = min(1, pOrdinaryPlus * factor)
            let a = rng.binomial(d.noisyRequests, pNoisy)
            above += a
            abovePlus += pNoisy > 0 ? rng.binomial(a, pNoisyPlus / pNoisy) : 0
        }
        return (above, abovePlus, baselineAbove)
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
