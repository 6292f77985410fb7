import TurnoutMetrics

/// The canary judge of one rollout: feed it a `Look` per interval (a second is fine: a look
/// costs a few microseconds) and act on the `Verdict`.
///
/// The tolerances define a good canary (see `AnalysisPolicy`): its error rate at most the
/// baseline's + the error tolerance, its q-quantile at most (1 + the latency tolerance) × the
/// baseline's. The fail tests look for evidence that the canary is *beyond* a tolerance, the
/// pass tests for evidence that it is *within*; near the line neither may be shown.
///
/// Fail tests (whole rollout; together at level 1 − confidence):
/// * error beyond tolerance — `ShareTest(.worse)` on errors against the tolerance as a ratio,
///   1 + a/p with p the baseline's recent rate at its lower bound (so the ratio errs high, the
///   careful side); for a relative tolerance 1 + r, exactly;
/// * with an absolute tolerance, also: the canary's own rate above the baseline's recent upper
///   bound + a (`RateBoundTest(.above)`) *and* the canary's errors more than its share
///   (`ShareTest(.worse)`, null ratio 1). This catches a canary that fails where the baseline has
///   no errors, where the ratio 1 + a/p has no finite value. It needs both halves, so an incident
///   that lifts both pools' rate (the first half's bound is then too low) does not fail a canary
///   that is no worse than the baseline (the second half holds);
/// * one latency fail test per quantile — canary requests above `failBound` ((1 + tolerance) ×
///   the baseline's earlier q-quantile) against baseline requests above `baselineBound` (that
///   quantile), null ratio 1.
///
/// Pass tests (restarted every step; each at level 1 − confidence):
/// * error pass — `ShareTest(.better)` against the error margin, and with an absolute tolerance
///   a `RateBoundTest(.below)` of the canary's own rate against it; they share the pass budget;
/// * one latency pass test per quantile — canary requests above `passBound` against baseline
///   requests above `baselineBound`, null ratio 1.
///
/// Every test is a mixture martingale on the coin flips "which pool did this event come from"
/// (or on the canary's own requests), checked at every look: by Ville's inequality a canary
/// within its tolerances is rolled back with probability ≤ 1 − confidence over the whole
/// rollout, however many looks and steps, and one beyond a tolerance passes a step with
/// probability ≤ 1 − confidence.
public struct CanaryAnalyzer: Sendable, Equatable, Codable {
    /// The parameters.
    public let policy: AnalysisPolicy
    /// Error fail test against the tolerance as a ratio (whole rollout).
    var errorBeyond: ShareTest
    /// Absolute tolerance only: the canary's own rate above baseline's upper bound + a (whole
    /// rollout).
    var errorAbove: RateBoundTest?
    /// Absolute tolerance only: the canary's errors above its share at all (whole rollout); a
    /// fail needs this and `errorAbove` both.
    var errorWorse: ShareTest?
    /// Error pass test (this step).
    var errorPass: ShareTest
    /// The canary's own error rate below the absolute tolerance (this step); nil for a relative
    /// tolerance or a zero one.
    var errorBound: RateBoundTest?
    /// Latency fail tests, one per quantile (whole rollout).
    var latencyFail: [ShareTest]
    /// Latency pass tests, one per quantile (this step).
    var latencyPass: [ShareTest]
    /// Thresholds in force, one per quantile; empty until known.
    public internal(set) var latencyThresholds: [LatencyThreshold] = []
    /// Error-ratio likelihood over this step (report only).
    var errorLikelihood = RatioLikelihood()
    /// Exceedance-ratio likelihoods over this step, one per quantile: canary requests above the
    /// pass bound against baseline requests above the baseline bound, the pair the tolerance is
    /// about (report and reasons).
    var latencyLikelihoods: [RatioLikelihood]
    /// Baseline latency seen in this step while no thresholds were known (burn-in).
    var burnIn: Histogram?
    /// Step number, from 0.
    public private(set) var step = 0
    /// Whether `beginStep` has been called (the first call starts step 0).
    var started = false
    /// Canary traffic share in force (0…1), for the report.
    public private(set) var canaryWeight = 0.0
    /// Seconds observed in this step.
    public private(set) var stepSeconds = 0.0
    /// This step's canary and baseline totals.
    var stepCanary = PoolCounts(requests: 0, errors: 0)
    /// This step's baseline totals.
    var stepBaseline = PoolCounts(requests: 0, errors: 0)
    /// Canary requests in this step.
    public var stepCanaryRequests: UInt64 { stepCanary.requests }
    /// Canary totals over the whole rollout.
    var rolloutCanary = PoolCounts(requests: 0, errors: 0)
    /// Canary requests over the whole rollout.
    public var rolloutCanaryRequests: UInt64 { rolloutCanary.requests }
    /// Baseline totals over the whole rollout (its error rate scales the dispersion).
    var rolloutBaseline = PoolCounts(requests: 0, errors: 0)
    /// The baseline's recent error rate, for the absolute error tolerance (whole rollout).
    var baselineRate = RecentRate()
    /// Both pools' requests in the previous look.
    var lastLookRequests: UInt64 = 0
    /// The last verdict.
    public internal(set) var verdict: Verdict = .continue
    /// Why, in words.
    public internal(set) var reason = "no data yet"
    /// Over-dispersion of the canary's errors (whole rollout).
    var errorDispersion = DispersionEstimate()
    /// Over-dispersion of the canary's slow requests, one per quantile (whole rollout).
    var latencyDispersion: [DispersionEstimate]
    /// The error pass margin used at the last look (a ratio).
    var lastErrorMargin = 1.0
    /// The error tolerance as a ratio at the last look (nil while the baseline's rate is unknown
    /// or too near 0 for a ratio), and the bound on the canary's own rate then.
    var lastErrorToleranceRatio: Double?
    var lastErrorBound: Double?

    /// A judge for one rollout.
    public init(policy: AnalysisPolicy) {
        self.policy = policy
        let q = policy.latencyQuantiles.count
        let absolute: Double? = if case .absolute(let a) = policy.errorTolerance { a } else { nil }
        // With an absolute tolerance two fail tests on errors share the budget (either fails).
        let beyondAlpha = absolute == nil ? policy.errorFailAlpha : policy.errorFailAlpha / 2
        errorBeyond = ShareTest(direction: .worse, alpha: beyondAlpha, grid: .beyondTolerance, dispersion: policy.dispersion)
        errorAbove = absolute.map { RateBoundTest(direction: .above, bound: min(max($0, 1e-6), 0.5), alpha: beyondAlpha) }
        errorWorse = absolute.map { _ in ShareTest(direction: .worse, alpha: beyondAlpha, dispersion: policy.dispersion) }
        let bound: Double? = if let absolute, absolute > 0, absolute < 1 { absolute } else { nil }
        // Either error pass test may show non-inferiority, so they split the pass budget.
        let errorPassAlpha = bound == nil ? policy.alpha : policy.alpha / 2
        errorPass = ShareTest(direction: .better, alpha: errorPassAlpha, dispersion: policy.dispersion)
        errorBound = bound.map { RateBoundTest(direction: .below, bound: $0, alpha: errorPassAlpha) }
        latencyFail = (0..<q).map { _ in
            ShareTest(direction: .worse, alpha: policy.latencyFailAlpha, grid: .beyondTolerance, dispersion: policy.dispersion)
        }
        latencyPass = (0..<q).map { _ in
            ShareTest(direction: .better, alpha: policy.alpha, dispersion: policy.dispersion)
        }
        latencyLikelihoods = [RatioLikelihood](repeating: RatioLikelihood(), count: q)
        latencyDispersion = [DispersionEstimate](repeating: DispersionEstimate(), count: q)
    }

    /// Starts a step at a new canary weight. `latencyThresholds` (one per policy quantile) come
    /// from the baseline's earlier data; pass nil to keep the previous step's, or to have them
    /// measured from this step's first baseline requests when none are known yet (histogram
    /// path). The fail tests carry over; the pass tests and the step's counts restart.
    public mutating func beginStep(canaryWeight: Double, latencyThresholds thresholds: [LatencyThreshold]? = nil) {
        if started { step += 1 }
        started = true
        self.canaryWeight = min(max(canaryWeight, 0), 1)
        if let thresholds {
            precondition(thresholds.count == policy.latencyQuantiles.count, "beginStep: one threshold per quantile")
            latencyThresholds = thresholds
        }
        errorPass.reset()
        errorBound?.reset()
        for i in latencyPass.indices { latencyPass[i].reset() }
        errorLikelihood.reset()
        for i in latencyLikelihoods.indices { latencyLikelihoods[i].reset() }
        stepSeconds = 0
        stepCanary = PoolCounts(requests: 0, errors: 0)
        stepBaseline = PoolCounts(requests: 0, errors: 0)
        burnIn = nil
        if verdict != .fail {
            verdict = .continue
            reason = "step \(step + 1) started at \(Format.percent(self.canaryWeight)) canary"
        }
    }

    /// The baseline pool's traffic over the `seconds` before the rollout started: its error rate is
    /// known from the first look on, instead of being learned from the rollout's own looks.
    public mutating func noteBaselineBefore(requests: UInt64, errors: UInt64, seconds: Double) {
        baselineRate.add(window: requests, events: errors, seconds: seconds)
    }

    /// Thresholds for every policy quantile from a baseline histogram of earlier data.
    public func thresholds(fromBaseline histogram: Histogram) -> [LatencyThreshold]? {
        guard histogram.count > 0 else { return nil }
        return policy.latencyQuantiles.map { q in
            LatencyThreshold(quantile: q, baselineQuantile: histogram.value(atQuantile: q) ?? 0,
                             tolerance: policy.latencyTolerance)
        }
    }

    /// The error pass margin (a ratio) for the next look, fixed before its data.
    func errorMargin() -> Double {
        switch policy.errorTolerance {
        case .relative(let r):
            return 1 + r
        case .absolute(let a):
            // Baseline rate over this step's earlier looks, pulled toward 50 % while there are
            // few requests, which keeps the margin small (strict) until the rate is known.
            let rate = (Double(stepBaseline.errors) + 0.5) / (Double(stepBaseline.requests) + 1)
            let ratio = 1 + a / rate
            return min(max(ratio, policy.absoluteRatioBounds.lowerBound), policy.absoluteRatioBounds.upperBound)
        }
    }

    /// The error tolerance as a ratio for the fail test's next look, fixed before its data: at
    /// the baseline's recent rate taken at its lower bound, so the ratio can only err high (the
    /// careful side for a fail). nil when that bound is 0: the ratio is unbounded and the look
    /// says nothing about it.
    func errorToleranceRatio() -> Double? {
        switch policy.errorTolerance {
        case .relative(let r):
            return 1 + r
        case .absolute(let a):
            guard let low = baselineRate.lowerBound, low > 0 else { return nil }
            return 1 + a / low
        }
    }

    /// Adds one look and returns the verdict. After `fail` the verdict stays `fail`.
    @discardableResult
    public mutating func observe(_ look: Look) -> Verdict {
        let c = look.canary, b = look.baseline
        lastErrorMargin = errorMargin()
        lastErrorToleranceRatio = errorToleranceRatio()
        lastErrorBound = nil
        if case .absolute(let a) = policy.errorTolerance, let high = baselineRate.upperBound { lastErrorBound = min(high + a, 1) }
        // Tempering fixed before this look's data: the policy's floor or the estimate so far, at
        // the canary events this look should bring (the previous look's traffic at this step's
        // weight, at the baseline's error rate and at the tested quantile's tail share).
        let canaryRequestsPerLook = Double(lastLookRequests) * canaryWeight
        let baselineErrorRate = Double(rolloutBaseline.errors) / Double(max(rolloutBaseline.requests, 1))
        let errorPhi = max(policy.dispersion,
                           errorDispersion.value(canaryEventsPerLook: canaryRequestsPerLook * baselineErrorRate))
        if let ratio = lastErrorToleranceRatio {
            errorBeyond.observe(canaryRequests: c.requests, baselineRequests: b.requests,
                                canaryEvents: c.errors, baselineEvents: b.errors, nullRatio: ratio, dispersion: errorPhi)
        }
        if let bound = lastErrorBound, bound < 1 {
            errorAbove?.observe(requests: c.requests, errors: c.errors, bound: bound, dispersion: errorPhi)
        }
        errorWorse?.observe(canaryRequests: c.requests, baselineRequests: b.requests,
                            canaryEvents: c.errors, baselineEvents: b.errors, nullRatio: 1, dispersion: errorPhi)
        errorPass.observe(canaryRequests: c.requests, baselineRequests: b.requests,
                          canaryEvents: c.errors, baselineEvents: b.errors, nullRatio: lastErrorMargin,
                          dispersion: errorPhi)
        errorBound?.observe(requests: c.requests, errors: c.errors, dispersion: errorPhi)
        let servers = look.canaryServers
        let byServer = servers.count >= 2
        if byServer {
            errorDispersion.observe(servers: servers) { $0.errors }
        } else {
            errorDispersion.observe(canaryRequests: c.requests, baselineRequests: b.requests,
                                    canaryEvents: c.errors, baselineEvents: b.errors)
        }
        errorLikelihood.observe(canaryRequests: c.requests, baselineRequests: b.requests,
                                canaryEvents: c.errors, baselineEvents: b.errors)
        let tested = latencyThresholds.count
        if tested > 0 {
            precondition(c.aboveBaselineBound.count == tested && b.aboveBaselineBound.count == tested
                         && c.abovePassBound.count == tested && c.aboveFailBound.count == tested,
                         "observe: one count per threshold")
            precondition(!byServer || servers.allSatisfy { $0.aboveBaselineBound.count == tested },
                         "observe: one count per threshold for each canary server")
        }
        for i in 0..<tested {
            let tail = 1 - policy.latencyQuantiles[i]
            let phi = max(policy.dispersion,
                          latencyDispersion[i].value(canaryEventsPerLook: canaryRequestsPerLook * tail))
            latencyFail[i].observe(canaryRequests: c.requests, baselineRequests: b.requests,
                                   canaryEvents: c.aboveFailBound[i], baselineEvents: b.aboveBaselineBound[i],
                                   nullRatio: 1, dispersion: phi)
            latencyPass[i].observe(canaryRequests: c.requests, baselineRequests: b.requests,
                                   canaryEvents: c.abovePassBound[i], baselineEvents: b.aboveBaselineBound[i],
                                   nullRatio: 1, dispersion: phi)
            // Dispersion is a property of how slow requests arrive, measured on the line with the
            // most of them.
            if byServer {
                latencyDispersion[i].observe(servers: servers) { $0.aboveBaselineBound[i] }
            } else {
                latencyDispersion[i].observe(canaryRequests: c.requests, baselineRequests: b.requests,
                                             canaryEvents: c.aboveBaselineBound[i], baselineEvents: b.aboveBaselineBound[i])
            }
            latencyLikelihoods[i].observe(canaryRequests: c.requests, baselineRequests: b.requests,
                                          canaryEvents: c.abovePassBound[i], baselineEvents: b.aboveBaselineBound[i])
        }
        stepSeconds += look.seconds
        stepCanary.requests += c.requests
        stepCanary.errors += c.errors
        stepBaseline.requests += b.requests
        stepBaseline.errors += b.errors
        rolloutCanary.requests += c.requests
        rolloutCanary.errors += c.errors
        rolloutBaseline.requests += b.requests
        rolloutBaseline.errors += b.errors
        baselineRate.add(requests: b.requests, events: b.errors, seconds: look.seconds)
        lastLookRequests = c.requests + b.requests
        decide()
        return verdict
    }
}
