import Glibc

/// The verdict from the tests' states, and the reasons in words.
extension CanaryAnalyzer {
    /// Whether this step has shown the error rate within its tolerance, by either pass test.
    var errorPassed: Bool { errorPass.rejected || errorBound?.rejected == true }

    /// The error pass evidence: the stronger of the two tests, each against its own threshold.
    var errorPassEvidence: Double { max(errorPass.evidence, errorBound?.evidence ?? 0) }

    /// The error pass tests' threshold.
    var errorPassThreshold: Double { errorBound == nil ? 1 / policy.alpha : 2 / policy.alpha }

    /// The error fail evidence: the ratio test's, or the two-part test's (which fails only when
    /// both halves have crossed, so its evidence is the smaller of the two).
    var errorFailEvidence: Double {
        guard let above = errorAbove, let worse = errorWorse else { return errorBeyond.evidence }
        return max(errorBeyond.evidence, min(above.evidence, worse.evidence))
    }

    /// The error fail tests' common threshold.
    var errorFailThreshold: Double { errorAbove == nil ? 1 / policy.errorFailAlpha : 2 / policy.errorFailAlpha }

    /// Whether the two-part error fail test (absolute tolerance) has crossed.
    var errorAboveFailed: Bool { errorAbove?.rejected == true && errorWorse?.rejected == true }

    /// Turns the tests' states into a verdict and a reason.
    mutating func decide() {
        if verdict == .fail { return }
        if errorBeyond.rejected || errorAboveFailed {
            verdict = .fail
            reason = "canary error rate \(Format.percent(rate(rolloutCanary.errors, rolloutCanary.requests))) is beyond the tolerance of baseline's \(Format.percent(rate(rolloutBaseline.errors, rolloutBaseline.requests))) \(toleranceWords) (evidence \(Format.evidence(errorFailEvidence)) ≥ \(Format.evidence(errorFailThreshold)))"
            return
        }
        for i in latencyFail.indices where latencyFail[i].rejected {
            verdict = .fail
            let name = Format.quantileName(policy.latencyQuantiles[i])
            let t = latencyThresholds[i]
            reason = "canary \(name) is beyond +\(Format.percent(policy.latencyTolerance)) of baseline's: a larger share of canary requests is slower than \(Format.milliseconds(t.failBound)) (\(Format.decimal(1 + policy.latencyTolerance, 2)) × baseline's \(name)) than of baseline requests slower than its \(name) \(Format.milliseconds(t.baselineBound)) (evidence \(Format.evidence(latencyFail[i].evidence)) ≥ \(Format.evidence(1 / policy.latencyFailAlpha)))"
            return
        }
        var waiting: [String] = []
        if stepSeconds < policy.minimumHoldSeconds {
            waiting.append("hold \(Format.seconds(stepSeconds)) of \(Format.seconds(policy.minimumHoldSeconds))")
        }
        if stepCanary.requests < policy.minRequests {
            waiting.append("\(stepCanary.requests) of \(policy.minRequests) canary requests")
        }
        if !errorPassed { waiting.append(errorBoundaryWords() ?? "error rate not yet shown within tolerance") }
        if latencyThresholds.isEmpty && !policy.latencyQuantiles.isEmpty {
            waiting.append("latency thresholds not yet measured")
        }
        for i in latencyPass.indices where !latencyPass[i].rejected {
            waiting.append(latencyBoundaryWords(i) ?? "\(Format.quantileName(policy.latencyQuantiles[i])) not yet shown within tolerance")
        }
        if waiting.isEmpty {
            verdict = .pass
            reason = "canary is within tolerances: error rate and latency shown non-inferior with \(Format.percent(policy.confidence)) confidence after \(Format.seconds(stepSeconds)) and \(stepCanary.requests) canary requests"
        } else {
            verdict = .continue
            reason = "waiting: " + waiting.joined(separator: "; ")
        }
    }

    /// "+ 0.5 pp" or "× 1.5": the error tolerance as an operator wrote it.
    var toleranceWords: String {
        switch policy.errorTolerance {
        case .absolute(let a): return "+ \(Format.decimal(a * 100, 2)) pp"
        case .relative(let r): return "× \(Format.decimal(1 + r, 2))"
        }
    }

    /// Two-sided normal quantile for the policy's confidence (2.58 at 0.99), for the "about ±x"
    /// of a reason: a plain standard error, not the anytime-valid width the tests use. Abramowitz
    /// and Stegun's rational approximation 26.2.23 (error below 0.00045) keeps a look cheap.
    var boundaryZ: Double {
        let tail = min(max(policy.alpha / 2, 1e-12), 0.5)
        let t = (-2 * log(tail)).squareRoot()
        return t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t)
    }

    /// When this step's error estimate sits within about one confidence half-width of the
    /// tolerance line: "within about ±x of the tolerance: cannot tell yet". nil when it does not
    /// (then the step simply needs more data) or before there is any.
    func errorBoundaryWords() -> String? {
        guard stepCanary.requests > 0, stepBaseline.requests > 0 else { return nil }
        let nC = Double(stepCanary.requests), nB = Double(stepBaseline.requests)
        let pC = Double(stepCanary.errors) / nC, pB = Double(stepBaseline.errors) / nB
        guard stepCanary.errors + stepBaseline.errors > 0 else { return nil }
        switch policy.errorTolerance {
        case .absolute(let a):
            let excess = pC - pB - a
            let width = boundaryZ * (pC * (1 - pC) / nC + pB * (1 - pB) / nB).squareRoot()
            guard abs(excess) <= width else { return nil }
            return "error rate within about ±\(Format.decimal(width * 100, 2)) pp of the tolerance (canary \(Format.percent(pC)), baseline \(Format.percent(pB)) + \(Format.decimal(a * 100, 2)) pp): cannot tell yet"
        case .relative(let r):
            guard stepCanary.errors > 0, stepBaseline.errors > 0 else { return nil }
            let excess = log(pC / pB) - log1p(r)
            let width = boundaryZ * (1 / Double(stepCanary.errors) + 1 / Double(stepBaseline.errors)).squareRoot()
            guard abs(excess) <= width else { return nil }
            return "error rate within about ±\(Format.percent(exp(width) - 1)) of the tolerance (canary \(Format.decimal(pC / pB, 2)) × baseline's, tolerance × \(Format.decimal(1 + r, 2))): cannot tell yet"
        }
    }

    /// The same for quantile `i`: the canary's share above (1 + tolerance) × baseline's
    /// q-quantile against the baseline's share above that quantile, which are equal exactly at
    /// the tolerance.
    func latencyBoundaryWords(_ i: Int) -> String? {
        let counts = latencyLikelihoods[i]
        guard i < latencyThresholds.count, counts.canaryRequests > 0, counts.baselineRequests > 0,
              counts.canaryEvents > 0, counts.baselineEvents > 0 else { return nil }
        let canaryShare = Double(counts.canaryEvents) / Double(counts.canaryRequests)
        let baselineShare = Double(counts.baselineEvents) / Double(counts.baselineRequests)
        let excess = log(canaryShare / baselineShare)
        let width = boundaryZ * (1 / Double(counts.canaryEvents) + 1 / Double(counts.baselineEvents)).squareRoot()
        guard abs(excess) <= width else { return nil }
        let name = Format.quantileName(policy.latencyQuantiles[i])
        return "\(name) within about ±\(Format.percent(exp(width) - 1)) of the tolerance (\(Format.percent(canaryShare)) of canary requests slower than \(Format.milliseconds(latencyThresholds[i].passBound)), \(Format.percent(baselineShare)) of baseline's slower than its \(name) \(Format.milliseconds(latencyThresholds[i].baselineBound))): cannot tell yet"
    }
}
