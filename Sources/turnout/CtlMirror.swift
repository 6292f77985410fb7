import Foundation

/// `turnout ctl mirror`: `GET /mirror` as a person reads it. The JSON (`--json`) has every
/// mismatch and every field; this shows what an operator looks at first.
extension CtlFormat {
    /// Mismatches shown; the rest (up to 100) are in `--json`.
    static let mirrorMismatchesShown = 10
    /// Characters of a body's first bytes shown per answer, so a row fits a terminal.
    static let mirrorPrefixShown = 32

    /// One row per route, primary and shadow pool (and a total row when there are several), the
    /// last mismatches newest first with both answers, then the paths the noise filter caught.
    static func mirror(_ document: [String: Any]) -> String {
        let counts = document["counts"] as? [[String: Any]] ?? []
        guard !counts.isEmpty else {
            return "no shadow traffic yet: no route mirrors, or no request has been copied since start\n"
        }
        var out = "shadow traffic since start, \(text(document["in_flight"])) copies in flight\n"
        var rows = [["ROUTE", "POOL → SHADOW", "MIRRORED", "MATCHED", "STATUS DIFF", "BODY DIFF", "NOISE", "ERRORS", "DROPPED",
                     "TOO LARGE", "P50 DIFF MS", "P99 DIFF MS"]]
        for entry in counts {
            rows.append(mirrorRow(text(entry["route"]), "\(text(entry["pool"])) → \(text(entry["shadow"]))", entry))
        }
        if counts.count > 1, let totals = document["totals"] as? [String: Any] {
            rows.append(mirrorRow("total", "", totals))
        }
        out += table(rows)
        out += "(DIFF MS: shadow minus primary latency; negative when the shadow was faster)\n"

        let mismatches = document["mismatches"] as? [[String: Any]] ?? []
        if mismatches.isEmpty {
            out += "\nno mismatches\n"
        } else {
            let shown = mismatches.prefix(mirrorMismatchesShown)
            let more = mismatches.count - shown.count
            out += "\nlast mismatches, newest first" + (more > 0 ? " (\(more) more with --json)" : "") + ":\n"
            var rows = [["TIME", "REQUEST", "KIND", "ANSWER", "POOL", "STATUS", "BYTES", "DIGEST", "BODY STARTS"]]
            for mismatch in shown {
                let request = "\(text(mismatch["method"])) \(text(mismatch["path"]))"
                for (side, first) in [("primary", true), ("shadow", false)] {
                    let answer = mismatch[side] as? [String: Any] ?? [:]
                    rows.append([first ? text(mismatch["at"]) : "", first ? request : "", first ? text(mismatch["kind"]) : "", side,
                                 text(answer["pool"]), text(answer["status"]), text(answer["body_bytes"]),
                                 text(answer["digest"]) + ((answer["complete"] as? Bool) == false ? " (partial)" : ""),
                                 shortened(text(answer["prefix"]))])
                }
            }
            out += table(rows)
        }

        // The totals hold every key's noisy paths, summed (and bounded) as the counts are.
        let noisy = (document["totals"] as? [String: Any])?["noisy_paths"] as? [String: Int] ?? [:]
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

    private static func mirrorRow(_ route: String, _ pools: String, _ counts: [String: Any]) -> [String] {
        let errors = (counts["shadow_errors"] as? [String: Int] ?? [:]).values.reduce(0, +)
        let latency = counts["latency_difference_ms"] as? [String: Any] ?? [:]
        return [route, pools, text(counts["mirrored"]), text(counts["matched"]), text(counts["status_mismatch"]),
                text(counts["body_mismatch"]), text(counts["noise"]), String(errors), text(counts["dropped"]),
                text(counts["too_large"]), text(latency["p50"]), text(latency["p99"])]
    }

    /// The first characters of a body prefix, marked when cut.
    static func shortened(_ prefix: String) -> String {
        prefix.count <= mirrorPrefixShown ? prefix : String(prefix.prefix(mirrorPrefixShown)) + "…"
    }
}
