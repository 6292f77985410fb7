import TurnoutMetrics

/// The histogram path: what the control plane calls with per-pool windows from `TurnoutMetrics`.
extension CanaryAnalyzer {
    /// Baseline requests needed before thresholds can be measured during a step's burn-in: enough
    /// for about 50 requests above the highest tested quantile.
    public var burnInRequests: UInt64 {
        let tail = policy.latencyQuantiles.map { 1 - $0 }.min() ?? 1
        return max(2_000, UInt64(50 / max(tail, 1e-6)))
    }

    /// Adds one look from the two pools' windows (increments since the previous look), and the
    /// canary's per-server windows when known (see `Look.canaryServers`).
    ///
    /// Counts above the thresholds are read exactly from the histograms (thresholds are bucket
    /// bounds). When no thresholds are known yet, the baseline's first requests of the step are
    /// a burn-in: latency is not tested until they fix the thresholds, so a threshold is never
    /// chosen from the data it then tests.
    @discardableResult
    public mutating func observe(canary: PoolWindow, baseline: PoolWindow, canaryServers: [PoolWindow] = [],
                                 seconds: Double) -> Verdict {
        let thresholds = latencyThresholds
        func counts(_ window: PoolWindow) -> PoolCounts {
            PoolCounts(requests: window.requests, errors: window.errors,
                       aboveBaselineBound: thresholds.map { window.latency.count(above: $0.baselineBound) },
                       abovePassBound: thresholds.map { window.latency.count(above: $0.passBound) },
                       aboveFailBound: thresholds.map { window.latency.count(above: $0.failBound) })
        }
        let look = Look(canary: counts(canary), baseline: counts(baseline),
                        canaryServers: canaryServers.map(counts), seconds: seconds)
        let result = observe(look)
        if thresholds.isEmpty && !policy.latencyQuantiles.isEmpty {
            if burnIn == nil { burnIn = Histogram() }
            burnIn!.merge(baseline.latency)
            if burnIn!.count >= burnInRequests, let measured = self.thresholds(fromBaseline: burnIn!) {
                setLatencyThresholds(measured)
                burnIn = nil
            }
        }
        return result
    }

    /// Replaces the thresholds from the next look on (the fail tests carry on: any threshold fixed
    /// before its data keeps them valid).
    public mutating func setLatencyThresholds(_ thresholds: [LatencyThreshold]) {
        precondition(thresholds.count == policy.latencyQuantiles.count, "setLatencyThresholds: one per quantile")
        latencyThresholds = thresholds
    }
}
