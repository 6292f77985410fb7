import TurnoutConfig

/// What the proxy has observed about its servers, as opposed to what operators decided
/// (`RuntimeState`): servers whose health checks failed and servers ejected as outliers. Not
/// written to the state file: after a restart the checks observe afresh.
struct ServerHealth: Sendable, Equatable {
    /// One ejection in force.
    struct Ejection: Sendable, Equatable {
        /// Monotonic nanoseconds at which the server returns.
        var until: UInt64
        /// How long this ejection lasts, for the history.
        var milliseconds: Int
    }

    /// Server labels down by their health checks, per pool.
    var down: [String: Set<String>] = [:]
    /// Ejected servers per pool.
    var ejected: [String: [String: Ejection]] = [:]
    /// Ejections so far per pool and server: each repeat doubles the time out.
    var ejections: [String: [String: Int]] = [:]
    /// When a "last server up, not ejected" notice was last given per "pool/server": at most one
    /// per `eject_ms`, so a pool whose only server fails does not flood the log.
    var lastKeptNotice: [String: UInt64] = [:]

    /// Ejection time doubles per repeat up to this many times the first.
    static let maxEjectionMultiplier = 16

    /// Servers that take no new requests: drained by an operator, down, or ejected.
    func unavailable(drained: [String: Set<String>]) -> [String: Set<String>] {
        var result = drained
        for (pool, servers) in down { result[pool, default: []].formUnion(servers) }
        for (pool, servers) in ejected { result[pool, default: []].formUnion(servers.keys) }
        return result
    }

    /// The state `/status` shows (SPEC §6): an operator's drain first, then what was observed.
    func serverState(pool: String, server: String, drained: [String: Set<String>]) -> ServerState {
        if drained[pool]?.contains(server) == true { return .drain }
        if down[pool]?.contains(server) == true { return .down }
        if ejected[pool]?[server] != nil { return .ejected }
        return .up
    }

    /// The same by its wire name.
    func state(pool: String, server: String, drained: [String: Set<String>]) -> String {
        serverState(pool: pool, server: server, drained: drained).rawValue
    }

    /// Every configured server's state, per pool and label.
    func allStates(pools: [PoolConfig], drained: [String: Set<String>]) -> [String: [String: ServerState]] {
        Dictionary(uniqueKeysWithValues: pools.map { pool in
            (pool.name, Dictionary(uniqueKeysWithValues: pool.servers.map { server in
                (server.address.description, serverState(pool: pool.name, server: server.address.description, drained: drained))
            }))
        })
    }

    /// Drops what concerns servers no longer configured.
    mutating func keep(only servers: [String: Set<String>]) {
        down = Dictionary(uniqueKeysWithValues: down.compactMap { pool, set -> (String, Set<String>)? in
            let still = set.intersection(servers[pool] ?? [])
            return still.isEmpty ? nil : (pool, still)
        })
        ejected = Dictionary(uniqueKeysWithValues: ejected.compactMap { pool, entries -> (String, [String: Ejection])? in
            let still = entries.filter { servers[pool]?.contains($0.key) == true }
            return still.isEmpty ? nil : (pool, still)
        })
        ejections = ejections.filter { servers[$0.key] != nil }
    }
}
