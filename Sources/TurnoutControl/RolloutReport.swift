import Foundation
import Glibc
import TurnoutAnalysis
import TurnoutRollout

/// The documents about rollouts: `GET /splits/NAME/rollout` (SPEC §6 and §9) and the summary
/// in `/status`, assembled on the admin thread.
enum RolloutReport {
    /// The whole report: definition, state, step, weights, time in step, and per metric the
    /// canary's and baseline's estimates, the ratio with its anytime-valid interval, the
    /// evidence against its threshold, and the decision with its reason.
    static func document(split: String, rollout: Rollout, weights: [String: Int], now: Double) -> RolloutDocument {
        let analysis = rollout.analyzer.report()
        let plan = rollout.plan
        let warming = !rollout.phase.isFinished && rollout.warmingUp(at: now)
        let decision: RolloutDecision = switch rollout.phase {
        case .rolledBack: .fail
        case .promoted: .promoted
        case .aborted: .aborted
        default: warming ? .warmingUp : RolloutDecision(analysis.verdict)
        }
        let settings = plan.analysis
        return RolloutDocument(
            split: split,
            state: rollout.phase,
            baseline: plan.baseline,
            canary: plan.canary,
            advance: plan.advance,
            step: rollout.stepIndex + 1,
            steps: plan.steps.enumerated().map { RolloutStepDocument(step: $1, current: $0 == rollout.stepIndex) },
            weights: weights,
            canaryWeight: rollout.canaryWeight,
            startedAt: isoTime(rollout.startedAt),
            finishedAt: rollout.finishedAt.map(isoTime),
            timeInStep: rounded(max(0, (rollout.finishedAt ?? now) - rollout.stepStartedAt), 1),
            warmingUp: warming,
            reason: rollout.reason,
            looks: rollout.looks,
            planCheck: planCheckDocument(rollout),
            analysis: AnalysisDocument(
                decision: decision,
                reason: rollout.phase.isFinished || warming ? rollout.reason : analysis.reason,
                stepSeconds: rounded(analysis.stepSeconds, 1),
                canaryRequests: analysis.canaryRequests,
                baselineRequests: analysis.baselineRequests,
                // baseline: its quantile; pass and fail: (1 + tolerance) × that, rounded down and up.
                latencyThresholds: rollout.latencyThresholds.map {
                    LatencyThresholdDocument(quantile: $0.quantile, baseline: rounded(Double($0.baselineBound) / 1e6, 3),
                                             fail: rounded(Double($0.failBound) / 1e6, 3), pass: rounded(Double($0.passBound) / 1e6, 3))
                },
                metrics: analysis.metrics.map(metricDocument),
                settings: AnalysisSettingsDocument(
                    confidence: settings.confidence, maxErrorRateIncrease: settings.maxErrorRateIncrease,
                    maxLatencyIncrease: settings.maxLatencyIncrease, latencyQuantile: settings.latencyQuantile,
                    minRequests: settings.minRequests, intervalMs: settings.intervalMs, warmupSeconds: settings.warmupSeconds,
                    maxStepSeconds: settings.maxStepSeconds)))
    }

    /// One line per split in `/status`.
    static func summary(_ rollout: Rollout) -> RolloutSummary {
        RolloutSummary(state: rollout.phase, baseline: rollout.plan.baseline, canary: rollout.plan.canary, step: rollout.stepIndex + 1,
                       steps: rollout.plan.steps.count, canaryWeight: rollout.canaryWeight, reason: rollout.reason)
    }

    /// `error_rate`, `latency_p99`: the metric names of the wire format.
    static func metricName(_ report: MetricReport) -> String {
        report.name == "error rate" ? "error_rate" : "latency_" + report.name.replacingOccurrences(of: " latency", with: "")
    }

    /// A metric's own verdict: failed, shown within tolerance this step, or undecided.
    static func verdict(_ report: MetricReport) -> Verdict {
        if report.failEvidence >= report.failThreshold { return .fail }
        if report.passEvidence >= report.passThreshold { return .pass }
        return .continue
    }

    private static func metricDocument(_ report: MetricReport) -> MetricDocument {
        MetricDocument(
            name: metricName(report),
            verdict: verdict(report),
            canary: EstimateDocument(estimate: rounded(report.canaryEstimate, 6)),
            baseline: EstimateDocument(estimate: rounded(report.baselineEstimate, 6)),
            ratio: report.ratio.map { rounded($0, 4) },
            // An interval with no upper bound yet (no canary events) says so with null.
            interval: RatioInterval(lower: rounded(report.ratioInterval.lowerBound, 4),
                                    upper: report.ratioInterval.upperBound.isFinite ? rounded(report.ratioInterval.upperBound, 4) : nil),
            evidence: rounded(report.failEvidence, 4),
            threshold: rounded(report.failThreshold, 4),
            passEvidence: rounded(report.passEvidence, 4),
            passThreshold: rounded(report.passThreshold, 4),
            passMargin: rounded(report.passMargin, 4),
            summary: report.summary)
    }

    static func rounded(_ value: Double, _ digits: Int) -> Double {
        guard value.isFinite else { return value > 0 ? Double.greatestFiniteMagnitude : 0 }
        let scale = pow(10, Double(digits))
        return (value * scale).rounded() / scale
    }

    /// `2026-12-06T06:29:01.330Z`: RFC 3339 in UTC with milliseconds. Written by hand with
    /// `gmtime_r`: it runs for every history entry, some under the state lock, and a date
    /// formatter per call costs far more.
    static func isoTime(_ seconds: Double) -> String {
        let milliseconds = Int64((seconds * 1000).rounded(.down))
        var whole = time_t(milliseconds / 1000)
        var parts = tm()
        gmtime_r(&whole, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let fraction = Int(milliseconds % 1000)
        let millis = fraction < 10 ? "00\(fraction)" : fraction < 100 ? "0\(fraction)" : "\(fraction)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(millis)Z"
    }
}

extension ControlPlane {
    /// `GET /splits/NAME/rollout`; 404 when the split never had one.
    public func rolloutDocument(split name: String) throws(ControlError) -> RolloutDocument {
        guard config.split(named: name) != nil else { throw unknownSplit(name, config) }
        guard let (rollout, weights) = rollout(of: name) else {
            throw .notFound("split \(quoted(name)) has had no rollout (start one with POST /splits/\(name)/rollout)")
        }
        return RolloutReport.document(split: name, rollout: rollout, weights: weights, now: wallClock())
    }
}
