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

    /// Alternatives for "the canary's rate is higher": weighted toward ×1.5 … ×2, the
    /// regressions worth catching fast, with tails to adapt to smaller and larger ones.
    public static let worse = MixtureGrid(
        ratios: [1.2, 1.35, 1.5, 1.75, 2.0, 2.5, 3.2, 5.0],
        weights: [0.07, 0.12, 0.17, 0.2, 0.19, 0.12, 0.08, 0.05])

    /// Alternatives for "the canary's rate is lower than the margin": a healthy canary tested
    /// against a margin ρ sits at 1/ρ, typically 0.5 … 0.9.
    public static let better = MixtureGrid(
        ratios: [0.3, 0.45, 0.55, 0.65, 0.75, 0.85],
        weights: [0.08, 0.17, 0.22, 0.22, 0.18, 0.13])
}
