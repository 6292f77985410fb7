import Glibc

/// The alternatives a sequential test mixes over: ratios r (relative to the null's ratio) with
/// prior weights summing to 1.
///
/// Mixing over a handful of alternatives instead of betting on one costs only log(1/w) nats of
/// evidence for the alternative that fits best, and makes the test adapt to the size of the
/// regression it meets (×1.25 and ×3 alike) without a tuning knob.
public struct MixtureGrid: Sendable, Equatable, Codable {
    /// Alternative ratios, all > 1 (for tests of "worse") or all < 1 (for "better").
    public let ratios: [Double]
    /// log of each ratio, cached because every look uses it.
    let logRatios: [Double]
    /// log of each normalized prior weight.
    let logWeights: [Double]

    /// A grid from ratios and (unnormalized, positive) weights of the same length.
    public init(ratios: [Double], weights: [Double]) {
        precondition(!ratios.isEmpty && ratios.count == weights.count, "MixtureGrid: bad sizes")
        let total = weights.reduce(0, +)
        self.ratios = ratios
        self.logRatios = ratios.map { log($0) }
        self.logWeights = weights.map { log($0 / total) }
    }

    /// Alternatives for "the canary's rate is higher at all". The analyzer asks it only as the
    /// half of its two-part error test that keeps an incident on both pools from failing a canary
    /// no worse than the baseline; the canaries that test meets fail where the baseline does not
    /// (an error from the canary at 5 % of the traffic is then 20 times its share), so the weight
    /// is on ×3 … ×30: a canary failing a fifth of its requests against an error-free baseline is
    /// shown after about four of its errors instead of seven.
    public static let worse = MixtureGrid(
        ratios: [1.25, 1.5, 2.0, 3.0, 5.0, 10.0, 30.0],
        weights: [0.08, 0.12, 0.16, 0.18, 0.18, 0.16, 0.12])

    /// Alternatives for "the canary's rate is lower than the margin": a healthy canary tested
    /// against a margin ρ sits at 1/ρ, typically 0.5 … 0.9.
    public static let better = MixtureGrid(
        ratios: [0.3, 0.45, 0.55, 0.65, 0.75, 0.85],
        weights: [0.08, 0.17, 0.22, 0.22, 0.18, 0.13])

    /// Alternatives for "the canary is beyond its tolerance", as ratios of the tolerance line
    /// (the null sits at 1). A canary just past a tolerance is the common bad release, so the
    /// weight is on ×1.1 … ×1.6; a component gains evidence only from a canary beyond about half
    /// its own distance from the line, so ×1.03 and ×1.06 are there for the busy service that
    /// can tell a canary a few percent past it.
    public static let beyondTolerance = MixtureGrid(
        ratios: [1.03, 1.06, 1.1, 1.2, 1.35, 1.6, 2.0, 3.0, 6.0],
        weights: [0.06, 0.09, 0.13, 0.17, 0.17, 0.14, 0.11, 0.08, 0.05])

    /// Alternatives for "the canary's own error rate is above a bound": from just above it to a
    /// canary that fails every request.
    public static let above = MixtureGrid(
        ratios: [1.25, 1.5, 2.0, 3.0, 5.0, 10.0, 30.0, 100.0],
        weights: [0.1, 0.15, 0.17, 0.17, 0.14, 0.11, 0.09, 0.07])
}
