import Glibc

/// A one-sided anytime-valid test on which pool an event (an error, a slow request) came from.
///
/// Within one look, canary and baseline served `nC` and `nB` requests. If each pool's events
/// occur at rate p·ρ (canary) and p (baseline), with p shared and free to drift, spike or follow
/// the time of day, then given the look's total E events the canary's count is
/// Binomial(E, θ) with θ = nC·ρ / (nC·ρ + nB): the nuisance p cancels, and so do weight changes,
/// because θ is computed from the realized counts of that look.
///
/// For the null "ρ ≤ ρ0" (direction `.worse`) each alternative ρ0·r (r > 1) contributes the
/// likelihood-ratio factor r^xC · (1 + θ0(r − 1))^−E, θ0 = θ(ρ0). By monotone likelihood ratio,
/// its expectation is ≤ 1 under every ρ ≤ ρ0, so the product over looks is a nonnegative
/// supermartingale under the whole composite null, and so is a fixed-weight mixture of them.
/// Ville's inequality then bounds the chance it ever reaches 1/α by α: the test may be checked
/// after every look. Direction `.better` is the mirror image (null "ρ ≥ ρ0", r < 1), which is
/// how non-inferiority is shown. ρ0 may change from look to look as long as it is fixed before
/// the look's data are seen.
public struct ShareTest: Sendable, Equatable, Codable {
    /// Which side of ρ0 the test looks for.
    public enum Direction: Sendable, Equatable, Codable {
        /// Null ρ ≤ ρ0; rejecting proves the canary's rate is higher.
        case worse
        /// Null ρ ≥ ρ0; rejecting proves the canary's rate is lower.
        case better
    }

    /// The side tested.
    public let direction: Direction
    /// The alternatives mixed over.
    public let grid: MixtureGrid
    /// log(1/α): the evidence threshold.
    public let logThreshold: Double
    /// Divisor of every log likelihood ratio (≥ 1): tempering that tolerates over-dispersed
    /// events. Raising a likelihood ratio to a power ≤ 1 keeps its expectation ≤ 1 (Jensen), so
    /// validity under the plain binomial model is kept.
    public var dispersion: Double
    /// log of each component's product of likelihood ratios.
    var logProducts: [Double]
    /// Whether the test has crossed its threshold; once it has, it stays rejected (Ville's
    /// inequality bounds the chance of *ever* crossing).
    public private(set) var rejected: Bool = false

    /// A test of the given side at level `alpha`.
    public init(direction: Direction, alpha: Double, grid: MixtureGrid? = nil, dispersion: Double = 1) {
        precondition(alpha > 0 && alpha < 1, "ShareTest: alpha must be in (0, 1)")
        self.direction = direction
        self.grid = grid ?? (direction == .worse ? .worse : .better)
        self.logThreshold = -log(alpha)
        self.dispersion = max(dispersion, 1)
        self.logProducts = [Double](repeating: 0, count: self.grid.ratios.count)
    }

    /// log of the mixture martingale: the evidence against the null, in nats.
    public var logEvidence: Double {
        var terms = logProducts
        for j in terms.indices { terms[j] += grid.logWeights[j] }
        return LogMath.logSumExp(terms)
    }

    /// The evidence as an e-value (the martingale's value; reject at 1/α).
    public var evidence: Double { LogMath.boundedExp(logEvidence) }

    /// Adds one look: exposures `canaryRequests` and `baselineRequests`, events in each pool,
    /// and the null ratio `nullRatio` in force for this look. Returns whether the test rejected.
    @discardableResult
    public mutating func observe(canaryRequests: UInt64, baselineRequests: UInt64,
                                 canaryEvents: UInt64, baselineEvents: UInt64,
                                 nullRatio: Double, dispersion: Double? = nil) -> Bool {
        if let dispersion { self.dispersion = max(dispersion, 1) }
        let events = canaryEvents + baselineEvents
        // No events, or a pool with no traffic, carries no information about the share.
        guard events > 0, canaryRequests > 0, baselineRequests > 0, nullRatio > 0 else { return rejected }
        let weighted = Double(canaryRequests) * nullRatio
        let theta0 = weighted / (weighted + Double(baselineRequests))
        let xC = Double(canaryEvents)
        let total = Double(events)
        let scale = 1 / self.dispersion
        for j in logProducts.indices {
            let r = grid.ratios[j]
            logProducts[j] += scale * (xC * grid.logRatios[j] - total * log1p(theta0 * (r - 1)))
        }
        if !rejected && logEvidence >= logThreshold { rejected = true }
        return rejected
    }

    /// Starts afresh (a new step's pass test).
    public mutating func reset() {
        for j in logProducts.indices { logProducts[j] = 0 }
        rejected = false
    }
}
