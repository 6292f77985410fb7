import Foundation
import TurnoutConfig
import TurnoutMirror

/// The shadow traffic as the admin API shows it (SPEC §10): `GET /mirror`, the `mirror` section
/// of `/stats` and the mirror blocks of `/status`, built as Foundation property lists with
/// snake_case keys like every other admin document.
extension ControlPlane {
    /// `GET /mirror`: copies in flight, the totals, the counts per route, primary and shadow pool
    /// (in key order), and the last mismatches, newest first.
    public func mirrorDocument() throws(ControlError) -> [String: Any] {
        guard let report = server.mirrorReport() else { throw Self.workerSilent }
        var document = Self.mirrorCountsSection(report)
        document["mismatches"] = report.mismatches.map(Self.mismatchDocument)
        return document
    }

    /// Whether any route is mirrored by the configuration in force (its own block or the
    /// top-level one it inherits).
    var mirrorConfigured: Bool {
        read { state in state.config.routes.indices.contains { state.config.mirror(forRoute: $0) != nil } }
    }

    /// `in_flight`, `totals` and `counts`: `GET /mirror` without its mismatches, which is what
    /// `/stats` shows.
    static func mirrorCountsSection(_ report: MirrorReport) -> [String: Any] {
        [
            "in_flight": report.inFlight,
            "totals": mirrorCountsDocument(report.totals),
            "counts": report.counts.keys.sorted().map { key -> [String: Any] in
                var entry = mirrorCountsDocument(report.counts[key]!)
                entry["route"] = key.route
                entry["pool"] = key.pool
                entry["shadow"] = key.shadow
                return entry
            },
        ]
    }

    /// One key's counts (or the totals).
    static func mirrorCountsDocument(_ counts: MirrorCounts) -> [String: Any] {
        var errors: [String: Any] = [:]
        for failure in ShadowFailure.allCases { errors[failure.rawValue] = counts.errors(failure) }
        var latency: [String: Any] = ["count": Int(counts.latencyDifferenceCount)]
        for (name, q) in [("p50", 0.5), ("p90", 0.9), ("p99", 0.99)] {
            latency[name] = counts.latencyDifference(atQuantile: q).map { milliseconds(Double($0)) as Any } ?? NSNull()
        }
        return [
            "mirrored": counts.mirrored,
            "dropped": counts.dropped,
            "too_large": counts.tooLarge,
            "shadow_errors": errors,
            "compared": counts.compared,
            "matched": counts.matched,
            "status_mismatch": counts.statusMismatch,
            "status_class_mismatch": counts.statusClassMismatch,
            "body_mismatch": counts.bodyMismatch,
            "not_compared": counts.notCompared,
            "noise": counts.noise,
            "noisy_paths": counts.noisyPaths,
            "latency_difference_ms": latency,
        ]
    }

    /// One mismatch. `shadow` is the shadow's answer here, so the shadow pool's name is that
    /// answer's `pool` (each answer names the pool that gave it); `pool` is the primary's, as in
    /// the counts.
    static func mismatchDocument(_ mismatch: MirrorMismatch) -> [String: Any] {
        [
            "at": RolloutReport.isoTime(mismatch.at),
            "route": mismatch.key.route,
            "pool": mismatch.key.pool,
            "kind": mismatch.kind.rawValue,
            "method": mismatch.method,
            "path": mismatch.path,
            "primary": answerDocument(mismatch.primary, pool: mismatch.key.pool),
            "shadow": answerDocument(mismatch.shadow, pool: mismatch.key.shadow),
        ]
    }

    /// One side of a mismatch: the digest as 16 hex digits and the first bytes as safe text, the
    /// forms a person compares by eye.
    static func answerDocument(_ answer: RecordedAnswer, pool: String) -> [String: Any] {
        [
            "pool": pool,
            "status": answer.status,
            "body_bytes": answer.bodyBytes,
            "digest": answer.digestHex,
            "complete": answer.complete,
            "prefix": answer.prefixText,
            "latency_ms": milliseconds(Double(answer.latencyNanoseconds)),
        ]
    }

    /// A mirror block as it would be written in the configuration, or null for none.
    static func mirrorConfigDocument(_ mirror: MirrorConfig?) -> Any {
        guard let mirror else { return NSNull() }
        return [
            "pool": mirror.pool,
            "percent": mirror.percent,
            "methods": mirror.methods,
            "compare": mirror.compare,
            "noise": mirror.noise,
            "max_body_bytes": mirror.maxBodyBytes,
            "max_in_flight": mirror.maxInFlight,
            "compare_body_bytes": mirror.compareBodyBytes,
        ] as [String: Any]
    }
}

/// Nanoseconds as milliseconds with three decimals (microseconds), as `/stats` rounds latencies.
private func milliseconds(_ nanoseconds: Double) -> Double {
    (nanoseconds / 1e3).rounded() / 1e3
}
