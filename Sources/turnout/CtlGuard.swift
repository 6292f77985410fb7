import Foundation
import Glibc
import TurnoutAdmin
import TurnoutControl

/// `turnout ctl switch SPLIT POOL --guard SECONDS [--baseline SECONDS]` and `turnout ctl guard
/// SPLIT [status|watch|keep|revert]`: a guarded switch from the shell, its report, a live view
/// that ends when it is kept or reverted, and the verbs that end it early.
enum CtlGuard {
    static let usage = "usage: turnout ctl guard SPLIT [status|watch|keep|revert]"

    /// The admin call of `guard SPLIT [VERB]`.
    static func request(words: [String]) throws(UsageError) -> (method: String, path: String, body: String?) {
        guard (1...2).contains(words.count) else { throw UsageError(usage) }
        let path = "/splits/\(CtlCommand.escape(words[0]))/guard"
        switch words.count == 2 ? words[1] : "status" {
        case "status", "watch": return ("GET", path, nil)
        case "keep", "revert": return ("POST", path + "/" + words[1], nil)
        default: throw UsageError("unknown guard verb \"\(words[1])\" (status, watch, keep, revert)")
        }
    }

    /// `watch_s` and `baseline_s` from `--guard` and `--baseline`, as whole seconds; nil without
    /// `--guard`. The bounds are the API's to check, so its refusal names them.
    static func watch(guard watch: String?, baseline: String?) throws(UsageError) -> (watch: Int, baseline: Int?)? {
        guard let watch else {
            if baseline != nil { throw UsageError("--baseline SECONDS goes with switch --guard SECONDS (or with rollout start, naming a pool)") }
            return nil
        }
        guard let seconds = Int(watch) else { throw UsageError("--guard \"\(watch)\": expected the seconds to watch the new pool, like --guard 300") }
        guard let baseline else { return (seconds, nil) }
        guard let reference = Int(baseline) else {
            throw UsageError("--baseline \"\(baseline)\": expected the seconds of the old pool's traffic to judge against, like --baseline 300")
        }
        return (seconds, reference)
    }

    /// Redraws the guard's report once a second until it ends: 0 when kept, 3 when reverted (as
    /// `rollout watch` exits 3 on a rollback), 2 when turnout stops answering, 1 when refused.
    static func watch(client: AdminClient, split: String) -> Int32 {
        CtlWatch.run(client: client, path: "/splits/\(CtlCommand.escape(split))/guard", what: "the guard's report") { (document: GuardDocument) in
            let exit: Int32? = switch document.state {
            case .kept: 0
            case .reverted: 3
            case .watching: nil
            }
            return (CtlFormat.guarded(document), exit)
        }
    }
}

extension CtlFormat {
    /// A guarded switch's report as a screen: where the watch stands, the reference it judges
    /// against, the new pool against its lines, both tests' evidence against the threshold, and
    /// the reason.
    static func guarded(_ document: GuardDocument, now: Date = Date()) -> String {
        var out = "guarded switch on split \(document.split): \(document.from) → \(document.to) — \(document.state.rawValue.uppercased())"
        if let finished = document.finishedAt {
            out += ", ended \(finished)"
        } else if let ends = isoDate(document.watchEndsAt) {
            out += ", \(Int(max(0, ends.timeIntervalSince(now)).rounded(.up))) s left of \(number(document.watchS)) s"
        }
        out += ", \(document.looks) looks\n"
        let previous = document.finishedAt == nil ? "a revert restores" : "before the switch"
        out += "weights:  \(weightList(document.weights)) (\(previous) \(weightList(document.previousWeights)))\n\n"
        let reference = document.reference, new = document.new
        let quantile = "P\(number(new.latencyQuantile * 100))"
        var rows = [["POOL", "REQUESTS", "ERROR RATE", "ERROR LINE", "\(quantile) MS", "\(quantile) LINE MS", "ABOVE LINE"]]
        // The seconds are what the stats held of those asked for: fewer after a (re)start.
        rows.append(["\(reference.pool) (reference, last \(Int(reference.seconds.rounded())) s)", String(reference.requests), percent(reference.errorRate),
                     percent(reference.errorRateBound) + " (bound)", "-", number(reference.latencyBoundMs) + " (bound)", "-"])
        rows.append(["\(new.pool) (new)", String(new.requests), new.errorRate.map(percent) ?? "-", percent(new.errorLine),
                     number(new.latencyMs), number(new.latencyLineMs),
                     (new.shareAboveLine.map(percent) ?? "-") + " (max \(percent(1 - new.latencyQuantile)))"])
        out += table(rows) + "\n"
        var tests = [["TEST", "EVIDENCE", "THRESHOLD"]]
        tests.append(["\(new.pool)'s error rate above its line", String(format: "%.2f", document.evidence.errorRate), String(format: "%.0f", document.evidence.threshold)])
        tests.append(["\(new.pool)'s \(quantile.lowercased()) above its line", String(format: "%.2f", document.evidence.latency), String(format: "%.0f", document.evidence.threshold)])
        out += table(tests) + "\n"
        return out + "reason:   \(document.reason)\n"
    }

    private static func percent(_ rate: Double) -> String { String(format: "%.2f %%", rate * 100) }

    private static func weightList(_ weights: [String: Int]) -> String {
        weights.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    /// The report's times: `2026-12-08T01:44:06.123Z`.
    private static func isoDate(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
