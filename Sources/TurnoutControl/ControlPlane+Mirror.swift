import TurnoutConfig
import TurnoutMirror

/// The shadow traffic as the admin API shows it (SPEC §10): `GET /mirror` and the `mirror`
/// section of `/stats`.
extension ControlPlane {
    /// `GET /mirror`: copies in flight, the totals, the counts per route, primary and shadow pool
    /// (in key order), and the last mismatches, newest first.
    public func mirrorDocument() throws(ControlError) -> MirrorDocument {
        guard let report = server.mirrorReport() else { throw Self.workerSilent }
        var document = MirrorDocument(counts: report)
        document.mismatches = report.mismatches.map(MismatchDocument.init)
        return document
    }

    /// Whether any route is mirrored by the configuration in force (its own block or the
    /// top-level one it inherits).
    var mirrorConfigured: Bool {
        read { state in state.config.routes.indices.contains { state.config.mirror(forRoute: $0) != nil } }
    }
}

extension MirrorDocument {
    /// `in_flight`, `totals` and `counts` without the mismatches, which is what `/stats` shows.
    init(counts report: MirrorReport) {
        self.init(inFlight: report.inFlight, totals: MirrorCountsDocument(report.totals),
                  counts: report.counts.keys.sorted().map { key in
                      MirrorKeyCounts(route: key.route, pool: key.pool, shadow: key.shadow, counts: MirrorCountsDocument(report.counts[key]!))
                  })
    }
}

extension MirrorCountsDocument {
    init(_ counts: MirrorCounts) {
        self.init(mirrored: counts.mirrored, dropped: counts.dropped, tooLarge: counts.tooLarge,
                  shadowErrors: Dictionary(uniqueKeysWithValues: ShadowFailure.allCases.map { ($0.rawValue, counts.errors($0)) }),
                  compared: counts.compared, matched: counts.matched, statusMismatch: counts.statusMismatch,
                  statusClassMismatch: counts.statusClassMismatch, bodyMismatch: counts.bodyMismatch, notCompared: counts.notCompared,
                  noise: counts.noise, noisyPaths: counts.noisyPaths,
                  latencyDifference: LatencyDifferenceDocument(
                      count: Int(counts.latencyDifferenceCount),
                      p50: counts.latencyDifference(atQuantile: 0.5).map { milliseconds(Double($0)) },
                      p90: counts.latencyDifference(atQuantile: 0.9).map { milliseconds(Double($0)) },
                      p99: counts.latencyDifference(atQuantile: 0.99).map { milliseconds(Double($0)) }))
    }
}

extension MismatchDocument {
    /// `shadow` is the shadow's answer here, so the shadow pool's name is that answer's `pool`;
    /// `pool` is the primary's, as in the counts.
    init(_ mismatch: MirrorMismatch) {
        self.init(at: RolloutReport.isoTime(mismatch.at), route: mismatch.key.route, pool: mismatch.key.pool, kind: mismatch.kind,
                  method: mismatch.method, path: mismatch.path,
                  primary: AnswerDocument(mismatch.primary, pool: mismatch.key.pool),
                  shadow: AnswerDocument(mismatch.shadow, pool: mismatch.key.shadow))
    }
}

extension AnswerDocument {
    init(_ answer: RecordedAnswer, pool: String) {
        self.init(pool: pool, status: answer.status, bodyBytes: answer.bodyBytes, digest: answer.digestHex, complete: answer.complete,
                  prefix: answer.prefixText, latency: milliseconds(Double(answer.latencyNanoseconds)))
    }
}

/// Nanoseconds as milliseconds with three decimals (microseconds), as `/stats` rounds latencies.
private func milliseconds(_ nanoseconds: Double) -> Double {
    (nanoseconds / 1e3).rounded() / 1e3
}
