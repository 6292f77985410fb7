import Foundation
import Glibc
import TurnoutAdmin

/// `turnout ctl rollout …`: start a rollout, read it, watch it live, and its verbs.
enum CtlRollout {
    /// The flags of `rollout start`.
    struct StartOptions {
        var baseline: String?
        var canary: String?
        var steps: String?
        var advance: String?
        /// `--force`: start even when the plan check says a step cannot finish. Not part of
        /// `isEmpty`: forcing the configuration's template needs no other flag.
        var force = false

        var isEmpty: Bool { baseline == nil && canary == nil && steps == nil && advance == nil }

        /// Takes the flags out of `arguments`.
        static func parse(_ arguments: inout Arguments) throws(UsageError) -> StartOptions {
            StartOptions(baseline: try arguments.option("--baseline"), canary: try arguments.option("--canary"),
                         steps: try arguments.option("--steps"), advance: try arguments.option("--advance"))
        }
    }

    static let usage = "usage: turnout ctl rollout start SPLIT [--baseline POOL --canary POOL --steps 5:60,25:120,pause,50:300,100 [--advance hold|proven]] [--force] | status SPLIT | watch SPLIT | pause SPLIT | resume SPLIT | abort SPLIT | promote SPLIT"

    /// The admin call of `rollout SUBVERB SPLIT`.
    static func request(words: [String], options: StartOptions) throws(UsageError) -> (method: String, path: String, body: String?) {
        guard words.count == 2 else { throw UsageError(usage) }
        let (verb, split) = (words[0], words[1])
        let path = "/splits/\(CtlCommand.escape(split))/rollout"
        if verb != "start" && !options.isEmpty { throw UsageError("--baseline, --canary, --steps and --advance go with rollout start only") }
        if verb != "start" && options.force { throw UsageError("--force goes with rollout start and switch only") }
        switch verb {
        case "start":
            return ("POST", path, try body(options))
        case "status", "watch":
            return ("GET", path, nil)
        case "pause", "resume", "abort", "promote":
            return ("POST", path + "/" + verb, nil)
        default:
            throw UsageError("unknown rollout verb \"\(verb)\" (start, status, watch, pause, resume, abort, promote)")
        }
    }

    /// The rollout body from the flags; nil (the configuration's template) without any, and
    /// `{"force": true}` (the template, forced) with `--force` alone.
    static func body(_ options: StartOptions) throws(UsageError) -> String? {
        guard !options.isEmpty else { return options.force ? "{\"force\": true}" : nil }
        guard let baseline = options.baseline, let canary = options.canary, let stepsText = options.steps else {
            throw UsageError("rollout start needs --baseline, --canary and --steps together (or none of them, to use the configuration's template)")
        }
        var steps: [String] = []
        for part in stepsText.split(separator: ",", omittingEmptySubsequences: false) {
            if part == "pause" { steps.append("{\"pause\": true}"); continue }
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            guard (1...2).contains(fields.count), let weight = Int(fields[0]), fields.count == 1 || Int(fields[1]) != nil else {
                throw UsageError("--steps: \"\(part)\" is not WEIGHT, WEIGHT:HOLD_S or pause (like 5:60,25:120,pause,100)")
            }
            steps.append(fields.count == 2 ? "{\"weight\": \(weight), \"hold_s\": \(fields[1])}" : "{\"weight\": \(weight)}")
        }
        var body = "{\"baseline\": \(jsonString(baseline)), \"canary\": \(jsonString(canary)), \"steps\": [\(steps.joined(separator: ", "))]"
        if let advance = options.advance { body += ", \"advance\": \(jsonString(advance))" }
        if options.force { body += ", \"force\": true" }
        return body + "}"
    }

    /// Redraws the rollout once a second until it ends: 0 when promoted, 3 when rolled back or
    /// aborted, 2 when turnout stops answering, 1 when refused.
    static func watch(client: AdminClient, split: String) -> Int32 {
        let path = "/splits/\(CtlCommand.escape(split))/rollout"
        let interactive = isatty(STDOUT_FILENO) == 1
        while true {
            let report: (status: Int, body: String), stats: (status: Int, body: String)
            do {
                report = try client.send("GET", path)
                stats = try client.send("GET", "/stats")
            } catch {
                printError("ctl: \(error)")
                return 2
            }
            guard report.status == 200 else {
                printError("ctl: \(CtlFormat.errorMessage(report.body) ?? "the admin API answered \(report.status)")")
                return report.status >= 500 ? 2 : 1
            }
            let document = (try? JSONSerialization.jsonObject(with: Data(report.body.utf8)) as? [String: Any]) ?? [:]
            let statsDocument = stats.status == 200 ? (try? JSONSerialization.jsonObject(with: Data(stats.body.utf8)) as? [String: Any]) ?? nil : nil
            let screen = CtlFormat.rollout(document, stats: statsDocument)
            // A terminal is redrawn in place; a pipe gets one screen after another.
            writeStandardOutput((interactive ? "\u{1B}[H\u{1B}[2J" : "") + screen + (interactive ? "" : "\n"))
            switch document["state"] as? String {
            case "promoted": return 0
            case "rolled_back", "aborted": return 3
            default: break
            }
            sleep(1)
        }
    }
}

extension CtlFormat {
    /// A rollout's report as a screen: steps with the current one marked, weights, both pools'
    /// requests, error rates and p99 over the last 10 s (from `/stats` when given; `status`
    /// shows "-" there), each test's evidence against its threshold, and the reason.
    static func rollout(_ document: [String: Any], stats: [String: Any]?) -> String {
        let state = text(document["state"])
        let baseline = text(document["baseline"]), canary = text(document["canary"])
        var out = "rollout on split \(text(document["split"])): \(baseline) → \(canary), advance \(text(document["advance"])) — \(state.uppercased())"
        out += ", step \(text(document["step"])), \(text(document["time_in_step_s"])) s in step\n"
        let steps = (document["steps"] as? [[String: Any]] ?? []).map { step -> String in
            let label = step["pause"] != nil ? "pause" : "\(text(step["weight"])) %" + ((step["hold_s"] as? Int ?? 0) > 0 ? " \(text(step["hold_s"])) s" : "")
            return (step["current"] as? Bool == true) ? "[\(label)]" : label
        }
        out += "steps:    " + steps.joined(separator: " → ") + "\n"
        out += planCheck(document["plan_check"])
        let weights = document["weights"] as? [String: Any] ?? [:]
        out += "weights:  " + weights.keys.sorted().map { "\($0) \(text(weights[$0]))" }.joined(separator: ", ") + "\n\n"
        var rows = [["POOL", "REQ/S", "ERROR RATE", "P99 MS", "STEP REQUESTS"]]
        let analysis = document["analysis"] as? [String: Any] ?? [:]
        for (role, pool) in [("canary", canary), ("baseline", baseline)] {
            let window = ((((stats?["pools"] as? [String: Any])?[pool] as? [String: Any])?["windows"] as? [String: Any])?["10s"] as? [String: Any]) ?? [:]
            let seconds = ((stats?["window_seconds"] as? [String: Any])?["10s"] as? Double) ?? 10
            let requests = window["requests"] as? Int ?? 0
            let rate = (window["error_rate"] as? Double).map { String(format: "%.2f %%", $0 * 100) } ?? "-"
            let p99 = ((window["latency_ms"] as? [String: Any])?["p99"]).map { text($0) } ?? "-"
            let perSecond = stats == nil ? "-" : String(format: "%.1f", Double(requests) / max(seconds, 1))
            rows.append(["\(pool) (\(role))", perSecond, rate, p99,
                         text(analysis["\(role)_requests"])])
        }
        out += table(rows) + "\n"
        var tests = [["TEST", "EVIDENCE", "THRESHOLD", "VERDICT"]]
        for metric in analysis["metrics"] as? [[String: Any]] ?? [] {
            let name = text(metric["name"])
            tests.append(["\(name) beyond tolerance", String(format: "%.2f", metric["evidence"] as? Double ?? 0), String(format: "%.0f", metric["threshold"] as? Double ?? 0),
                          text(metric["verdict"])])
            tests.append(["\(name) within tolerance", String(format: "%.2f", metric["pass_evidence"] as? Double ?? 0),
                          String(format: "%.0f", metric["pass_threshold"] as? Double ?? 0), ""])
        }
        out += table(tests) + "\n"
        out += "decision: \(text(analysis["decision"]))\n"
        out += "reason:   \(text(document["reason"]))\n"
        if let why = analysis["reason"] as? String, why != document["reason"] as? String { out += "analyzer: \(why)\n" }
        return out
    }
}
