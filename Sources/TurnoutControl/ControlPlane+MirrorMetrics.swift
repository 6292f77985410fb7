import TurnoutMetrics
import TurnoutMirror

/// The shadow traffic's families of `GET /metrics` (SPEC §10), cumulative since start, labelled
/// by `route`, primary `pool` and `shadow` pool like the counts of `GET /mirror`.
extension ControlPlane {
    /// The `result`s of `turnout_mirror_requests_total`, with the count each reads: what became
    /// of the copies (mirrored, dropped, too large) and the comparisons' verdicts.
    static let mirrorResults: [(String, @Sendable (MirrorCounts) -> Int)] = [
        ("mirrored", \.mirrored), ("dropped", \.dropped), ("too_large", \.tooLarge),
        ("matched", \.matched), ("status_mismatch", \.statusMismatch), ("body_mismatch", \.bodyMismatch),
        ("not_compared", \.notCompared), ("noise", \.noise),
    ]

    static func mirrorMetrics(_ report: MirrorReport, into text: inout PrometheusText) {
        let keys = report.counts.keys.sorted()
        text.family("turnout_mirror_requests_total", type: .counter,
                    help: "Shadow copies by result: mirrored, dropped (max_in_flight), too_large (max_body_bytes), and the comparisons' verdicts.")
        for key in keys {
            let counts = report.counts[key]!
            for (result, count) in mirrorResults {
                text.sample("turnout_mirror_requests_total", labels: labels(key) + [("result", result)], value: Double(count(counts)))
            }
        }
        text.family("turnout_mirror_status_class_mismatch_total", type: .counter,
                    help: "Status mismatches whose status class differs too (200 against 500, not 200 against 204).")
        for key in keys {
            text.sample("turnout_mirror_status_class_mismatch_total", labels: labels(key), value: Double(report.counts[key]!.statusClassMismatch))
        }
        text.family("turnout_mirror_shadow_errors_total", type: .counter, help: "Shadow exchanges that failed without a whole answer, by kind.")
        for key in keys {
            for failure in ShadowFailure.allCases {
                text.sample("turnout_mirror_shadow_errors_total", labels: labels(key) + [("kind", failure.rawValue)],
                            value: Double(report.counts[key]!.errors(failure)))
            }
        }
        // A Prometheus histogram holds no negative value, so the signed difference is two
        // histograms, as MirrorCounts keeps it: how much slower, and how much faster, the shadow was.
        text.family("turnout_mirror_latency_difference_seconds", type: .histogram,
                    help: "Shadow minus primary latency of compared answers: direction slower (shadow as fast or slower) or faster.")
        for key in keys {
            let counts = report.counts[key]!
            for (direction, histogram) in [("slower", counts.slower), ("faster", counts.faster)] {
                text.histogram("turnout_mirror_latency_difference_seconds", labels: labels(key) + [("direction", direction)],
                               histogram: histogram, boundsSeconds: PrometheusText.latencyBoundsSeconds)
            }
        }
        text.family("turnout_mirror_in_flight", type: .gauge, help: "Shadow exchanges in flight, over every worker.")
        text.sample("turnout_mirror_in_flight", value: Double(report.inFlight))
    }
}

private func labels(_ key: MirrorKey) -> [(String, String)] { [("route", key.route), ("pool", key.pool), ("shadow", key.shadow)] }
