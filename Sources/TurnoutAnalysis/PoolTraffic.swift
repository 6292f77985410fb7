import Glibc
import TurnoutMetrics

/// A pool's exact traffic over a window of the stats timeline, failures counted as a look counts
/// them. Two releases start from one:
/// * a rollout, from the baseline's last 5 minutes: it fixes the latency thresholds, seeds the
///   analyzer's baseline error rate and checks the plan's pace (SPEC §9);
/// * a guarded switch, from the pool being left's last `baseline_s`: the reference the new pool
///   is judged against. After a full switch no second pool takes traffic, so this finite sample
///   of the old pool's recent past is the only baseline there is.
///
/// As a reference it is a sample, not the truth: its error rate and its latency quantile are each
/// taken at an upper confidence bound (a share `alpha` of the guard's false-revert budget), so a
/// new pool as good as the old one crosses the fail lines with probability at most that share
/// even when the reference happened to look good. Pure: no I/O.
public struct PoolTraffic: Sendable, Equatable, Codable {
    /// Requests the old pool completed over the reference window.
    public var requests: UInt64
    /// Of those, failures as a look counts them (5xx answers and upstream errors).
    public var errors: UInt64
    /// Their latency.
    public var latency: Histogram
    /// The seconds the window covers.
    public var seconds: Double

    public init(requests: UInt64, errors: UInt64, latency: Histogram, seconds: Double) {
        self.requests = requests
        self.errors = errors
        self.latency = latency
        self.seconds = seconds
    }

    /// Requests per second over the window; 0 when it covers no time.
    public var rate: Double { seconds > 0 ? Double(requests) / seconds : 0 }

    /// The observed error rate; 0 with no requests.
    public var errorRate: Double { requests == 0 ? 0 : Double(errors) / Double(requests) }

    /// An upper bound on the true error rate that holds with probability 1 − `alpha`: the
    /// Wilson–Hilferty approximation of the Poisson upper bound for `errors` events (within a few
    /// per cent of the exact bound from one event up, and conservative at zero), over the requests.
    public func errorRateUpperBound(alpha: Double) -> Double {
        guard requests > 0 else { return 1 }
        let z = Self.normalQuantile(upperTail: alpha)
        let k = Double(errors) + 1
        let term = 1 - 1 / (9 * k) + z / (3 * k.squareRoot())
        return min(1, k * term * term * term / Double(requests))
    }

    /// An upper bound on the true `q`-quantile of the latency that holds with probability
    /// 1 − `alpha`: the smallest bucket bound with at least q·n + z·√(n·q·(1 − q)) + 1 requests at
    /// or below it (the order-statistic bound, normal approximation). nil when the reference is
    /// too small for one (`requiredRequests`).
    public func latencyUpperBound(quantile q: Double, alpha: Double) -> UInt64? {
        let n = Double(requests)
        let z = Self.normalQuantile(upperTail: alpha)
        let rank = (q * n + z * (n * q * (1 - q)).squareRoot() + 1).rounded(.up)
        guard requests > 0, rank <= n else { return nil }
        var seen: UInt64 = 0
        var bound: UInt64?
        latency.forEachBucket { upper, count in
            guard bound == nil else { return }
            seen &+= count
            if Double(seen) >= rank { bound = upper }
        }
        return bound
    }

    /// The fewest reference requests that give the `q`-quantile an upper bound at `alpha`: the
    /// smallest n with q·n + z·√(n·q·(1 − q)) + 1 ≤ n (about 970 for a p99 at α = 0.0025).
    public static func requiredRequests(quantile q: Double, alpha: Double) -> UInt64 {
        let z = normalQuantile(upperTail: alpha)
        let spread = z * (q * (1 - q)).squareRoot()
        let root = (spread + (spread * spread + 4 * (1 - q)).squareRoot()) / (2 * (1 - q))
        var n = UInt64((root * root).rounded(.down))
        while Double(n) * q + z * (Double(n) * q * (1 - q)).squareRoot() + 1 > Double(n) { n += 1 }
        return n
    }

    /// The standard normal quantile with `tail` above it (2.33 for 0.01): Abramowitz and Stegun
    /// 26.2.23, error below 0.00045.
    static func normalQuantile(upperTail tail: Double) -> Double {
        let p = min(max(tail, 1e-15), 0.5)
        let t = (-2 * log(p)).squareRoot()
        return t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t)
    }
}
