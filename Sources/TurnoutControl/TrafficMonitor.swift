import Foundation
import Synchronization
import TurnoutCore
import TurnoutMetrics
import TurnoutPosix

/// Reads every upstream server's traffic from the workers once a second into a timeline, so
/// `/stats` can answer for the last 10 s, 1 min and 5 min exactly, and since start. The reading
/// runs on its own thread: the workers only copy their cells when asked, between events.
public final class TrafficMonitor: Sendable {
    public let server: ProxyServer
    private let timeline: Mutex<StatsTimeline>
    /// The last 300 one-second summaries for the dashboard (`GET /stats/series`).
    private let series = Mutex(TrafficSeries(capacity: 300))
    private let stopped = Latch()
    private let thread = Mutex<pthread_t?>(nil)

    /// The windows `/stats` reports, by name, in seconds (`nil`: since start).
    public static let windows: [(name: String, seconds: Double?)] = [("10s", 10), ("1m", 60), ("5m", 300), ("since_start", nil)]

    public init(server: ProxyServer) {
        self.server = server
        timeline = Mutex(StatsTimeline(start: Self.now()))
    }

    /// Starts the once-a-second reading.
    public func start() {
        let started = LoopThread.start(name: "turnout-stats") { [self] in
            while !stopped.wait(seconds: 1) { sample() }
        }
        thread.withLock { $0 = started }
    }

    public func stop() {
        guard let running = thread.withLock({ value -> pthread_t? in defer { value = nil }; return value }) else { return }
        stopped.signal()
        LoopThread.join(running)
    }

    /// Takes one reading now (the thread calls it every second; tests may call it directly).
    public func sample() {
        // A reading short of a worker is skipped: the timeline only holds exact readings.
        guard let all = server.trafficTotals() else { return }
        let totals = Self.keyed(all)
        let now = Self.now()
        timeline.withLock { $0.add(totals, at: now) }
        let wall = Date().timeIntervalSince1970
        series.withLock { $0.add(totals, wallTime: wall, monotonic: now) }
    }

    /// The per-second series' JSON document (see `TrafficSeries.document`).
    public func seriesDocument(sinceMilliseconds: Double? = nil) -> SeriesDocument {
        series.withLock { $0.document(sinceMilliseconds: sinceMilliseconds) }
    }

    /// Per window name, the covered seconds and the traffic per server key; nil when a worker
    /// did not hand over its totals in time.
    public func windowedTraffic() -> [(name: String, window: StatsWindow)]? {
        guard let all = server.trafficTotals() else { return nil }
        let current = Self.keyed(all)
        let now = Self.now()
        return timeline.withLock { timeline in
            Self.windows.map { name, seconds in
                (name, seconds.map { timeline.window($0, current: current, now: now) }
                    ?? StatsWindow(seconds: now - timeline.start, stats: current))
            }
        }
    }

    /// The traffic per server key over the last `seconds` (less when turnout started later: the
    /// window says how much); nil when a worker did not hand over its totals in time.
    public func window(seconds: Double) -> StatsWindow? {
        guard let all = server.trafficTotals() else { return nil }
        let current = Self.keyed(all)
        let now = Self.now()
        return timeline.withLock { $0.window(seconds, current: current, now: now) }
    }

    /// Each pool's traffic: its servers' merged.
    public static func poolTotals(_ totals: [TrafficKey: TrafficStats]) -> [String: TrafficStats] {
        var pools: [String: TrafficStats] = [:]
        for (key, stats) in totals {
            if pools[key.pool] == nil { pools[key.pool] = stats.snapshot() } else { pools[key.pool]!.merge(stats) }
        }
        return pools
    }

    static func keyed(_ totals: [TrafficKey: TrafficStats]) -> [String: TrafficStats] {
        Dictionary(uniqueKeysWithValues: totals.map { (name(of: $0.key), $0.value) })
    }

    static func name(of key: TrafficKey) -> String { key.pool + "\u{0}" + key.server }

    static func key(named name: String) -> TrafficKey {
        let parts = name.split(separator: "\u{0}", maxSplits: 1, omittingEmptySubsequences: false)
        return TrafficKey(pool: String(parts[0]), server: parts.count > 1 ? String(parts[1]) : "")
    }

    private static func now() -> Double { Double(monotonicNanoseconds()) / 1e9 }
}
