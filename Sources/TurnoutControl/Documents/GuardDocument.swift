import TurnoutRollout

/// `GET /splits/NAME/guard`, and the answer of a guarded switch and its verbs: where the watch
/// stands, the reference it judges against, the new pool's estimates, the lines, the evidence and
/// the reason in words.
public struct GuardDocument: Codable, Sendable, Equatable {
    public var split: String
    public var from: String
    public var to: String
    public var state: GuardPhase
    /// The weights in force.
    public var weights: [String: Int]
    /// The weights a revert restores (those before the switch).
    public var previousWeights: [String: Int]
    public var startedAt: String
    public var watchS: Double
    public var watchEndsAt: String
    @Nullable public var finishedAt: String?
    public var looks: Int
    public var reason: String
    public var reference: Reference
    public var new: Observed
    public var evidence: Evidence

    /// The old pool's traffic before the switch, and its bounds.
    public struct Reference: Codable, Sendable, Equatable {
        public var pool: String
        public var seconds: Double
        public var requests: UInt64
        public var errorRate: Double
        /// The error rate at its upper confidence bound.
        public var errorRateBound: Double
        /// The latency quantile at its upper confidence bound, in milliseconds.
        public var latencyBoundMs: Double

        enum CodingKeys: String, CodingKey {
            case pool, seconds, requests, errorRate = "error_rate", errorRateBound = "error_rate_bound", latencyBoundMs = "latency_bound_ms"
        }
    }

    /// The new pool since the switch, and the lines it must not be shown beyond.
    public struct Observed: Codable, Sendable, Equatable {
        public var pool: String
        public var requests: UInt64
        @Nullable public var errorRate: Double?
        /// Its interval at the analysis's confidence (the fail tests are sequential; this is for reading).
        @Nullable public var errorRateInterval: [Double]?
        /// The error rate the new pool must not be shown above.
        public var errorLine: Double
        public var latencyQuantile: Double
        @Nullable public var latencyMs: Double?
        /// Requests slower than this count against the new pool…
        public var latencyLineMs: Double
        /// …and this is their share, which must not be shown above 1 − the quantile.
        @Nullable public var shareAboveLine: Double?
        @Nullable public var shareAboveLineInterval: [Double]?

        enum CodingKeys: String, CodingKey {
            case pool, requests, errorRate = "error_rate", errorRateInterval = "error_rate_interval", errorLine = "error_line",
                 shareAboveLineInterval = "share_above_line_interval", latencyQuantile = "latency_quantile",
                 latencyMs = "latency_ms", latencyLineMs = "latency_line_ms", shareAboveLine = "share_above_line"
        }
    }

    /// The fail tests' evidence and the threshold either must reach.
    public struct Evidence: Codable, Sendable, Equatable {
        public var errorRate: Double
        public var latency: Double
        public var threshold: Double

        enum CodingKeys: String, CodingKey {
            case errorRate = "error_rate", latency, threshold
        }
    }

    enum CodingKeys: String, CodingKey {
        case split, from, to, state, weights, previousWeights = "previous_weights", startedAt = "started_at", watchS = "watch_s",
             watchEndsAt = "watch_ends_at", finishedAt = "finished_at", looks, reason, reference, new, evidence
    }
}

/// A split's guarded switch in `/status`: enough to say where it stands and to know that
/// `GET /splits/NAME/guard` has the rest.
public struct GuardSummary: Codable, Sendable, Equatable {
    public var state: GuardPhase
    public var from: String
    public var to: String
    public var watchEndsAt: String
    public var reason: String

    enum CodingKeys: String, CodingKey {
        case state, from, to, watchEndsAt = "watch_ends_at", reason
    }
}
