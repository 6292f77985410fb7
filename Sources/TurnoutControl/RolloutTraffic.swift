import TurnoutCore
import TurnoutMetrics

/// Where the rollout controller's readings come from and which rollouts it judges: this
/// instance's workers and every rollout for a Turnout alone; the fleet's sum and only the
/// rollouts it leads for an instance of a fleet (`Fleet`).
public protocol RolloutTraffic: Sendable {
    /// The cumulative tallies of `pools`' servers for `split`'s rollout; nil when a worker did not
    /// hand over its part within `timeout` seconds (the look waits for the next tick). Throws
    /// when the reading needs a store that cannot be reached (the rollout holds its step).
    func reading(split: String, pools: Set<String>, timeout: Double) throws(ControlError) -> [TrafficKey: ServerTally]?
    /// Whether this instance judges `split`'s rollout now.
    func judges(split: String) -> Bool
    /// The longest a rollout's evidence goes unsaved, in nanoseconds.
    var checkpointNanoseconds: UInt64 { get }
    /// How many times this instance's own traffic the rollout's traffic is, as far as it can
    /// tell: 1 alone; in a fleet behind a balancer, the number of instances registered. The
    /// baseline's traffic before a start is measured by this instance only and scaled by it.
    var trafficScale: Double { get }
}

/// This instance's workers: a Turnout alone.
public struct LocalTraffic: RolloutTraffic {
    public let server: ProxyServer

    public init(server: ProxyServer) { self.server = server }

    public func reading(split: String, pools: Set<String>, timeout: Double) -> [TrafficKey: ServerTally]? {
        server.trafficTotals(pools: pools, timeout: timeout).map(Self.tallies)
    }

    public func judges(split: String) -> Bool { true }

    /// Every 10 s, and at every step change: a restart loses at most that much evidence.
    public var checkpointNanoseconds: UInt64 { 10_000_000_000 }

    public var trafficScale: Double { 1 }

    /// Workers' totals as the analyzer counts them.
    public static func tallies(_ totals: [TrafficKey: TrafficStats]) -> [TrafficKey: ServerTally] {
        totals.mapValues { ServerTally(requests: $0.requests, errors: RolloutController.failures(in: $0), latency: $0.latency) }
    }
}
