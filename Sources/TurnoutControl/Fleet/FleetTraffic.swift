import TurnoutCore

/// The fleet's traffic for one rollout as one monotonic reading, from every instance's evidence:
/// the leader's `RolloutController` subtracts two such readings exactly as it subtracts two
/// readings of its own workers.
///
/// An instance's evidence counts from zero when it begins a step (and when it boots). The last
/// reading of every (instance, boot, step) ever seen stays in the sum, so a restarted instance,
/// or one entering a new step, adds its new counts to the old ones instead of being read as
/// negative traffic, and an instance that left keeps the traffic it carried. Pure: no I/O.
public struct FleetTraffic: Sendable, Equatable {
    /// (instance, boot) → the last reading seen from it.
    private var last: [Source: [TrafficKey: ServerTally]] = [:]

    struct Source: Hashable, Sendable {
        var instance: String
        var boot: String
        var step: EvidenceStep
    }

    public init() {}

    /// Takes in an instance's reading; a reading older than one already seen from the same boot
    /// and step (fewer requests) is ignored, so the sum never goes back.
    public mutating func add(instance: String, boot: String, step: EvidenceStep, reading: [TrafficKey: ServerTally]) {
        let source = Source(instance: instance, boot: boot, step: step)
        if let seen = last[source], seen.values.reduce(0, { $0 &+ $1.requests }) > reading.values.reduce(0, { $0 &+ $1.requests }) { return }
        last[source] = reading
    }

    /// The sum over every (instance, boot) seen.
    public var total: [TrafficKey: ServerTally] {
        var sum: [TrafficKey: ServerTally] = [:]
        for reading in last.values {
            for (key, tally) in reading { sum[key, default: ServerTally()].merge(tally) }
        }
        return sum
    }

    /// The instances whose readings are in the sum.
    public var instances: Set<String> { Set(last.keys.map(\.instance)) }
}

extension EvidenceDocument {
    /// The document's tallies keyed as the workers key their traffic.
    public var reading: [TrafficKey: ServerTally] {
        var keyed: [TrafficKey: ServerTally] = [:]
        for (pool, servers) in pools {
            for (server, tally) in servers { keyed[TrafficKey(pool: pool, server: server)] = tally }
        }
        return keyed
    }

    public init(instance: String, boot: String, step: EvidenceStep, time: Double, reading: [TrafficKey: ServerTally]) {
        var pools: [String: [String: ServerTally]] = [:]
        for (key, tally) in reading { pools[key.pool, default: [:]][key.server] = tally }
        self.init(instance: instance, boot: boot, step: step, time: time, pools: pools)
    }
}
