/// Active health checks: `GET path` on every server, HAProxy-style rise/fall.
public struct HealthConfig: Sendable, Equatable {
    /// The request path, starting with `/`.
    public var path: String
    /// Time between two checks of one server, > 0.
    public var intervalMs: Int
    /// Time a check may take before it counts as failed, > 0.
    public var timeoutMs: Int
    /// Consecutive successes that bring a down server up, ≥ 1.
    public var rise: Int
    /// Consecutive failures that take an up server down, ≥ 1.
    public var fall: Int

    /// Creates a health section; the defaults are `/healthz`, 2000 ms, 1000 ms, rise 2, fall 3.
    public init(path: String = "/healthz", intervalMs: Int = 2000, timeoutMs: Int = 1000, rise: Int = 2, fall: Int = 3) {
        self.path = path
        self.intervalMs = intervalMs
        self.timeoutMs = timeoutMs
        self.rise = rise
        self.fall = fall
    }
}
