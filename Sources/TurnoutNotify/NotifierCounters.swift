/// What a `Notifier` has done since it was created: a consistent copy, taken under the lock the
/// sender thread updates it under, so its totals add up (every enqueued entry is queued, or
/// finished by every sink).
///
/// A webhook delivery is one entry for one webhook; a command run is one entry for the command.
public struct NotifierCounters: Sendable, Equatable {
    /// Entries `enqueue` accepted.
    public var enqueued: UInt64 = 0
    /// Entries `enqueue` refused because the queue held `queueLimit` entries (or the notifier
    /// was stopping): never delivered anywhere.
    public var dropped: UInt64 = 0
    /// Entries accepted and not yet finished by every sink (a gauge, not a total): what
    /// `queue_limit` bounds. An entry leaves it for the command when its run starts (at most
    /// four run at once), for a webhook when it is delivered or abandoned.
    public var queued: UInt64 = 0
    /// Webhook deliveries answered with a 2xx.
    public var delivered: UInt64 = 0
    /// Webhook attempts that failed: refused, reset, timed out, answered non-2xx or garbage.
    public var failedAttempts: UInt64 = 0
    /// Webhook deliveries given up after `attempts` failed attempts.
    public var abandoned: UInt64 = 0
    /// Command runs that exited 0.
    public var commandSuccesses: UInt64 = 0
    /// Command runs that could not start, exited non-zero or died of a signal we did not send.
    public var commandFailures: UInt64 = 0
    /// Command runs killed (SIGKILL) for running longer than `timeoutMs`.
    public var commandTimeouts: UInt64 = 0
    /// Deliveries (webhook or command) still pending when `stop` ran out of time, including
    /// commands it killed: given up without an attempt to finish them.
    public var discardedAtStop: UInt64 = 0
    /// The same counts per webhook, in the configuration's order.
    public var webhooks: [WebhookCounters] = []

    /// Counters with every total at zero, one entry per webhook.
    public init(webhooks: [String] = []) {
        self.webhooks = webhooks.map { WebhookCounters(url: $0) }
    }
}

/// One webhook's share of `NotifierCounters`.
public struct WebhookCounters: Sendable, Equatable {
    /// The URL as configured.
    public var url: String
    /// Entries it answered with a 2xx.
    public var delivered: UInt64 = 0
    /// Attempts that failed.
    public var failedAttempts: UInt64 = 0
    /// Entries given up after `attempts` failed attempts.
    public var abandoned: UInt64 = 0

    /// Zero counts for `url`.
    public init(url: String) { self.url = url }
}
