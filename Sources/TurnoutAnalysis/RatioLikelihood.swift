import Glibc

/// The conditional log-likelihood of the canary/baseline rate ratio ρ on a fixed geometric grid,
/// for reports: a point estimate and an anytime-valid confidence sequence.
///
/// It uses the same model as `ShareTest`: per look, the canary's share of the events is
/// Binomial(E, nC·ρ/(nC·ρ + nB)). ℓ(ρ) − ℓ(1) accumulates xC·log ρ − E·log(1 + θ1(ρ − 1)) with
/// θ1 = nC/(nC + nB). A ratio ρk belongs to the confidence sequence while neither one-sided
/// mixture test with null ρk (alternatives ρk·1.1^±m, m = 1…8) has reached 2/α; by the same
/// supermartingale argument the sequence covers the true ratio at all times with probability
/// ≥ 1 − α.
public struct RatioLikelihood: Sendable, Equatable, Codable {
    /// Grid step: ratios are 1.1^k.
    static let logStep = log(1.1)
    /// Grid covers 1.1^−32 … 1.1^32 (about 0.047 … 21).
    static let halfWidth = 32
    /// log-likelihood relative to ρ = 1 at each grid point.
    var values: [Double]
    /// Events seen in each pool (for deciding whether an interval is informative).
    public private(set) var canaryEvents: UInt64 = 0
    /// Events seen in the baseline.
    public private(set) var baselineEvents: UInt64 = 0
    /// Exposure seen in each pool.
    public private(set) var canaryRequests: UInt64 = 0
    /// Exposure seen in the baseline.
    public private(set) var baselineRequests: UInt64 = 0

    /// An empty likelihood (flat).
    public init() {
        values = [Double](repeating: 0, count: 2 * Self.halfWidth + 1)
    }

    /// The ratio at grid index `k`.
    static func ratio(at k: Int) -> Double { exp(Double(k - halfWidth) * logStep) }

    /// Adds one look.
    public mutating func observe(canaryRequests nC: UInt64, baselineRequests nB: UInt64,
                                 canaryEvents xC: UInt64, baselineEvents xB: UInt64) {
        canaryRequests += nC
        baselineRequests += nB
        canaryEvents += xC
        baselineEvents += xB
        let events = xC + xB
        guard events > 0, nC > 0, nB > 0 else { return }
        let theta1 = Double(nC) / Double(nC + nB)
        let x = Double(xC), total = Double(events)
        for k in values.indices {
            let logRho = Double(k - Self.halfWidth) * Self.logStep
            values[k] += x * logRho - total * log1p(theta1 * (exp(logRho) - 1))
        }
    }

    /// The grid ratio with the highest likelihood (nil before any event).
    public var estimate: Double? {
        guard canaryEvents + baselineEvents > 0 else { return nil }
        var best = 0
        for k in values.indices where values[k] > values[best] { best = k }
        return Self.ratio(at: best)
    }

    /// The (1 − alpha) confidence sequence for ρ, as grid ratios; the ends are 0 and +∞ when the
    /// data cannot exclude them.
    public func interval(alpha: Double) -> ClosedRange<Double> {
        let threshold = log(2 / alpha)
        // Offsets m and weights of the one-sided mixtures: 1.1, 1.21, … 1.1^8 ≈ 2.1.
        let logWeight = log(1.0 / 8)
        var low = Double.infinity, high = 0.0
        for k in values.indices {
            var above: [Double] = [], below: [Double] = []
            for m in 1...8 {
                if k + m < values.count { above.append(logWeight + values[k + m] - values[k]) }
                if k - m >= 0 { below.append(logWeight + values[k - m] - values[k]) }
            }
            let rejectedAsTooLow = !above.isEmpty && LogMath.logSumExp(above) >= threshold
            let rejectedAsTooHigh = !below.isEmpty && LogMath.logSumExp(below) >= threshold
            if !rejectedAsTooLow && !rejectedAsTooHigh {
                let rho = Self.ratio(at: k)
                low = min(low, rho)
                high = max(high, rho)
            }
        }
        if low == .infinity { return 0...Double.infinity }
        if low <= Self.ratio(at: 0) { low = 0 }
        if high >= Self.ratio(at: values.count - 1) { high = .infinity }
        return low...high
    }

    /// Starts afresh.
    public mutating func reset() { self = RatioLikelihood() }
}
