import TurnoutControl

/// `turnout ctl mirror`: `GET /mirror` as a person reads it. The JSON (`--json`) has every
/// mismatch and every field; this shows what an operator looks at first.
extension CtlFormat {
    /// Mismatches shown; the rest (up to 100) are in `--json`.
    static let mirrorMismatchesShown = 10
    /// Characters of a body's first bytes shown per answer, so a row fits a terminal.
    static let mirrorPrefixShown = 32

    /// One row per route, primary and shadow pool (and a total row when there are several), the
    /// last mismatches newest first with both answers, then the paths the noise filter caught.
    static func mirror(_ document: MirrorDocument) -> String {
        let counts = document.counts
        guard !counts.isEmpty else {
            return "no shadow traffic yet: no route mirrors, or no request has been copied since start\n"
        }
        var out = "shadow traffic since start, \(document.inFlight) copies in flight\n"
        var rows = [["ROUTE", "POOL → SHADOW", "MIRRORED", "MATCHED", "STATUS DIFF", "BODY DIFF", "NOISE", "ERRORS", "DROPPED",
                     "TOO LARGE", "P50 DIFF MS", "P99 DIFF MS"]]
        for entry in counts {
            rows.append(mirrorRow(entry.route, "\(entry.pool) → \(entry.shadow)", entry.counts))
        }
        if counts.count > 1 {
            rows.append(mirrorRow("total", "", document.totals))
        }
        out += table(rows)
        out += "(DIFF MS: shadow minus primary latency; negative when the shadow was faster)\n"

        let mismatches = document.mismatches ?? []
        if mismatches.isEmpty {
            out += "\nno mismatches\n"
        } else {
            let shown = mismatches.prefix(mirrorMismatchesShown)
            let more = mismatches.count - shown.count
            out += "\nlast mismatches, newest first" + (more > 0 ? " (\(more) more with --json)" : "") + ":\n"
            var rows = [["TIME", "REQUEST", "KIND", "ANSWER", "POOL", "STATUS", "BYTES", "DIGEST", "BODY STARTS"]]
            for mismatch in shown {
                let request = "\(mismatch.method) \(mismatch.path)"
                for (side, answer, first) in [("primary", mismatch.primary, true), ("shadow", mismatch.shadow, false)] {
                    rows.append([first ? mismatch.at : "", first ? request : "", first ? mismatch.kind.rawValue : "", side,
                                 answer.pool, String(answer.status), String(answer.bodyBytes),
                                 answer.digest + (answer.complete ? "" : " (partial)"),
                                 shortened(answer.prefix)])
                }
            }
            out += table(rows)
        }

        // The totals hold every key's noisy paths, summed (and bounded) as the counts are.
        let noisy = document.totals.noisyPaths
        if !noisy.isEmpty {
            out += "\nnoisy paths (the two primaries disagreed):\n"
            var rows = [["PATH", "NOISE"]]
            for (path, count) in noisy.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
                rows.append([path, String(count)])
            }
            out += table(rows)
        }
        return out
    }

    private static func mirrorRow(_ route: String, _ pools: String, _ counts: MirrorCountsDocument) -> [String] {
        [route, pools, String(counts.mirrored), String(counts.matched), String(counts.statusMismatch),
         String(counts.bodyMismatch), String(counts.noise), String(counts.shadowErrorCount), String(counts.dropped),
         String(counts.tooLarge), number(counts.latencyDifference.p50), number(counts.latencyDifference.p99)]
    }

    /// The first characters of a body prefix, marked when cut.
    static func shortened(_ prefix: String) -> String {
        prefix.count <= mirrorPrefixShown ? prefix : String(prefix.prefix(mirrorPrefixShown)) + "…"
    }
}
