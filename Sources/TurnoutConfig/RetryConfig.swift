/// When a failed upstream attempt is tried again on another server of the same pool.
public struct RetryConfig: Sendable, Equatable {
    /// The number of retries after the first attempt, 0...10 (0 disables retries).
    public var attempts: Int
    /// The failures that allow a retry, in file order, without duplicates.
    public var on: [RetryCondition]

    /// Creates a retry section; the defaults are 2 retries on a connect failure and on a reset
    /// before any response byte (the failures where the upstream has answered nothing).
    public init(attempts: Int = 2, on: [RetryCondition] = [.connectFailure, .resetBeforeResponse]) {
        self.attempts = attempts
        self.on = on
    }
}

/// A kind of upstream failure that may be retried.
public enum RetryCondition: String, Sendable, Equatable, CaseIterable {
    /// The connection could not be established (`"connect_failure"`).
    case connectFailure = "connect_failure"
    /// The connection was reset before any response byte (`"reset_before_response"`).
    case resetBeforeResponse = "reset_before_response"
    /// No response within `upstream_response_ms` (`"timeout"`).
    case timeout = "timeout"
    /// The upstream answered 500-599 (`"5xx"`).
    case status5xx = "5xx"
}
