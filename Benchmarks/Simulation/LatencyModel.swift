import Glibc

/// A pool's latency distribution at one moment, as a tail function P(X > x) (x in seconds).
///
/// The base shape is lognormal (median 50 ms, σ 0.5: p99 ≈ 160 ms), scaled by load and incidents.
/// Regressions scale it further (p99 +10 % is ×1.10 on every request) or add a slow tail (a share
/// of requests gets a fixed extra delay). A noisy host's share of the pool has its tail
/// probability multiplied by that host's current factor.
struct LatencyModel {
    /// Median of the healthy distribution at nominal load (seconds).
    static let median = 0.050
    /// Shape of the lognormal.
    static let sigma = 0.5
    /// Multiplies every latency (load, incident, regression).
    var scale: Double
    /// Share of requests with the extra delay.
    var tailShare: Double = 0
    /// The extra delay (seconds).
    var tailDelay: Double = 0
    /// Share of this pool's requests served by the noisy host (0 when none).
    var noisyShare: Double = 0
    /// The noisy host's current multiplier of tail probabilities (mean 1 over time).
    var noisyFactor: Double = 1

    /// P(X > x) of the lognormal base, at this scale.
    func baseTail(_ x: Double) -> Double {
        guard x > 0 else { return 1 }
        return 0.5 * erfc(log(x / (Self.median * scale)) / (Self.sigma * 1.4142135623730951))
    }

    /// P(X > x) for a request of an ordinary host.
    func hostTail(_ x: Double) -> Double {
        let base = baseTail(x)
        guard tailShare > 0 else { return base }
        return (1 - tailShare) * base + tailShare * baseTail(x - tailDelay)
    }

    /// P(X > x) for the whole pool.
    func tail(_ x: Double) -> Double {
        let ordinary = hostTail(x)
        guard noisyShare > 0 else { return ordinary }
        return (1 - noisyShare) * ordinary + noisyShare * min(1, ordinary * noisyFactor)
    }

    /// The value x with P(X > x) = `tailProbability`, by bisection in log space.
    func inverseTail(_ tailProbability: Double) -> Double {
        var low = log(1e-4), high = log(100.0)
        for _ in 0..<50 {
            let mid = (low + high) / 2
            if tail(exp(mid)) > tailProbability { low = mid } else { high = mid }
        }
        return exp((low + high) / 2)
    }

    /// The exact q-quantile of the lognormal base (what a large baseline window measures).
    func baseQuantile(_ q: Double) -> Double {
        inverseTail(1 - q)
    }
}
