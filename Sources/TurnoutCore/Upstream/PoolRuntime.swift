import TurnoutConfig

/// A pool as one worker balances it. `pick` chooses a server, skipping the snapshot's
/// unavailable servers and those already tried for the current request (a bit per server
/// position, so a retry lands elsewhere when it can), in pools of any size.
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

    /// Whether some server is neither unavailable nor in `tried` (a retry would have somewhere to go).
    func hasServer(excluding tried: ServerSet) -> Bool {
        if servers.count <= 64 {
            let excluded = tried.low | definition.unavailable.low
            return servers.indices.contains { excluded & (1 &<< UInt64(truncatingIfNeeded: $0)) == 0 }
        }
        return servers.indices.contains { !tried.contains($0) && !definition.unavailable.contains($0) }
    }

    /// Chooses a server that is neither unavailable in the snapshot nor in `tried` (the servers
    /// this request has tried), or nil when none is left.
    func pick(excluding tried: ServerSet, random: inout FastRandom) -> Int? {
        // A pool of up to 64 servers (nearly all) tests one word per server, as before pools
        // could grow past 64; a larger one asks both sets, word by word.
        if servers.count <= 64 {
            return pick(WordExclusion(mask: tried.low | definition.unavailable.low), random: &random)
        }
        return pick(SetExclusion(tried: tried, unavailable: definition.unavailable), random: &random)
    }

    private func pick(_ excluded: some ServerExclusion, random: inout FastRandom) -> Int? {
        switch definition.balance {
        case .roundRobin: return smoothWeightedRoundRobin(excluding: excluded)
        case .leastRequest: return powerOfTwoChoices(excluding: excluded, random: &random)
        }
    }

    /// nginx's smooth weighted round robin: every candidate gains its weight, the richest is
    /// chosen and pays the total. Over a cycle each server is picked in proportion to its
    /// weight, and picks of a heavy server are spread out rather than bunched.
    private func smoothWeightedRoundRobin(excluding excluded: some ServerExclusion) -> Int? {
        var best = -1
        var total = 0
        for (i, server) in servers.enumerated() where !excluded.excludes(i) {
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
    private func powerOfTwoChoices(excluding excluded: some ServerExclusion, random: inout FastRandom) -> Int? {
        var total = 0
        for (i, server) in servers.enumerated() where !excluded.excludes(i) {
            total += server.definition.weight
        }
        guard total > 0 else { return nil }
        func draw() -> Int {
            var ticket = random.below(total)
            for (i, server) in servers.enumerated() where !excluded.excludes(i) {
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

/// The servers a pick must skip. The balancers are generic over it so that each kind of pool
/// gets its own specialised loop: a word test for small pools, two sets for large ones.
private protocol ServerExclusion {
    func excludes(_ position: Int) -> Bool
}

/// A pool of at most 64 servers: one bit per server, unavailable and tried together.
private struct WordExclusion: ServerExclusion {
    let mask: UInt64
    @inline(__always) func excludes(_ position: Int) -> Bool { mask & (1 &<< UInt64(truncatingIfNeeded: position)) != 0 }
}

/// A pool of more than 64 servers.
private struct SetExclusion: ServerExclusion {
    let tried: ServerSet
    let unavailable: ServerSet
    @inline(__always) func excludes(_ position: Int) -> Bool { tried.contains(position) || unavailable.contains(position) }
}
