/// `GET /stats/series` (SPEC §12), what the dashboard draws: per pool and per server, one row per
/// second, oldest first. Written compact: a few hundred rows per pool and server.
public struct SeriesDocument: Codable, Sendable, Equatable {
    /// Seconds between rows.
    public var intervalSeconds: Int
    /// Rows kept at most.
    public var capacity: Int
    /// What each row holds, in order: `SeriesRow.columns`.
    public var columns: [String]
    public var pools: [String: PoolSeries]

    enum CodingKeys: String, CodingKey {
        case intervalSeconds = "interval_s", capacity, columns, pools
    }
}

/// A pool's rows (its servers' merged) and each server's, keyed by address.
public struct PoolSeries: Codable, Sendable, Equatable {
    public var points: [SeriesRow]
    public var servers: [String: ServerSeries]
}

/// A server's rows.
public struct ServerSeries: Codable, Sendable, Equatable {
    public var points: [SeriesRow]
}

/// One second as an array, `[time_ms, requests_per_s, error_rate, p50_ms, p99_ms]`: the
/// quantiles are null without a response.
public struct SeriesRow: Codable, Sendable, Equatable {
    /// The names of the row's places, in order (the document's `columns`).
    public static let columns = ["time_ms", "requests_per_s", "error_rate", "p50_ms", "p99_ms"]

    /// Milliseconds since 1970, whole.
    public var timeMilliseconds: Double
    public var point: SeriesPoint

    public init(timeMilliseconds: Double, point: SeriesPoint) {
        self.timeMilliseconds = timeMilliseconds
        self.point = point
    }

    public init(from decoder: any Decoder) throws {
        var row = try decoder.unkeyedContainer()
        timeMilliseconds = try row.decode(Double.self)
        let requests = try row.decode(Double.self), errorRate = try row.decode(Double.self)
        let p50 = try row.decodeNil() ? nil : try row.decode(Double.self)
        let p99 = try row.decodeNil() ? nil : try row.decode(Double.self)
        point = SeriesPoint(requestsPerSecond: requests, errorRate: errorRate, p50Milliseconds: p50, p99Milliseconds: p99)
    }

    public func encode(to encoder: any Encoder) throws {
        var row = encoder.unkeyedContainer()
        try row.encode(timeMilliseconds)
        try row.encode(point.requestsPerSecond)
        try row.encode(point.errorRate)
        for quantile in [point.p50Milliseconds, point.p99Milliseconds] {
            if let quantile { try row.encode(quantile) } else { try row.encodeNil() }
        }
    }
}
