/// A running estimate of how over-dispersed a metric's canary events are, relative to the
/// binomial model the tests assume (1 = as assumed).
///
/// A single noisy canary host makes errors and slow requests arrive in bursts: over a few
/// seconds the canary's share of events swings more than a binomial allows, and an untempered
/// likelihood-ratio test would mistake a burst for a regression.
///
/// Looks are grouped in blocks of `blockLooks`. Each block's events are split between groups, and
/// the block's Pearson statistic Σ (X_g − E_g)² / E_g (E_g from each group's requests and its rate
/// relative to the others, estimated on earlier blocks so a steady difference is not counted as
/// noise) has mean K − 1 under the model, given at least one event. Bursts add to it in proportion
/// to the canary's events per block: a rate that swings with squared coefficient of variation κ
/// gives variance λ + κλ² for λ expected events (the negative binomial's form), and a block's
/// Pearson excess over K − 1 of about (K − 1)·κλ. So the estimate is κ, the blocks' excesses
/// regressed on (K − 1)·λ (each block weighted by its λ: blocks with more events say more about
/// κ), shrunk toward `priorKappa`. The dispersion applied to a look is φ = 1 + κ·λ at the canary's
/// current events per block: a step that sends the canary five times the traffic is tempered for
/// five times the events. It only uses past blocks, so tempering the next look by it keeps each
/// test's factor fixed before its data (validity under the binomial model is kept for any
/// tempering ≥ 1; under over-dispersion it restores approximate validity).
///
/// The groups are the canary's servers when the looks name them, else the canary and the baseline:
///
/// * **Between the canary's servers** a regression that hits the whole canary (errors ×2 on
///   every server) is no dispersion at all, so it costs the tests no speed, while one server's
///   bursts show up with K − 1 degrees of freedom per block. With equal shares and one bursty
///   server, the inflation it measures is the one the canary's total count suffers.
/// * **Canary against baseline** (a canary of one server) gets one degree of freedom per block, and
///   a regression that develops during the rollout inflates it until the rate estimate catches up.
public struct DispersionEstimate: Sendable, Equatable, Codable {
    /// Looks per block.
    static let blockLooks = 10
    /// The prior κ, and its weight in degrees of freedom × squared canary events per block (one
    /// block at the first step's 5 % brings about 20 for errors). Starting above 0 keeps the first
    /// blocks, before there is evidence either way, from trusting the binomial model fully.
    static let priorKappa = 0.05, priorWeight = 30.0
    /// Looks in the current block.
    var looks = 0
    /// Requests and events of each group in the current block.
    var blockRequests: [Double] = [], blockEvents: [Double] = []
    /// Requests and events of each group in the completed blocks, for the groups' relative rates.
    var totalRequests: [Double] = [], totalEvents: [Double] = []
    /// Groups holding the canary's events: the first one in pool mode, all in server mode.
    var canaryGroups = 0
    /// Σ λ·(Pearson − degrees of freedom) over the completed blocks, λ their canary events.
    var excessSum = 0.0
    /// Σ degrees of freedom · λ² over the completed blocks.
    var weightSum = 0.0

    /// An estimate at 1.
    public init() {}

    /// κ: the extra variance per canary event (≥ 0).
    public var kappa: Double {
        max(0, (excessSum + Self.priorKappa * Self.priorWeight) / (weightSum + Self.priorWeight))
    }

    /// The dispersion to apply to the next look (≥ 1), at `canaryEventsPerLook` expected canary
    /// events per look.
    public func value(canaryEventsPerLook: Double) -> Double {
        1 + kappa * max(canaryEventsPerLook, 0) * Double(Self.blockLooks)
    }

    /// Adds one look's counts of the two pools.
    public mutating func observe(canaryRequests nC: UInt64, baselineRequests nB: UInt64,
                                 canaryEvents xC: UInt64, baselineEvents xB: UInt64) {
        prepare(groups: 2, canaryGroups: 1)
        add(group: 0, requests: nC, events: xC)
        add(group: 1, requests: nB, events: xB)
        endLook()
    }

    /// Adds one look's counts of the canary's servers (two or more); `events` picks the metric.
    public mutating func observe(servers: [PoolCounts], events: (PoolCounts) -> UInt64) {
        prepare(groups: servers.count, canaryGroups: servers.count)
        for (g, server) in servers.enumerated() {
            add(group: g, requests: server.requests, events: events(server))
        }
        endLook()
    }

    /// Sizes the accumulators for `groups` groups. A different number of groups than before (a
    /// server joined or left the canary) restarts the block and the relative rates: per-index
    /// history would no longer describe the same servers. κ's sums are kept.
    mutating func prepare(groups: Int, canaryGroups: Int) {
        guard groups != blockRequests.count || canaryGroups != self.canaryGroups else { return }
        self.canaryGroups = canaryGroups
        looks = 0
        blockRequests = [Double](repeating: 0, count: groups)
        blockEvents = blockRequests
        totalRequests = blockRequests
        totalEvents = blockRequests
    }

    /// Adds one group's counts to the current block.
    mutating func add(group g: Int, requests: UInt64, events: UInt64) {
        blockRequests[g] += Double(requests)
        blockEvents[g] += Double(events)
    }

    /// Closes the block after `blockLooks` looks: adds its Pearson excess to κ's sums and folds
    /// it into the groups' totals.
    mutating func endLook() {
        looks += 1
        guard looks >= Self.blockLooks else { return }
        looks = 0
        // Each group's rate relative to the pooled rate of the earlier blocks, pulled toward 1 by
        // one expected event, so a group is not presumed different before it has shown it; its
        // exposure is its requests at that rate.
        let pooledRate = totalEvents.reduce(0, +) / max(totalRequests.reduce(0, +), 1)
        func exposure(_ g: Int) -> Double {
            blockRequests[g] * (totalEvents[g] + 1) / (totalRequests[g] * pooledRate + 1)
        }
        var totalExposure = 0.0, events = 0.0, active = 0
        for g in blockRequests.indices where blockRequests[g] > 0 {
            totalExposure += exposure(g)
            events += blockEvents[g]
            active += 1
        }
        // Given at least one event, each group's Pearson term has mean 1 − its share.
        if active >= 2 && events >= 1 {
            var pearson = 0.0
            for g in blockRequests.indices where blockRequests[g] > 0 {
                let expected = events * exposure(g) / totalExposure
                let d = blockEvents[g] - expected
                pearson += d * d / expected
            }
            let degrees = Double(active - 1)
            let lambda = blockEvents[0..<canaryGroups].reduce(0, +)
            excessSum += lambda * (pearson - degrees)
            weightSum += degrees * lambda * lambda
        }
        for g in blockRequests.indices {
            totalRequests[g] += blockRequests[g]
            totalEvents[g] += blockEvents[g]
            blockRequests[g] = 0
            blockEvents[g] = 0
        }
    }
}
