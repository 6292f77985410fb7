/// Client and upstream timeouts, in milliseconds.
public struct TimeoutConfig: Sendable, Equatable {
    /// Time a client has to send a complete request head (slowloris guard), > 0.
    public var clientHeaderMs: Int
    /// Time an idle keep-alive client connection is kept, > 0.
    public var clientIdleMs: Int
    /// Time an upstream connect may take, > 0.
    public var upstreamConnectMs: Int
    /// Time from sending a request upstream to the response head (then 504), > 0.
    public var upstreamResponseMs: Int
    /// Time in-flight requests get to finish on shutdown, ≥ 0 (0 closes at once).
    public var drainMs: Int

    /// Creates a timeout section; the defaults are 10 s, 60 s, 2 s, 30 s and 15 s.
    public init(
        clientHeaderMs: Int = 10_000, clientIdleMs: Int = 60_000, upstreamConnectMs: Int = 2_000,
        upstreamResponseMs: Int = 30_000, drainMs: Int = 15_000
    ) {
        self.clientHeaderMs = clientHeaderMs
        self.clientIdleMs = clientIdleMs
        self.upstreamConnectMs = upstreamConnectMs
        self.upstreamResponseMs = upstreamResponseMs
        self.drainMs = drainMs
    }
}
