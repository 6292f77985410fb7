import TurnoutConfig
import TurnoutHTTP

/// The data path's tunables, in the units the loops use (nanoseconds, bytes), derived once
/// from a configuration and carried inside each snapshot so a reload changes them atomically.
public struct ProxySettings: Sendable {
    public var clientHeaderTimeout: UInt64
    public var clientIdleTimeout: UInt64
    public var upstreamConnectTimeout: UInt64
    public var upstreamResponseTimeout: UInt64
    /// How long an idle upstream connection is kept in the pool.
    public var upstreamIdleTimeout: UInt64
    public var drainTimeout: UInt64
    public var limits: HTTPLimits
    public var maxBodyBytes: Int64
    public var maxConnections: Int
    public var retryAttempts: Int
    public var retryOnConnectFailure: Bool
    public var retryOnReset: Bool
    public var retryOnTimeout: Bool
    public var retryOn5xx: Bool
    /// The response header naming the pool (`X-Turnout-Pool`), nil when disabled.
    public var poolHeaderName: [UInt8]?
    /// Connect failures or 5xx answers in a row after which a worker reports a server.
    public var outlierThreshold: Int

    public init(config: Config) {
        let ms: (Int) -> UInt64 = { UInt64($0) * 1_000_000 }
        clientHeaderTimeout = ms(config.timeouts.clientHeaderMs)
        clientIdleTimeout = ms(config.timeouts.clientIdleMs)
        upstreamConnectTimeout = ms(config.timeouts.upstreamConnectMs)
        upstreamResponseTimeout = ms(config.timeouts.upstreamResponseMs)
        upstreamIdleTimeout = 60_000_000_000
        drainTimeout = ms(config.timeouts.drainMs)
        limits = HTTPLimits(maxHeadBytes: config.limits.maxHeaderBytes)
        maxBodyBytes = Int64(config.limits.maxBodyBytes)
        maxConnections = config.limits.maxConnections
        retryAttempts = config.retries.attempts
        retryOnConnectFailure = config.retries.on.contains(.connectFailure)
        retryOnReset = config.retries.on.contains(.resetBeforeResponse)
        retryOnTimeout = config.retries.on.contains(.timeout)
        retryOn5xx = config.retries.on.contains(.status5xx)
        poolHeaderName = config.poolHeader.map { Array($0.utf8) }
        outlierThreshold = config.outlier.consecutiveFailures
    }

    /// Every buffer must hold a whole head plus what the proxy adds to it.
    public var bufferSize: Int { max(16 * 1024, (limits.maxHeadBytes + 4096 + 4095) / 4096 * 4096) }
}

/// Everything a worker routes by, swapped as one reference: the routing table and settings.
public final class ProxySnapshot: Sendable {
    public let routing: RoutingTable
    public let settings: ProxySettings

    public init(routing: RoutingTable, settings: ProxySettings) {
        self.routing = routing
        self.settings = settings
    }
}
