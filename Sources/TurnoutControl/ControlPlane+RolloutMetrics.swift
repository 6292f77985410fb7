import TurnoutMetrics
import TurnoutRollout

/// Delivery counts of the notifications, as `/metrics` shows them.
public struct NotificationCounts: Sendable, Equatable {
    /// Per sink (`webhook`, `command`) and result (`delivered`, `failed`, `abandoned`, …).
    public var results: [String: [String: UInt64]]
    /// Entries dropped because the queue was full.
    public var dropped: UInt64

    public init(results: [String: [String: UInt64]], dropped: UInt64) {
        self.results = results
        self.dropped = dropped
    }
}

/// The rollout and notification families of `GET /metrics`.
extension ControlPlane {
    static func rolloutMetrics(_ rollouts: [(key: String, value: Rollout)], outcomes: [String: [RolloutPhase: Int]],
                               controller: RolloutController?, into text: inout PrometheusText) {
        text.family("turnout_rollout_step", type: .gauge, help: "The step a split's rollout is at (from 1), in progress or last finished.")
        for (split, rollout) in rollouts { text.sample("turnout_rollout_step", labels: [("split", split)], value: Double(rollout.stepIndex + 1)) }
        text.family("turnout_rollout_state", type: .gauge, help: "1 for the state a split's rollout is in: running, paused, stalled, promoted, rolled_back or aborted.")
        for (split, rollout) in rollouts {
            for phase in RolloutPhase.allCases {
                text.sample("turnout_rollout_state", labels: [("split", split), ("state", phase.rawValue)], value: phase == rollout.phase ? 1 : 0)
            }
        }
        text.family("turnout_rollout_canary_weight", type: .gauge, help: "The canary's percent of the split set by its rollout.")
        for (split, rollout) in rollouts { text.sample("turnout_rollout_canary_weight", labels: [("split", split)], value: Double(rollout.canaryWeight)) }
        let reports = rollouts.map { ($0.key, $0.value.analyzer.report()) }
        text.family("turnout_rollout_evidence", type: .gauge, help: "A rollout test's evidence (an e-value): test fail over the whole rollout, pass over the step.")
        for (split, report) in reports {
            for metric in report.metrics {
                let name = RolloutReport.metricName(metric)
                text.sample("turnout_rollout_evidence", labels: [("split", split), ("metric", name), ("test", "fail")], value: metric.failEvidence)
                text.sample("turnout_rollout_evidence", labels: [("split", split), ("metric", name), ("test", "pass")], value: metric.passEvidence)
            }
        }
        text.family("turnout_rollout_evidence_threshold", type: .gauge, help: "The evidence at which a rollout test decides.")
        for (split, report) in reports {
            for metric in report.metrics {
                let name = RolloutReport.metricName(metric)
                text.sample("turnout_rollout_evidence_threshold", labels: [("split", split), ("metric", name), ("test", "fail")], value: metric.failThreshold)
                text.sample("turnout_rollout_evidence_threshold", labels: [("split", split), ("metric", name), ("test", "pass")], value: metric.passThreshold)
            }
        }
        text.family("turnout_rollouts_total", type: .counter, help: "Rollouts finished since start, by outcome.")
        for (split, counts) in outcomes.sorted(by: { $0.key < $1.key }) {
            for phase in [RolloutPhase.promoted, .rolledBack, .aborted] {
                text.sample("turnout_rollouts_total", labels: [("split", split), ("outcome", phase.rawValue)], value: Double(counts[phase] ?? 0))
            }
        }
        if let controller {
            let cost = controller.lookCost
            text.family("turnout_rollout_looks_total", type: .counter, help: "Looks the rollout controller fed to rollouts.")
            text.sample("turnout_rollout_looks_total", value: Double(cost.looks))
            text.family("turnout_rollout_look_seconds", type: .gauge, help: "Mean time one look spends judging (state machine, analyzer, applying), seconds.")
            text.sample("turnout_rollout_look_seconds", value: cost.nanosecondsPerLook / 1e9)
        }
    }

    static func notificationMetrics(_ counts: NotificationCounts, into text: inout PrometheusText) {
        text.family("turnout_notifications_total", type: .counter, help: "History entries handed to a notification sink, by result.")
        for (sink, results) in counts.results.sorted(by: { $0.key < $1.key }) {
            for (result, count) in results.sorted(by: { $0.key < $1.key }) {
                text.sample("turnout_notifications_total", labels: [("sink", sink), ("result", result)], value: Double(count))
            }
        }
        text.family("turnout_notifications_dropped_total", type: .counter, help: "History entries dropped because the notification queue was full.")
        text.sample("turnout_notifications_dropped_total", value: Double(counts.dropped))
    }
}
