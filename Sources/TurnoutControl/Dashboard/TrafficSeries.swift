import TurnoutMetrics

/// One second of one pool's or server's traffic, as the dashboard draws it: the exact delta
/// between two readings of the totals, reduced to five numbers.
public struct SeriesPoint: Sendable, Equatable {
    /// Requests answered per second (responses of every class).
    public var requestsPerSecond: Double
    /// 5xx answers and failed attempts over requests; 0 without requests.
    public var errorRate: Double
    /// Latency quantiles in milliseconds; nil without a response.
    public var p50Milliseconds: Double?
    public var p99Milliseconds: Double?

    public init(requestsPerSecond: Double, errorRate: Double, p50Milliseconds: Double?, p99Milliseconds: Double?) {
        self.requestsPerSecond = requestsPerSecond
        self.errorRate = errorRate
        self.p50Milliseconds = p50Milliseconds
        self.p99Milliseconds = p99Milliseconds
    }

    /// `delta` is the traffic of `seconds` seconds.
    public init(_ delta: TrafficStats, seconds: Double) {
        let requests = delta.requests
        let failed = delta.responses(inClass: 5) + UpstreamErrorKind.allCases.reduce(0) { $0 + delta.errors($1) }
        func ms(_ q: Double) -> Double? {
            guard delta.latency.count > 0, let value = delta.latency.value(atQuantile: q) else { return nil }
            return (Double(value) / 1e3).rounded() / 1e3
        }
        requestsPerSecond = seconds > 0 ? (Double(requests) / seconds * 10).rounded() / 10 : 0
        errorRate = requests == 0 ? 0 : min(1, (Double(failed) / Double(requests) * 1e4).rounded() / 1e4)
        p50Milliseconds = ms(0.5)
        p99Milliseconds = ms(0.99)
    }
}

/// The last `capacity` one-second summaries per pool and per server, for `GET /stats/series`:
/// small numbers in a bounded ring, not a histogram per second. Pure: `TrafficMonitor` feeds it
/// its once-a-second exact readings of the totals (keyed `pool\0server`), with the wall-clock
/// time for the page and the monotonic time for the interval.
public struct TrafficSeries: Sendable {
    /// One reading's summaries.
    public struct Second: Sendable, Equatable {
        /// Wall-clock time of the reading, seconds since 1970.
        public var time: Double
        public var pools: [String: SeriesPoint]
        /// Keyed by pool, then server address.
        public var servers: [String: [String: SeriesPoint]]
    }

    public let capacity: Int
    private var ring: [Second] = []
    private var next = 0
    private var previous: (totals: [String: TrafficStats], monotonic: Double)?

    public init(capacity: Int = 300) {
        precondition(capacity > 0, "TrafficSeries: capacity must be positive")
        self.capacity = capacity
    }

    /// Adds the second between the previous reading and this one; the first reading only sets
    /// the start. A server with no previous total (new, or its totals restarted lower) counts
    /// from zero.
    public mutating func add(_ totals: [String: TrafficStats], wallTime: Double, monotonic: Double) {
        defer { previous = (totals, monotonic) }
        guard let previous else { return }
        let seconds = monotonic - previous.monotonic
        guard seconds > 0 else { return }
        var second = Second(time: wallTime, pools: [:], servers: [:])
        var poolDeltas: [String: TrafficStats] = [:]
        for (name, stats) in totals {
            let delta: TrafficStats
            if let earlier = previous.totals[name], earlier.requests <= stats.requests,
               earlier.latency.count <= stats.latency.count {
                delta = stats.subtracting(earlier)
            } else {
                delta = stats.snapshot()
            }
            let key = TrafficMonitor.key(named: name)
            second.servers[key.pool, default: [:]][key.server] = SeriesPoint(delta, seconds: seconds)
            if poolDeltas[key.pool] == nil { poolDeltas[key.pool] = delta } else { poolDeltas[key.pool]!.merge(delta) }
        }
        for (pool, delta) in poolDeltas { second.pools[pool] = SeriesPoint(delta, seconds: seconds) }
        if ring.count < capacity { ring.append(second) } else { ring[next] = second }
        next = (next + 1) % capacity
    }

    /// The kept seconds, oldest first.
    public var seconds: [Second] {
        ring.count < capacity ? ring : Array(ring[next...] + ring[..<next])
    }

    /// The document: per pool and per server, one row per kept second, oldest first (a quiet
    /// pool's or server's second is a row of zeros), only those after `sinceMilliseconds` when
    /// given.
    public func document(sinceMilliseconds: Double? = nil) -> SeriesDocument {
        let kept = seconds.filter { sinceMilliseconds == nil || ($0.time * 1000).rounded() > sinceMilliseconds! }
        func row(_ time: Double, _ point: SeriesPoint?) -> SeriesRow {
            SeriesRow(timeMilliseconds: (time * 1000).rounded(),
                      point: point ?? SeriesPoint(requestsPerSecond: 0, errorRate: 0, p50Milliseconds: nil, p99Milliseconds: nil))
        }
        var poolNames = Set<String>()
        var serverNames: [String: Set<String>] = [:]
        for second in kept {
            poolNames.formUnion(second.pools.keys)
            for (pool, servers) in second.servers { serverNames[pool, default: []].formUnion(servers.keys) }
        }
        var pools: [String: PoolSeries] = [:]
        for pool in poolNames {
            var servers: [String: ServerSeries] = [:]
            for server in serverNames[pool] ?? [] {
                servers[server] = ServerSeries(points: kept.map { row($0.time, $0.servers[pool]?[server]) })
            }
            pools[pool] = PoolSeries(points: kept.map { row($0.time, $0.pools[pool]) }, servers: servers)
        }
        return SeriesDocument(intervalSeconds: 1, capacity: capacity, columns: SeriesRow.columns, pools: pools)
    }
}
