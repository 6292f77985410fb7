import Foundation
import TurnoutCore
import TurnoutMetrics

/// `GET /stats`: per pool and server, requests, responses by class, errors by kind, bytes and
/// latency quantiles over the last 10 s, 1 min, 5 min and since start; and the shadow traffic's
/// counts since start when a route mirrors.
extension ControlPlane {
    public func statsDocument(_ monitor: TrafficMonitor) throws(ControlError) -> [String: Any] {
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
        var pools: [String: Any] = [:]
        for (pool, addresses) in servers {
            var poolWindows: [String: Any] = [:]
            var serverDocuments: [String: Any] = [:]
            for (name, window) in windows {
                var merged = TrafficStats()
                for address in addresses {
                    let stats = window.stats[TrafficMonitor.name(of: TrafficKey(pool: pool, server: address))] ?? TrafficStats()
                    merged.merge(stats)
                    var document = serverDocuments[address] as? [String: Any] ?? [
                        "in_flight": gauges[pool]?[address]?.inFlight ?? 0,
                        "windows": [String: Any](),
                    ]
                    var perWindow = document["windows"] as? [String: Any] ?? [:]
                    perWindow[name] = Self.trafficDocument(stats)
                    document["windows"] = perWindow
                    serverDocuments[address] = document
                }
                poolWindows[name] = Self.trafficDocument(merged)
            }
            pools[pool] = ["windows": poolWindows, "servers": serverDocuments]
        }
        let seconds = Dictionary(uniqueKeysWithValues: windows.map { ($0.name, ($0.window.seconds * 10).rounded() / 10) })
        var document: [String: Any] = ["window": "1m", "window_seconds": seconds, "pools": pools]
        // Since start, like the mirror's own counts; shown while a route mirrors or counts remain.
        if mirrorConfigured || !mirror.counts.isEmpty { document["mirror"] = Self.mirrorCountsSection(mirror) }
        return document
    }

    static func trafficDocument(_ stats: TrafficStats) -> [String: Any] {
        let requests = stats.requests
        let failed = stats.responses(inClass: 5) + UpstreamErrorKind.allCases.reduce(0) { $0 + stats.errors($1) }
        var errors: [String: Any] = ["5xx": stats.responses(inClass: 5)]
        for kind in UpstreamErrorKind.allCases { errors[kind.name] = stats.errors(kind) }
        return [
            "requests": requests,
            "responses": Dictionary(uniqueKeysWithValues: (1...5).map { ("\($0)xx", stats.responses(inClass: $0)) }),
            "errors": errors,
            "error_rate": requests == 0 ? 0 : (Double(failed) / Double(requests) * 1e6).rounded() / 1e6,
            "bytes_sent": stats.bytesSent,
            "bytes_received": stats.bytesReceived,
            "latency_ms": quantiles(stats.latency),
            "first_byte_ms": quantiles(stats.firstByte),
        ]
    }

    private static func quantiles(_ histogram: Histogram) -> Any {
        guard histogram.count > 0 else { return NSNull() }
        func ms(_ nanoseconds: UInt64?) -> Double { ((Double(nanoseconds ?? 0) / 1e6) * 1000).rounded() / 1000 }
        return [
            "p50": ms(histogram.value(atQuantile: 0.5)),
            "p90": ms(histogram.value(atQuantile: 0.9)),
            "p99": ms(histogram.value(atQuantile: 0.99)),
            "p99.9": ms(histogram.value(atQuantile: 0.999)),
            "max": ms(histogram.max),
            "mean": ((histogram.mean ?? 0) / 1e3).rounded() / 1e3,
        ]
    }
}
