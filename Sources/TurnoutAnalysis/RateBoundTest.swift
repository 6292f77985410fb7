import Glibc

/// A one-sided anytime-valid test of the canary's own error rate against a bound, with no
/// reference to the baseline's events.
///
/// `ShareTest` learns only from events: when the baseline has (almost) no errors it has nothing
/// to compare them with. Two questions need none:
/// * `.below`: is the canary's rate below the absolute tolerance `a`? If it is, it is below
///   baseline + `a` too (a rate is never negative), so a service with no errors on either side
///   can show non-inferiority. A canary with no errors at a = 0.005 shows it after about 2,000
///   requests.
/// * `.above`: is the canary's rate above baseline + `a`, with the baseline's rate taken at an
///   upper bound from earlier looks? That is how a canary that fails where the baseline never
///   does is caught.
///
/// Each look adds, for every alternative p1 = b·r from the mixture grid (r < 1 below, r > 1
/// above), the log likelihood ratio x·log r + (n − x)·log((1 − p1)/(1 − b)) of x errors in n
/// requests against the bound b in force for that look. The ratio is monotone in the true rate,
/// so its expectation is ≤ 1 everywhere on the null's side of b: the mixture is a nonnegative
/// supermartingale under the whole null, and Ville's inequality bounds the chance it ever
/// reaches 1/α by α. The bound may change from look to look if it is fixed before the look.
public struct RateBoundTest: Sendable, Equatable, Codable {
    /// Which side of the bound the test shows the canary's rate on.
    public enum Direction: Sendable, Equatable, Codable {
        /// Null p ≥ b; rejecting shows the rate is below the bound.
        case below
        /// Null p ≤ b; rejecting shows the rate is above the bound.
        case above
    }

    /// The side shown.
    public let direction: Direction
    /// The alternatives mixed over (ratios of the bound: all < 1 below, all > 1 above).
    public let grid: MixtureGrid
    /// log(1/α).
    public let logThreshold: Double
    /// The bound of the last look.
    public private(set) var bound: Double
    /// log of each component's product of likelihood ratios.
    var logProducts: [Double]
    /// Whether the test has crossed its threshold (it stays crossed).
    public private(set) var rejected = false

    /// A test of the canary's rate against `bound` (in (0, 1); `observe` may move it) at level
    /// `alpha`.
    public init(direction: Direction, bound: Double, alpha: Double, grid: MixtureGrid? = nil) {
        precondition(bound > 0 && bound < 1, "RateBoundTest: bound must be in (0, 1)")
        precondition(alpha > 0 && alpha < 1, "RateBoundTest: alpha must be in (0, 1)")
        self.direction = direction
        self.bound = bound
        self.grid = grid ?? (direction == .below ? .better : .above)
        logThreshold = -log(alpha)
        logProducts = [Double](repeating: 0, count: self.grid.ratios.count)
    }

    /// log of the mixture: the evidence, in nats.
    var logEvidence: Double { LogMath.logSumExp(zip(logProducts, grid.logWeights).map { $0 + $1 }) }

    /// The evidence as an e-value.
    public var evidence: Double { LogMath.boundedExp(logEvidence) }

    /// Adds one look: `requests` canary requests, `errors` of them failed, against `bound` (nil
    /// keeps the last one). `dispersion` (≥ 1) tempers the look as in `ShareTest`.
    @discardableResult
    public mutating func observe(requests: UInt64, errors: UInt64, bound newBound: Double? = nil, dispersion: Double = 1) -> Bool {
        if let newBound { bound = min(max(newBound, 1e-9), 1 - 1e-9) }
        guard requests > 0 else { return rejected }
        let x = Double(errors), rest = Double(requests - min(errors, requests))
        let scale = 1 / max(dispersion, 1)
        let logNullSurvival = log1p(-bound)
        for j in logProducts.indices {
            let p1 = bound * grid.ratios[j]
            // An alternative at or past certainty is no rate at all: that component stands still
            // (a factor of 1 keeps the mixture a supermartingale).
            guard p1 < 1 else { continue }
            logProducts[j] += scale * (x * grid.logRatios[j] + rest * (log1p(-p1) - logNullSurvival))
        }
        if !rejected && logEvidence >= logThreshold { rejected = true }
        return rejected
    }

    /// Starts afresh (a new step).
    public mutating func reset() {
        for j in logProducts.indices { logProducts[j] = 0 }
        rejected = false
    }
}
