import Foundation
import Glibc
import TurnoutAnalysis
import TurnoutRollout

/// The JSON documents about rollouts: `GET /splits/NAME/rollout` (SPEC §6 and §9), the summary
/// in `/status`, built as Foundation property lists on the admin thread.
enum RolloutReport {
    /// The whole report: definition, state, step, weights, time in step, and per metric the
    /// canary's and baseline's estimates, the ratio with its anytime-valid interval, the
    /// evidence against its threshold, and the decision with its reason.
    static func document(split: String, rollout: Rollout, weights: [String: Int], now: Double) -> [String: Any] {
        let analysis = rollout.analyzer.report()
        let plan = rollout.plan
        let warming = !rollout.phase.isFinished && rollout.warmingUp(at: now)
        let decision: String = switch rollout.phase {
        case .rolledBack: "fail"
        case .promoted: "promoted"
        case .aborted: "aborted"
        default: warming ? "warming_up" : analysis.verdict.rawValue
        }
        return [
            "split": split,
            "state": rollout.phase.rawValue,
            "baseline": plan.baseline,
            "canary": plan.canary,
            "advance": plan.advance.rawValue,
            "step": rollout.stepIndex + 1,
            "steps": plan.steps.enumerated().map { index, step -> [String: Any] in
                var entry: [String: Any]
                switch step {
                case .pause: entry = ["pause": true]
                case .weight(let percent, let hold): entry = ["weight": percent, "hold_s": hold]
                }
                entry["current"] = index == rollout.stepIndex
                return entry
            },
            "weights": weights,
            "canary_weight": rollout.canaryWeight,
            "started_at": isoTime(rollout.startedAt),
            "finished_at": rollout.finishedAt.map(isoTime) ?? NSNull(),
            "time_in_step_s": rounded(max(0, (rollout.finishedAt ?? now) - rollout.stepStartedAt), 1),
            "warming_up": warming,
            "reason": rollout.reason,
            "looks": rollout.looks,
            "plan_check": planCheckDocument(rollout),
            "analysis": [
                "decision": decision,
                "reason": rollout.phase.isFinished || warming ? rollout.reason : analysis.reason,
                "step_seconds": rounded(analysis.stepSeconds, 1),
                "canary_requests": analysis.canaryRequests,
                "baseline_requests": analysis.baselineRequests,
                // baseline: its quantile; pass and fail: (1 + tolerance) × that, rounded down and up.
                "latency_thresholds_ms": rollout.latencyThresholds.map { ["quantile": $0.quantile,
                                                                          "baseline": rounded(Double($0.baselineBound) / 1e6, 3),
                                                                          "fail": rounded(Double($0.failBound) / 1e6, 3),
                                                                          "pass": rounded(Double($0.passBound) / 1e6, 3)] },
                "metrics": analysis.metrics.map(metricDocument),
                "settings": [
                    "confidence": plan.analysis.confidence,
                    "max_error_rate_increase": plan.analysis.maxErrorRateIncrease,
                    "max_latency_increase": plan.analysis.maxLatencyIncrease,
                    "latency_quantile": plan.analysis.latencyQuantile,
                    "min_requests": plan.analysis.minRequests,
                    "interval_ms": plan.analysis.intervalMs,
                    "warmup_s": plan.analysis.warmupSeconds,
                    "max_step_s": plan.analysis.maxStepSeconds,
                ] as [String: Any],
            ] as [String: Any],
        ]
    }

    /// One line per split in `/status`.
    static func summary(_ rollout: Rollout) -> [String: Any] {
        [
            "state": rollout.phase.rawValue,
            "baseline": rollout.plan.baseline,
            "canary": rollout.plan.canary,
            "step": rollout.stepIndex + 1,
            "steps": rollout.plan.steps.count,
            "canary_weight": rollout.canaryWeight,
            "reason": rollout.reason,
        ]
    }

    /// `error_rate`, `latency_p99`: the metric names of the wire format.
    static func metricName(_ report: MetricReport) -> String {
        report.name == "error rate" ? "error_rate" : "latency_" + report.name.replacingOccurrences(of: " latency", with: "")
    }

    /// A metric's own verdict: failed, shown within tolerance this step, or undecided.
    static func verdict(_ report: MetricReport) -> String {
        if report.failEvidence >= report.failThreshold { return "fail" }
        if report.passEvidence >= report.passThreshold { return "pass" }
        return "continue"
    }

    private static func metricDocument(_ report: MetricReport) -> [String: Any] {
        [
            "name": metricName(report),
            "verdict": verdict(report),
            "canary": ["estimate": rounded(report.canaryEstimate, 6)],
            "baseline": ["estimate": rounded(report.baselineEstimate, 6)],
            "ratio": report.ratio.map { rounded($0, 4) } ?? NSNull(),
            // An interval with no upper bound yet (no canary events) says so with null.
            "interval": [rounded(report.ratioInterval.lowerBound, 4),
                         report.ratioInterval.upperBound.isFinite ? rounded(report.ratioInterval.upperBound, 4) : NSNull()] as [Any],
            "evidence": rounded(report.failEvidence, 4),
            "threshold": rounded(report.failThreshold, 4),
            "pass_evidence": rounded(report.passEvidence, 4),
            "pass_threshold": rounded(report.passThreshold, 4),
            "pass_margin": rounded(report.passMargin, 4),
            "summary": report.summary,
        ]
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
    public func rolloutDocument(split name: String) throws(ControlError) -> [String: Any] {
        guard config.split(named: name) != nil else { throw unknownSplit(name, config) }
        guard let (rollout, weights) = rollout(of: name) else {
            throw .notFound("split \(quoted(name)) has had no rollout (start one with POST /splits/\(name)/rollout)")
        }
        return RolloutReport.document(split: name, rollout: rollout, weights: weights, now: wallClock())
    }
}
