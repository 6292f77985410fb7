import Foundation
import Glibc
import TurnoutAdmin
import TurnoutControl

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
        CtlWatch.run(client: client, path: "/splits/\(CtlCommand.escape(split))/rollout", what: "the rollout report") { (document: RolloutDocument) in
            // The pools' last 10 s, when /stats answers; the screen shows "-" without them.
            let stats = (try? client.send("GET", "/stats")).flatMap { $0.status == 200 ? try? DocumentJSON.decode(StatsDocument.self, from: $0.body) : nil }
            let exit: Int32? = switch document.state {
            case .promoted: 0
            case .rolledBack, .aborted: 3
            case .running, .paused, .stalled: nil
            }
            return (CtlFormat.rollout(document, stats: stats), exit)
        }
    }
}

extension CtlFormat {
    /// A rollout's report as a screen: steps with the current one marked, weights, both pools'
    /// requests, error rates and p99 over the last 10 s (from `/stats` when given; `status`
    /// shows "-" there), each test's evidence against its threshold, and the reason.
    static func rollout(_ document: RolloutDocument, stats: StatsDocument?) -> String {
        let state = document.state.rawValue
        let (baseline, canary) = (document.baseline, document.canary)
        var out = "rollout on split \(document.split): \(baseline) → \(canary), advance \(document.advance.rawValue) — \(state.uppercased())"
        out += ", step \(document.step), \(number(document.timeInStep)) s in step\n"
        let steps = document.steps.map { entry -> String in
            let label = switch entry.step {
            case .pause: "pause"
            case .weight(let percent, let hold): "\(percent) %" + (hold > 0 ? " \(hold) s" : "")
            }
            return entry.current ? "[\(label)]" : label
        }
        out += "steps:    " + steps.joined(separator: " → ") + "\n"
        out += planCheck(document.planCheck)
        out += "weights:  " + document.weights.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n\n"
        var rows = [["POOL", "REQ/S", "ERROR RATE", "P99 MS", "STEP REQUESTS"]]
        let analysis = document.analysis
        for (role, pool, stepRequests) in [("canary", canary, analysis.canaryRequests), ("baseline", baseline, analysis.baselineRequests)] {
            let window = stats?.pools[pool]?.windows["10s"]
            let seconds = stats?.windowSeconds["10s"] ?? 10
            let requests = window?.requests ?? 0
            let rate = window.map { String(format: "%.2f %%", $0.errorRate * 100) } ?? "-"
            let p99 = number(window?.latency?.p99)
            let perSecond = stats == nil ? "-" : String(format: "%.1f", Double(requests) / max(seconds, 1))
            rows.append(["\(pool) (\(role))", perSecond, rate, p99, String(stepRequests)])
        }
        out += table(rows) + "\n"
        var tests = [["TEST", "EVIDENCE", "THRESHOLD", "VERDICT"]]
        for metric in analysis.metrics {
            tests.append(["\(metric.name) beyond tolerance", String(format: "%.2f", metric.evidence), String(format: "%.0f", metric.threshold),
                          metric.verdict.rawValue])
            tests.append(["\(metric.name) within tolerance", String(format: "%.2f", metric.passEvidence),
                          String(format: "%.0f", metric.passThreshold), ""])
        }
        out += table(tests) + "\n"
        out += "decision: \(analysis.decision.rawValue)\n"
        out += "reason:   \(document.reason)\n"
        if analysis.reason != document.reason { out += "analyzer: \(analysis.reason)\n" }
        return out
    }
}
