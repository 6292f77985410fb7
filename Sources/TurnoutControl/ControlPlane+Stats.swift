import TurnoutCore
import TurnoutMetrics

/// `GET /stats`: per pool and server, requests, responses by class, errors by kind, bytes and
/// latency quantiles over the last 10 s, 1 min, 5 min and since start; and the shadow traffic's
/// counts since start when a route mirrors.
extension ControlPlane {
    public func statsDocument(_ monitor: TrafficMonitor) throws(ControlError) -> StatsDocument {
        guard let windows = monitor.windowedTraffic(), let gauges = server.serverGauges(), let mirror = server.mirrorReport() else {
            throw Self.workerSilent
        }
        let configured = read { state in state.config.pools.map { pool in (pool.name, pool.servers.map(\.address.description)) } }
        // Every configured server, plus servers a reload removed that still have totals.
        var servers: [String: Set<String>] = [:]
        for (pool, addresses) in configured { servers[pool, default: []].formUnion(addresses) }
        for (_, window) in windows {
            for name in window.stats.keys {
                let key = TrafficMonitor.key(named: name)
                servers[key.pool, default: []].insert(key.server)
            }
        }
        var pools: [String: PoolStats] = [:]
        for (pool, addresses) in servers {
            var poolStats = PoolStats(windows: [:], servers: [:])
            for address in addresses {
                poolStats.servers[address] = ServerStats(inFlight: gauges[pool]?[address]?.inFlight ?? 0, windows: [:])
            }
            for (name, window) in windows {
                var merged = TrafficStats()
                for address in addresses {
                    let stats = window.stats[TrafficMonitor.name(of: TrafficKey(pool: pool, server: address))] ?? TrafficStats()
                    merged.merge(stats)
                    poolStats.servers[address]?.windows[name] = TrafficDocument(stats)
                }
                poolStats.windows[name] = TrafficDocument(merged)
            }
            pools[pool] = poolStats
        }
        return StatsDocument(
            window: "1m",
            windowSeconds: Dictionary(uniqueKeysWithValues: windows.map { ($0.name, ($0.window.seconds * 10).rounded() / 10) }),
            pools: pools,
            // Since start, like the mirror's own counts; shown while a route mirrors or counts remain.
            mirror: mirrorConfigured || !mirror.counts.isEmpty ? MirrorDocument(counts: mirror) : nil)
    }
}

extension TrafficDocument {
    init(_ stats: TrafficStats) {
        let requests = stats.requests
        let answered5xx = stats.responses(inClass: 5)
        let failed = answered5xx + UpstreamErrorKind.allCases.reduce(0) { $0 + stats.errors($1) }
        var errors = ["5xx": answered5xx]
        for kind in UpstreamErrorKind.allCases { errors[kind.name] = stats.errors(kind) }
        self.init(requests: requests,
                  responses: Dictionary(uniqueKeysWithValues: (1...5).map { ("\($0)xx", stats.responses(inClass: $0)) }),
                  errors: errors,
                  errorRate: requests == 0 ? 0 : (Double(failed) / Double(requests) * 1e6).rounded() / 1e6,
                  bytesSent: stats.bytesSent, bytesReceived: stats.bytesReceived,
                  latency: LatencyQuantiles(stats.latency), firstByte: LatencyQuantiles(stats.firstByte))
    }
}

extension LatencyQuantiles {
    /// Nil (null in the document) for an empty histogram.
    init?(_ histogram: Histogram) {
        guard histogram.count > 0 else { return nil }
        func ms(_ nanoseconds: UInt64?) -> Double { ((Double(nanoseconds ?? 0) / 1e6) * 1000).rounded() / 1000 }
        self.init(p50: ms(histogram.value(atQuantile: 0.5)), p90: ms(histogram.value(atQuantile: 0.9)),
                  p99: ms(histogram.value(atQuantile: 0.99)), p999: ms(histogram.value(atQuantile: 0.999)),
                  max: ms(histogram.max), mean: ((histogram.mean ?? 0) / 1e3).rounded() / 1e3)
    }
}
