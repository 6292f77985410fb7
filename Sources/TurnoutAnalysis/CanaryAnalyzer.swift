import TurnoutMetrics

/// The canary judge of one rollout: feed it a `Look` per interval (a second is fine: a look
/// costs a few microseconds) and act on the `Verdict`.
///
/// Tests (see `AnalysisPolicy` for what the tolerances mean):
/// * error fail test — `ShareTest(.worse)` on errors with null ratio 1 + `errorFailSlack`;
/// * one latency fail test per quantile — `ShareTest(.worse)` on requests above the baseline's
///   earlier q-quantile, null ratio 1;
/// * error pass test — `ShareTest(.better)` against the error margin, restarted every step, and
///   with an absolute tolerance a `RateBoundTest` of the canary's own rate against it (a service
///   with no errors on either side shows non-inferiority through it); the two share the pass
///   budget, so passing by either keeps its error ≤ 1 − confidence;
/// * one latency pass test per quantile — canary requests above `passThreshold` against baseline
///   requests above `failThreshold`, null ratio 1, restarted every step.
///
/// The fail tests live for the whole rollout and share 1 − confidence (Bonferroni), so the
/// chance of rolling back a healthy canary at any step is ≤ 1 − confidence however many looks
/// and steps there are. Each pass test runs at level 1 − confidence: promoting a canary that is
/// outside one tolerance needs that metric's pass test to be fooled at every step.
public struct CanaryAnalyzer: Sendable, Equatable, Codable {
    /// The parameters.
    public let policy: AnalysisPolicy
    /// Error fail test (whole rollout).
    var errorFail: ShareTest
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
    /// Exceedance-ratio likelihoods over this step, one per quantile (report only).
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
    /// Canary requests over the whole rollout.
    public private(set) var rolloutCanaryRequests: UInt64 = 0
    /// Baseline totals over the whole rollout (its error rate scales the dispersion).
    var rolloutBaseline = PoolCounts(requests: 0, errors: 0)
    /// Both pools' requests in the previous look.
    var lastLookRequests: UInt64 = 0
    /// The last verdict.
    public private(set) var verdict: Verdict = .continue
    /// Why, in words.
    public private(set) var reason = "no data yet"
    /// Over-dispersion of the canary's errors (whole rollout).
    var errorDispersion = DispersionEstimate()
    /// Over-dispersion of the canary's slow requests, one per quantile (whole rollout).
    var latencyDispersion: [DispersionEstimate]
    /// The error pass margin used at the last look (a ratio).
    var lastErrorMargin = 1.0

    /// A judge for one rollout.
    public init(policy: AnalysisPolicy) {
        self.policy = policy
        let q = policy.latencyQuantiles.count
        errorFail = ShareTest(direction: .worse, alpha: policy.errorFailAlpha, dispersion: policy.dispersion)
        let bound: Double? = if case .absolute(let a) = policy.errorTolerance, a > 0, a < 1 { a } else { nil }
        // Either error pass test may show non-inferiority, so they split the pass budget.
        let errorPassAlpha = bound == nil ? policy.alpha : policy.alpha / 2
        errorPass = ShareTest(direction: .better, alpha: errorPassAlpha, dispersion: policy.dispersion)
        errorBound = bound.map { RateBoundTest(bound: $0, alpha: errorPassAlpha) }
        latencyFail = (0..<q).map { _ in
            ShareTest(direction: .worse, alpha: policy.latencyFailAlpha, dispersion: policy.dispersion)
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

    /// Adds one look and returns the verdict. After `fail` the verdict stays `fail`.
    @discardableResult
    public mutating func observe(_ look: Look) -> Verdict {
        let c = look.canary, b = look.baseline
        lastErrorMargin = errorMargin()
        // Tempering fixed before this look's data: the policy's floor or the estimate so far, at
        // the canary events this look should bring (the previous look's traffic at this step's
        // weight, at the baseline's error rate and at the tested quantile's tail share).
        let canaryRequestsPerLook = Double(lastLookRequests) * canaryWeight
        let baselineErrorRate = Double(rolloutBaseline.errors) / Double(max(rolloutBaseline.requests, 1))
        let errorPhi = max(policy.dispersion,
                           errorDispersion.value(canaryEventsPerLook: canaryRequestsPerLook * baselineErrorRate))
        errorFail.observe(canaryRequests: c.requests, baselineRequests: b.requests,
                          canaryEvents: c.errors, baselineEvents: b.errors,
                          nullRatio: 1 + policy.errorFailSlack, dispersion: errorPhi)
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
        let tested = latencyThresholds.isEmpty ? 0 : latencyThresholds.count
        if tested > 0 {
            precondition(c.aboveFailThreshold.count == tested && b.aboveFailThreshold.count == tested
                         && c.abovePassThreshold.count == tested, "observe: one count per threshold")
            precondition(!byServer || servers.allSatisfy { $0.aboveFailThreshold.count == tested },
                         "observe: one count per threshold for each canary server")
        }
        for i in 0..<tested {
            let tail = 1 - policy.latencyQuantiles[i]
            let phi = max(policy.dispersion,
                          latencyDispersion[i].value(canaryEventsPerLook: canaryRequestsPerLook * tail))
            latencyFail[i].observe(canaryRequests: c.requests, baselineRequests: b.requests,
                                   canaryEvents: c.aboveFailThreshold[i], baselineEvents: b.aboveFailThreshold[i],
                                   nullRatio: 1, dispersion: phi)
            latencyPass[i].observe(canaryRequests: c.requests, baselineRequests: b.requests,
                                   canaryEvents: c.abovePassThreshold[i], baselineEvents: b.aboveFailThreshold[i],
                                   nullRatio: 1, dispersion: phi)
            if byServer {
                latencyDispersion[i].observe(servers: servers) { $0.aboveFailThreshold[i] }
            } else {
                latencyDispersion[i].observe(canaryRequests: c.requests, baselineRequests: b.requests,
                                             canaryEvents: c.aboveFailThreshold[i], baselineEvents: b.aboveFailThreshold[i])
            }
            latencyLikelihoods[i].observe(canaryRequests: c.requests, baselineRequests: b.requests,
                                          canaryEvents: c.aboveFailThreshold[i], baselineEvents: b.aboveFailThreshold[i])
        }
        stepSeconds += look.seconds
        stepCanary.requests += c.requests
        stepCanary.errors += c.errors
        stepBaseline.requests += b.requests
        stepBaseline.errors += b.errors
        rolloutCanaryRequests += c.requests
        rolloutBaseline.requests += b.requests
        rolloutBaseline.errors += b.errors
        lastLookRequests = c.requests + b.requests
        decide()
        return verdict
    }

    /// Whether this step has shown the error rate within its tolerance, by either pass test.
    var errorPassed: Bool { errorPass.rejected || errorBound?.rejected == true }

    /// The error pass evidence: the stronger of the two tests, each against its own threshold.
    var errorPassEvidence: Double { max(errorPass.evidence, errorBound?.evidence ?? 0) }

    /// The error pass tests' threshold.
    var errorPassThreshold: Double { errorBound == nil ? 1 / policy.alpha : 2 / policy.alpha }

    /// Turns the tests' states into a verdict and a reason.
    mutating func decide() {
        if verdict == .fail { return }
        if errorFail.rejected {
            verdict = .fail
            reason = "canary error rate is higher than baseline's (evidence \(Format.evidence(errorFail.evidence)) ≥ \(Format.evidence(1 / policy.errorFailAlpha)))"
            return
        }
        for i in latencyFail.indices where latencyFail[i].rejected {
            verdict = .fail
            let q = policy.latencyQuantiles[i]
            let ms = latencyThresholds.isEmpty ? "" : " (\(Format.milliseconds(latencyThresholds[i].failThreshold)))"
            reason = "more canary requests than baseline requests are slower than baseline's \(Format.quantileName(q))\(ms) (evidence \(Format.evidence(latencyFail[i].evidence)) ≥ \(Format.evidence(1 / policy.latencyFailAlpha)))"
            return
        }
        var waiting: [String] = []
        if stepSeconds < policy.minimumHoldSeconds {
            waiting.append("hold \(Format.seconds(stepSeconds)) of \(Format.seconds(policy.minimumHoldSeconds))")
        }
        if stepCanary.requests < policy.minRequests {
            waiting.append("\(stepCanary.requests) of \(policy.minRequests) canary requests")
        }
        if !errorPassed { waiting.append("error rate not yet shown within tolerance") }
        if latencyThresholds.isEmpty && !policy.latencyQuantiles.isEmpty {
            waiting.append("latency thresholds not yet measured")
        }
        for i in latencyPass.indices where !latencyPass[i].rejected {
            waiting.append("\(Format.quantileName(policy.latencyQuantiles[i])) not yet shown within tolerance")
        }
        if waiting.isEmpty {
            verdict = .pass
            reason = "canary is within tolerances: error rate and latency shown non-inferior with \(Format.percent(policy.confidence)) confidence after \(Format.seconds(stepSeconds)) and \(stepCanary.requests) canary requests"
        } else {
            verdict = .continue
            reason = "waiting: " + waiting.joined(separator: "; ")
        }
    }
}
