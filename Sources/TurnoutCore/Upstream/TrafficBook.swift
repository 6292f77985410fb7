import TurnoutMetrics

/// One upstream server's traffic as one worker records it. A class so that the server's
/// runtime and the worker's book point at the same storage and recording mutates it in place.
final class TrafficCell {
    var stats = TrafficStats()
}

/// A worker's traffic cells, one per pool and server address. Cells outlive reloads: a server
/// whose weight changed (a new `ServerRuntime`) keeps counting in the same cell, and a removed
/// server's totals stay, so counters never go backwards.
final class TrafficBook {
    private var cells: [TrafficKey: TrafficCell] = [:]

    func cell(pool: String, server: String) -> TrafficCell {
        let key = TrafficKey(pool: pool, server: server)
        if let cell = cells[key] { return cell }
        let cell = TrafficCell()
        cells[key] = cell
        return cell
    }

    /// Deep copies of every cell (or of those of `pools`), made on the owning worker's thread.
    func snapshot(pools: Set<String>? = nil) -> [TrafficKey: TrafficStats] {
        var copies: [TrafficKey: TrafficStats] = [:]
        for (key, cell) in cells where pools?.contains(key.pool) ?? true { copies[key] = cell.stats.snapshot() }
        return copies
    }
}

/// Names one upstream server's traffic: its pool and its address label.
public struct TrafficKey: Hashable, Sendable, Comparable {
    public let pool: String
    public let server: String

    public init(pool: String, server: String) {
        self.pool = pool
        self.server = server
    }

    public static func < (a: TrafficKey, b: TrafficKey) -> Bool { (a.pool, a.server) < (b.pool, b.server) }
}
