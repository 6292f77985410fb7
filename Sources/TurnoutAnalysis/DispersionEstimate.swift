/// A running estimate of how over-dispersed a metric's canary events are, relative to the
/// binomial model the tests assume (1 = as assumed).
///
/// A single noisy canary host makes errors and slow requests arrive in bursts: over a few
/// seconds the canary's share of events swings more than a binomial allows, and an untempered
/// likelihood-ratio test would mistake a burst for a regression. Looks are grouped in blocks of
/// `blockLooks`; each block's Pearson statistic (X − Eθ)² / (Eθ(1 − θ)), with θ from the ratio
/// estimated so far (so a real shift in the mean is not counted as noise), averages 1 under the
/// model and φ > 1 under over-dispersion. The estimate shrinks toward 1 with a prior of
/// `priorBlocks` blocks and never goes below 1. It only uses past blocks, so tempering the next
/// look by it keeps each test's factor fixed before its data (validity under the binomial model is
/// kept for any tempering ≥ 1; under over-dispersion it restores approximate validity).
public struct DispersionEstimate: Sendable, Equatable {
    /// Looks per block.
    static let blockLooks = 10
    /// Weight of the prior φ = 1, in blocks.
    static let priorBlocks = 4.0
    /// Current block: looks, canary and baseline events and requests.
    var looks = 0
    /// Canary events in the block.
    var canaryEvents = 0.0
    /// All events in the block.
    var events = 0.0
    /// Canary requests in the block.
    var canaryRequests = 0.0
    /// Baseline requests in the block.
    var baselineRequests = 0.0
    /// Sum of the completed blocks' Pearson statistics and their number.
    var pearsonSum = 0.0
    /// Completed blocks.
    var blocks = 0.0
    /// Rollout totals for the ratio estimate.
    var totalCanaryEvents = 0.0, totalBaselineEvents = 0.0
    /// Rollout totals of requests.
    var totalCanaryRequests = 0.0, totalBaselineRequests = 0.0

    /// An estimate at 1.
    public init() {}

    /// The dispersion to apply to the next look (≥ 1).
    public var value: Double {
        // Mean Pearson statistic shrunk toward 1. (Subtracting its standard error, to keep clean
        // data at exactly φ = 1, was tried: it doubled false rollbacks with a noisy host.)
        max(1, (pearsonSum + Self.priorBlocks) / (blocks + Self.priorBlocks))
    }

    /// Adds one look's counts.
    public mutating func observe(canaryRequests nC: UInt64, baselineRequests nB: UInt64,
                                 canaryEvents xC: UInt64, baselineEvents xB: UInt64) {
        looks += 1
        canaryEvents += Double(xC)
        events += Double(xC + xB)
        canaryRequests += Double(nC)
        baselineRequests += Double(nB)
        guard looks >= Self.blockLooks else { return }
        // Ratio estimated from earlier blocks, smoothed toward 1.
        let ratio = ((totalCanaryEvents + 1) / (totalCanaryRequests + 1))
            / ((totalBaselineEvents + 1) / (totalBaselineRequests + 1))
        if events > 0 && canaryRequests > 0 && baselineRequests > 0 {
            let w = canaryRequests * ratio
            let theta = w / (w + baselineRequests)
            let mean = events * theta
            let variance = mean * (1 - theta)
            if variance > 0.5 {
                let d = canaryEvents - mean
                pearsonSum += d * d / variance
                blocks += 1
            }
        }
        totalCanaryEvents += canaryEvents
        totalBaselineEvents += events - canaryEvents
        totalCanaryRequests += canaryRequests
        totalBaselineRequests += baselineRequests
        looks = 0
        canaryEvents = 0
        events = 0
        canaryRequests = 0
        baselineRequests = 0
    }
}
