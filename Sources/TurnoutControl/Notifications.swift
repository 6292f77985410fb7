import TurnoutConfig
import TurnoutNotify

/// The control plane's notifications (SPEC §14): every history entry, in history order, handed to
/// a `Notifier` that delivers it on a thread of its own. Handing over never waits: a full queue
/// drops the entry and counts it.
public final class Notifications: Sendable {
    let notifier: Notifier

    public init(config: NotifyConfig, notice: @escaping @Sendable (String) -> Void) throws {
        notifier = try Notifier(config: config, notice: notice)
    }

    public func start() { notifier.start() }

    /// Delivers what is queued for up to `seconds`, then stops.
    public func stop(seconds: Double = 2) { notifier.stop(timeout: seconds) }

    /// What the control plane calls with each history entry.
    public var deliver: @Sendable ([UInt8]) -> Void {
        let notifier = self.notifier
        return { entry in notifier.enqueue(entry) }
    }

    /// The counts `/metrics` shows.
    public var counts: NotificationCounts {
        let c = notifier.counters
        return NotificationCounts(
            results: [
                "webhook": ["delivered": c.delivered, "failed_attempt": c.failedAttempts, "abandoned": c.abandoned],
                "command": ["delivered": c.commandSuccesses, "failed": c.commandFailures, "timeout": c.commandTimeouts],
            ],
            dropped: c.dropped)
    }
}
