import Glibc

/// A one-sided anytime-valid test that the canary's own error rate is below a fixed bound `a`:
/// the absolute error tolerance, with no reference to the baseline.
///
/// `ShareTest` learns only from events: when neither pool has any error it has nothing to
/// compare, so a service with no errors at all could never show non-inferiority and a proven
/// rollout would stall. This test needs no events. If the canary's rate is below `a` it is below
/// baseline + `a` too (a rate is never negative), so rejecting its null "p ≥ a" shows the
/// absolute tolerance holds.
///
/// Each look adds, for every alternative p1 = a·r (r < 1 from the mixture grid), the log
/// likelihood ratio x·log r + (n − x)·log((1 − p1)/(1 − a)) of x errors in n requests. The ratio
/// decreases in p, so its expectation is ≤ 1 under every p ≥ a: the mixture is a nonnegative
/// supermartingale under the whole null, and Ville's inequality bounds the chance it ever
/// reaches 1/α by α. A canary with no errors at a = 0.005 shows it after about 1,000 requests.
public struct RateBoundTest: Sendable, Equatable, Codable {
    /// The bound the canary's rate is shown to be under.
    public let bound: Double
    /// The alternatives mixed over (ratios of `bound`, all < 1).
    public let grid: MixtureGrid
    /// log(1/α).
    public let logThreshold: Double
    /// log of each component's product of likelihood ratios.
    var logProducts: [Double]
    /// Whether the test has crossed its threshold (it stays crossed).
    public private(set) var rejected = false

    /// A test of "canary rate < `bound`" at level `alpha`; `bound` in (0, 1).
    public init(bound: Double, alpha: Double, grid: MixtureGrid = .better) {
        precondition(bound > 0 && bound < 1, "RateBoundTest: bound must be in (0, 1)")
        precondition(alpha > 0 && alpha < 1, "RateBoundTest: alpha must be in (0, 1)")
        self.bound = bound
        self.grid = grid
        logThreshold = -log(alpha)
        logProducts = [Double](repeating: 0, count: grid.ratios.count)
    }

    /// The evidence as an e-value.
    public var evidence: Double {
        var terms = logProducts
        for j in terms.indices { terms[j] += grid.logWeights[j] }
        return LogMath.boundedExp(LogMath.logSumExp(terms))
    }

    /// Adds one look: `requests` canary requests, `errors` of them failed. `dispersion` (≥ 1)
    /// tempers the look as in `ShareTest`.
    @discardableResult
    public mutating func observe(requests: UInt64, errors: UInt64, dispersion: Double = 1) -> Bool {
        guard requests > 0 else { return rejected }
        let x = Double(errors), rest = Double(requests - min(errors, requests))
        let scale = 1 / max(dispersion, 1)
        let logNullSurvival = log1p(-bound)
        for j in logProducts.indices {
            let p1 = bound * grid.ratios[j]
            logProducts[j] += scale * (x * grid.logRatios[j] + rest * (log1p(-p1) - logNullSurvival))
        }
        if !rejected && LogMath.logSumExp(zip(logProducts, grid.logWeights).map { $0 + $1 }) >= logThreshold { rejected = true }
        return rejected
    }

    /// Starts afresh (a new step).
    public mutating func reset() {
        for j in logProducts.indices { logProducts[j] = 0 }
        rejected = false
    }
}
