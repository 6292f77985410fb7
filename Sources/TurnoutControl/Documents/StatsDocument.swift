import TurnoutMetrics

/// `GET /stats` (SPEC §6): per pool and server, the traffic over each window of
/// `TrafficMonitor.windows`, keyed by the window's name; and the shadow traffic's counts since
/// start while a route mirrors.
public struct StatsDocument: Codable, Sendable, Equatable {
    /// The window a reader shows first (`ctl stats` does).
    public var window: String
    /// Seconds each window covers, to a tenth (shorter than its name right after start).
    public var windowSeconds: [String: Double]
    public var pools: [String: PoolStats]
    /// `GET /mirror` without its mismatches; left out while no route mirrors and no counts
    /// remain.
    public var mirror: MirrorDocument?

    enum CodingKeys: String, CodingKey {
        case window, windowSeconds = "window_seconds", pools, mirror
    }
}

/// A pool's traffic per window (its servers' merged), and each server's.
public struct PoolStats: Codable, Sendable, Equatable {
    public var windows: [String: TrafficDocument]
    /// Keyed by address: every configured server, and servers a reload removed that still have
    /// totals.
    public var servers: [String: ServerStats]
}

/// A server's requests in flight and its traffic per window.
public struct ServerStats: Codable, Sendable, Equatable {
    public var inFlight: Int
    public var windows: [String: TrafficDocument]

    enum CodingKeys: String, CodingKey {
        case inFlight = "in_flight", windows
    }
}

/// The traffic of one window.
public struct TrafficDocument: Codable, Sendable, Equatable {
    public var requests: UInt64
    /// Keyed `1xx` … `5xx`.
    public var responses: [String: UInt64]
    /// `5xx` answers and each failed attempt's kind (`connect`, `timeout`, `reset`, `invalid`).
    public var errors: [String: UInt64]
    /// Failed requests over requests, to a millionth; 0 without requests.
    public var errorRate: Double
    public var bytesSent: UInt64
    public var bytesReceived: UInt64
    /// Null without a response in the window.
    @Nullable public var latency: LatencyQuantiles?
    @Nullable public var firstByte: LatencyQuantiles?

    enum CodingKeys: String, CodingKey {
        case requests, responses, errors, errorRate = "error_rate", bytesSent = "bytes_sent", bytesReceived = "bytes_received",
             latency = "latency_ms", firstByte = "first_byte_ms"
    }

    /// Failed attempts of every kind (the 5xx answers are not among them).
    public var failedAttempts: UInt64 {
        UpstreamErrorKind.allCases.reduce(0) { $0 + (errors[$1.name] ?? 0) }
    }
}

/// Quantiles, the maximum and the mean, in milliseconds to a microsecond.
public struct LatencyQuantiles: Codable, Sendable, Equatable {
    public var p50: Double
    public var p90: Double
    public var p99: Double
    public var p999: Double
    public var max: Double
    public var mean: Double

    enum CodingKeys: String, CodingKey {
        case p50, p90, p99, p999 = "p99.9", max, mean
    }
}
