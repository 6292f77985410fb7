import TurnoutMirror

/// The shadow traffic (SPEC §10): `GET /mirror`, and without its mismatches the `mirror` section
/// of `/stats`.
public struct MirrorDocument: Codable, Sendable, Equatable {
    /// Shadow copies in flight, over every worker.
    public var inFlight: Int
    /// Every key's counts summed; its noisy paths too.
    public var totals: MirrorCountsDocument
    /// Per route, primary pool and shadow pool, in that order.
    public var counts: [MirrorKeyCounts]
    /// The last mismatches, newest first; left out in `/stats`.
    public var mismatches: [MismatchDocument]?

    enum CodingKeys: String, CodingKey {
        case inFlight = "in_flight", totals, counts, mismatches
    }
}

/// One key's counts: the key's three names beside the counts' own fields.
public struct MirrorKeyCounts: Codable, Sendable, Equatable {
    /// `routes[2]`: the route's place in the configuration.
    public var route: String
    /// The primary pool, and the shadow pool its requests were copied to.
    public var pool: String
    public var shadow: String
    public var counts: MirrorCountsDocument

    enum CodingKeys: String, CodingKey {
        case route, pool, shadow
    }

    public init(route: String, pool: String, shadow: String, counts: MirrorCountsDocument) {
        self.route = route
        self.pool = pool
        self.shadow = shadow
        self.counts = counts
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        route = try container.decode(String.self, forKey: .route)
        pool = try container.decode(String.self, forKey: .pool)
        shadow = try container.decode(String.self, forKey: .shadow)
        counts = try MirrorCountsDocument(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(route, forKey: .route)
        try container.encode(pool, forKey: .pool)
        try container.encode(shadow, forKey: .shadow)
        try counts.encode(to: encoder)
    }
}

/// The counts of one key (or the totals), since start.
public struct MirrorCountsDocument: Codable, Sendable, Equatable {
    public var mirrored: Int
    public var dropped: Int
    public var tooLarge: Int
    /// Keyed by failure (`connect`, `reset`, `timeout`).
    public var shadowErrors: [String: Int]
    public var compared: Int
    public var matched: Int
    public var statusMismatch: Int
    public var statusClassMismatch: Int
    public var bodyMismatch: Int
    public var notCompared: Int
    public var noise: Int
    /// Paths where the two primaries disagreed, with how often.
    public var noisyPaths: [String: Int]
    public var latencyDifference: LatencyDifferenceDocument

    enum CodingKeys: String, CodingKey {
        case mirrored, dropped, tooLarge = "too_large", shadowErrors = "shadow_errors", compared, matched, statusMismatch = "status_mismatch",
             statusClassMismatch = "status_class_mismatch", bodyMismatch = "body_mismatch", notCompared = "not_compared", noise,
             noisyPaths = "noisy_paths", latencyDifference = "latency_difference_ms"
    }

    /// Shadow copies that failed, of every kind.
    public var shadowErrorCount: Int { shadowErrors.values.reduce(0, +) }
}

/// Shadow minus primary latency in milliseconds (negative when the shadow was faster); the
/// quantiles are null before any comparison.
public struct LatencyDifferenceDocument: Codable, Sendable, Equatable {
    public var count: Int
    @Nullable public var p50: Double?
    @Nullable public var p90: Double?
    @Nullable public var p99: Double?
}

/// One recorded mismatch.
public struct MismatchDocument: Codable, Sendable, Equatable {
    /// RFC 3339 in UTC with milliseconds.
    public var at: String
    public var route: String
    /// The primary's pool, as in the counts.
    public var pool: String
    public var kind: MismatchKind
    public var method: String
    public var path: String
    /// Each answer names the pool that gave it.
    public var primary: AnswerDocument
    public var shadow: AnswerDocument
}

/// One side of a mismatch: the digest as 16 hex digits and the first bytes as safe text, the
/// forms a person compares by eye.
public struct AnswerDocument: Codable, Sendable, Equatable {
    public var pool: String
    public var status: Int
    public var bodyBytes: Int64
    public var digest: String
    /// False when the body was cut at the compare limit.
    public var complete: Bool
    public var prefix: String
    public var latency: Double

    enum CodingKeys: String, CodingKey {
        case pool, status, bodyBytes = "body_bytes", digest, complete, prefix, latency = "latency_ms"
    }
}
