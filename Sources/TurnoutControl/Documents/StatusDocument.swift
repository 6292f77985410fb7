/// `GET /status` (SPEC §6): pools with their servers' state and load, splits with their weights
/// and where those come from, routes with the mirror each is under, and the top-level mirror.
public struct StatusDocument: Codable, Sendable, Equatable {
    public var version: String
    /// Seconds since start, to a tenth.
    public var uptime: Double
    public var workers: Int
    /// The proxy's listening addresses.
    public var listen: [String]
    public var pools: [String: PoolStatus]
    public var splits: [String: SplitStatus]
    /// In the configuration's order.
    public var routes: [RouteDocument]
    /// The top-level mirror block; null without one.
    @Nullable public var mirror: MirrorConfigDocument?
    /// The fleet this instance belongs to (SPEC §16); null for a Turnout alone.
    @Nullable public var fleet: FleetStatusDocument?

    enum CodingKeys: String, CodingKey {
        case version, uptime = "uptime_s", workers, listen, pools, splits, routes, mirror, fleet
    }
}

/// A pool in `/status`.
public struct PoolStatus: Codable, Sendable, Equatable {
    /// The balancing algorithm's configuration name (`round_robin`, …).
    public var balance: String
    /// In the configuration's order.
    public var servers: [ServerStatus]
}

/// A server in `/status`.
public struct ServerStatus: Codable, Sendable, Equatable {
    /// `host:port`, as configured.
    public var address: String
    public var weight: Int
    public var state: ServerState
    /// Requests in flight to it, over every worker.
    public var inFlight: Int
    /// Idle keep-alive connections to it, over every worker.
    public var idleConnections: Int

    enum CodingKeys: String, CodingKey {
        case address, weight, state, inFlight = "in_flight", idleConnections = "idle_connections"
    }
}

/// Whether a server takes new requests, and if not why (SPEC §6). The raw values are the wire
/// names of `/status`, the drain answers and the `state` label of `/metrics`.
public enum ServerState: String, Codable, Sendable, Equatable, CaseIterable {
    case up
    /// Its health checks failed.
    case down
    /// Taken out as an outlier, for a while.
    case ejected
    /// An operator stopped new requests to it.
    case drain
}

/// A split in `/status`.
public struct SplitStatus: Codable, Sendable, Equatable {
    /// The weights in force, every pool of the split named.
    public var weights: [String: Int]
    public var source: WeightsSource
    /// How many earlier weights `rollback` can go back through.
    public var rollbackDepth: Int
    /// The split's rollout, running or finished; null when it never had one.
    @Nullable public var rollout: RolloutSummary?
    /// The split's guarded switch, watching or over; null when it never had one.
    @Nullable public var guarded: GuardSummary?

    enum CodingKeys: String, CodingKey {
        case weights, source, rollbackDepth = "rollback_depth", rollout, guarded = "guard"
    }
}

/// Where a split's weights come from. The raw values are the wire names.
public enum WeightsSource: String, Codable, Sendable, Equatable, CaseIterable {
    /// The configuration file's.
    case config
    /// Set at run time (PUT, switch, rollback, a rollout), kept in the state file.
    case runtime
}

/// `GET`/`PUT /splits/NAME` and the answers of `switch` and `rollback`: the weights in force.
public struct SplitWeightsDocument: Codable, Sendable, Equatable {
    public var split: String
    public var weights: [String: Int]
    public var source: WeightsSource
    /// The split's rollout; left out when it never had one.
    public var rollout: RolloutSummary?
}

/// The answer of `POST /pools/P/servers/ADDR/{drain,enable}`.
public struct ServerActionDocument: Codable, Sendable, Equatable {
    public var pool: String
    public var server: String
    /// `drain` or `up`: what the operator asked for (health checks may still hold it down).
    public var state: ServerState
    /// False when the server already was in that state.
    public var changed: Bool
}

/// The answer of `POST /reload`.
public struct ReloadDocument: Codable, Sendable, Equatable {
    public var reloaded: Bool
    /// What the reload kept and changed, in words.
    public var message: String
}

/// A refusal: every 4xx and 5xx answer (TurnoutAdmin writes it, below this module).
public struct ErrorDocument: Codable, Sendable, Equatable {
    public var error: String
}
