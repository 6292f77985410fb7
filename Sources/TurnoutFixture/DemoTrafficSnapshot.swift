/// What `DemoTraffic` has seen since it started: a copy taken under its lock.
public struct DemoTrafficSnapshot: Sendable, Equatable {
    /// Requests begun: answered, failed (counted in `errors` too), or still in flight (at most
    /// one per connection; those left at `stop` are neither answered nor errors).
    public var sent: UInt64 = 0
    /// Complete responses.
    public var responses: UInt64 = 0
    /// Responses by status class.
    public var status2xx: UInt64 = 0
    public var status3xx: UInt64 = 0
    public var status4xx: UInt64 = 0
    public var status5xx: UInt64 = 0
    /// Responses by the value of their `X-Turnout-Pool` field (the pool the proxy chose).
    public var byPool: [String: UInt64] = [:]
    /// Responses without an `X-Turnout-Pool` field (the proxy answered itself, or no proxy).
    public var withoutPool: UInt64 = 0
    /// Requests that got no response: connect refused or timed out, the connection reset or
    /// closed mid-response, no answer within the time limit, a malformed answer.
    public var errors: UInt64 = 0
    /// Requests not sent: every connection was busy, or the pacer fell far behind (a stalled
    /// machine) and did not try to catch up in one burst.
    public var skipped: UInt64 = 0
    /// Connections established since the start; each close or error costs a new one.
    public var connectionsOpened: UInt64 = 0

    /// All zero.
    public init() {}
}
