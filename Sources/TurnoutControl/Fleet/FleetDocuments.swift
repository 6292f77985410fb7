import TurnoutMetrics

/// An instance's registration under `instances/<name>`, kept alive by its lease: what `/status`,
/// `ctl status` and the dashboard list as the fleet.
public struct FleetMemberDocument: Codable, Sendable, Equatable {
    public var instance: String
    /// The client listen addresses.
    public var listen: [String]
    /// The admin API's TCP address; null without one.
    @Nullable public var admin: String?
    public var version: String
    /// Seconds since the Unix epoch.
    public var started: Double
    /// Changes with every start, so a restarted instance's counts are not read as its old ones.
    public var boot: String
    /// The last state revision this instance applied.
    public var revision: Int64

    enum CodingKeys: String, CodingKey {
        case instance, listen, admin, version, started, boot, revision
    }
}

/// The claim on a split's rollout under `leaders/<split>`, held with the leader's lease.
public struct LeaderClaim: Codable, Sendable, Equatable {
    public var instance: String
    public var boot: String
}

/// One server's traffic as the analyzer counts it: requests, failures (5xx answers and upstream
/// errors) and latency. Cumulative since the instance's boot when published.
public struct ServerTally: Codable, Sendable, Equatable {
    public var requests: UInt64
    public var errors: UInt64
    public var latency: Histogram

    public init(requests: UInt64 = 0, errors: UInt64 = 0, latency: Histogram = Histogram()) {
        self.requests = requests
        self.errors = errors
        self.latency = latency
    }

    public mutating func merge(_ other: ServerTally) {
        requests &+= other.requests
        errors &+= other.errors
        latency.merge(other.latency)
    }

    /// What was added since `earlier` (a reading of the same counters).
    public func subtracting(_ earlier: ServerTally) -> ServerTally {
        ServerTally(requests: requests &- earlier.requests, errors: errors &- earlier.errors, latency: latency.subtracting(earlier.latency))
    }
}

/// The step of a rollout that evidence is about: the rollout (its start) and the canary's weight.
/// Traffic is counted per step, from when each instance routes by it.
public struct EvidenceStep: Codable, Sendable, Equatable, Hashable {
    /// The rollout's start, seconds since the Unix epoch.
    public var rollout: Double
    /// The canary's percent in the step.
    public var canaryWeight: Int

    public init(rollout: Double, canaryWeight: Int) {
        self.rollout = rollout
        self.canaryWeight = canaryWeight
    }

    enum CodingKeys: String, CodingKey {
        case rollout, canaryWeight = "canary_weight"
    }
}

/// An instance's evidence for one rollout under `evidence/<split>/<instance>`: the tallies of the
/// rollout's pools' servers since the instance began routing by the rollout's current step.
/// Counting from the step, not from the instance's boot, keeps what it served before the step
/// (another rollout, the traffic before a start) out of the step's judgement.
public struct EvidenceDocument: Codable, Sendable, Equatable {
    public var instance: String
    public var boot: String
    public var step: EvidenceStep
    /// Seconds since the Unix epoch when the reading was taken.
    public var time: Double
    /// Pool → server → tally.
    public var pools: [String: [String: ServerTally]]
}
