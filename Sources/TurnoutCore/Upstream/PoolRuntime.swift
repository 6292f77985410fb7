import TurnoutConfig

/// A pool as one worker balances it. `pick` chooses a server, skipping those already tried
/// for the current request (a bit per server index, so a retry lands elsewhere when it can).
public final class PoolRuntime {
    public let definition: PoolDefinition
    public let servers: [ServerRuntime]

    init(definition: PoolDefinition, reusing previous: [ServerRuntime], traffic: TrafficBook) {
        self.definition = definition
        servers = definition.servers.map { server in
            if let kept = previous.first(where: { $0.definition == server && !$0.retired }) { return kept }
            return ServerRuntime(definition: server, traffic: traffic.cell(pool: definition.name, server: server.label))
        }
    }

    /// Chooses a server not in `excluded` (bit i = server i), or nil when none is left.
    /// Whether some server is outside `excluded` (a retry would have somewhere to go).
    func hasServer(excluding excluded: UInt64) -> Bool {
        servers.indices.contains { excluded & (1 << UInt64($0 & 63)) == 0 }
    }

    func pick(excluding excluded: UInt64, random: inout FastRandom) -> Int? {
        switch definition.balance {
        case .roundRobin: return smoothWeightedRoundRobin(excluding: excluded)
        case .leastRequest: return powerOfTwoChoices(excluding: excluded, random: &random)
        }
    }

    /// nginx's smooth weighted round robin: every candidate gains its weight, the richest is
    /// chosen and pays the total. Over a cycle each server is picked in proportion to its
    /// weight, and picks of a heavy server are spread out rather than bunched.
    private func smoothWeightedRoundRobin(excluding excluded: UInt64) -> Int? {
        var best = -1
        var total = 0
        for (i, server) in servers.enumerated() where excluded & (1 << UInt64(i & 63)) == 0 {
            server.currentWeight += server.definition.weight
            total += server.definition.weight
            if best < 0 || server.currentWeight > servers[best].currentWeight { best = i }
        }
        guard best >= 0 else { return nil }
        servers[best].currentWeight -= total
        return best
    }

    /// Power of two choices: two candidates drawn at random (by weight), the one with fewer
    /// requests in flight wins. Nearly as good as scanning all servers, at constant cost.
    private func powerOfTwoChoices(excluding excluded: UInt64, random: inout FastRandom) -> Int? {
        var total = 0
        for (i, server) in servers.enumerated() where excluded & (1 << UInt64(i & 63)) == 0 {
            total += server.definition.weight
        }
        guard total > 0 else { return nil }
        func draw() -> Int {
            var ticket = random.below(total)
            for (i, server) in servers.enumerated() where excluded & (1 << UInt64(i & 63)) == 0 {
                ticket -= server.definition.weight
                if ticket < 0 { return i }
            }
            return servers.count - 1
        }
        let a = draw()
        let b = draw()
        return servers[b].inFlight < servers[a].inFlight ? b : a
    }
}
