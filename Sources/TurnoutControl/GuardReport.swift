import TurnoutAnalysis
import TurnoutRollout

/// A guarded switch as its report shows it (`GuardDocument`).
enum GuardReport {
    static func document(split: String, guarded: GuardedSwitch, weights: [String: Int]) -> GuardDocument {
        let judge = guarded.judge
        let ms = { (ns: UInt64) in (Double(ns) / 1e4).rounded() / 100 }
        return GuardDocument(
            split: split, from: guarded.from, to: guarded.to, state: guarded.phase, weights: weights,
            previousWeights: guarded.previousWeights, startedAt: RolloutReport.isoTime(guarded.startedAt), watchS: guarded.watchSeconds,
            watchEndsAt: RolloutReport.isoTime(guarded.watchEndsAt), finishedAt: guarded.state.finishedAt.map(RolloutReport.isoTime),
            looks: guarded.looks, reason: guarded.reason,
            reference: GuardDocument.Reference(pool: guarded.from, seconds: judge.reference.seconds, requests: judge.reference.requests,
                                               errorRate: judge.reference.errorRate, errorRateBound: judge.referenceErrorBound,
                                               latencyBoundMs: ms(judge.referenceLatencyBound)),
            new: GuardDocument.Observed(pool: guarded.to, requests: judge.requests, errorRate: judge.errorRate,
                                        errorRateInterval: judge.errorRateInterval.map { [$0.lowerBound, $0.upperBound] }, errorLine: judge.errorLine,
                                        latencyQuantile: judge.quantile, latencyMs: judge.latency.value(atQuantile: judge.quantile).map(ms),
                                        latencyLineMs: ms(judge.latencyLine), shareAboveLine: judge.shareAboveLine,
                                        shareAboveLineInterval: judge.shareAboveLineInterval.map { [$0.lowerBound, $0.upperBound] }),
            evidence: GuardDocument.Evidence(errorRate: judge.errorEvidence, latency: judge.latencyEvidence, threshold: judge.threshold))
    }

    /// The guard's line in `/status`.
    static func summary(_ guarded: GuardedSwitch) -> GuardSummary {
        GuardSummary(state: guarded.phase, from: guarded.from, to: guarded.to, watchEndsAt: RolloutReport.isoTime(guarded.watchEndsAt),
                     reason: guarded.reason)
    }
}

extension ControlPlane {
    /// The report of the split's guard; 404 when it never had one.
    public func guardDocument(_ name: String) throws(ControlError) -> GuardDocument {
        guard let (guarded, weights) = guarded(of: name) else {
            throw .notFound("split \(quoted(name)) has no guarded switch (start one with POST /splits/\(name)/switch and a \"guard\")")
        }
        return GuardReport.document(split: name, guarded: guarded, weights: weights)
    }
}
