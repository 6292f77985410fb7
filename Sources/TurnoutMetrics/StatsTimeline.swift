/// A `TrafficStats` stored sparsely, as the timeline keeps it.
struct TrafficSample: Sendable {
    let classCounts: [UInt64]
    let errorCounts: [UInt64]
    let sent: UInt64
    let received: UInt64
    let latency: HistogramSample
    let firstByte: HistogramSample

    init(_ stats: TrafficStats) {
        classCounts = stats.classCounts
        errorCounts = stats.errorCounts
        sent = stats.sent
        received = stats.received
        latency = HistogramSample(stats.latencyHistogram)
        firstByte = HistogramSample(stats.firstByteHistogram)
    }

    var dense: TrafficStats {
        var stats = TrafficStats()
        stats.classCounts = classCounts
        stats.errorCounts = errorCounts
        stats.sent = sent
        stats.received = received
        stats.latencyHistogram = Histogram(latency)
        stats.firstByteHistogram = Histogram(firstByte)
        return stats
    }
}

/// The traffic of a recent window, exact by subtraction.
public struct StatsWindow: Sendable {
    /// The duration actually covered, in seconds: the age of the reading subtracted, or the
    /// time since start when the process is younger than the window.
    public let seconds: Double
    /// Per key (an opaque name chosen by the caller), the traffic inside the window.
    public let stats: [String: TrafficStats]

    public init(seconds: Double, stats: [String: TrafficStats]) {
        self.seconds = seconds
        self.stats = stats
    }
}

/// Cumulative readings over time, so that "the last 10 s / 1 min / 5 min" is an exact
/// difference of two readings (SPEC §7). Readings are kept at two resolutions — every second
/// for the last dozen seconds, every ten seconds for the last five minutes and a bit — and
/// sparsely, so memory stays bounded: at most 12 + 32 readings per key, each a few hundred
/// bytes for typical latencies.
public struct StatsTimeline: Sendable {
    private struct Reading: Sendable {
        let time: Double
        let totals: [String: TrafficSample]
    }

    /// Monotonic seconds at which counting began.
    public let start: Double
    private var fine: [Reading] = []
    private var coarse: [Reading] = []
    static let fineSpacing = 1.0
    static let fineCount = 12
    static let coarseSpacing = 10.0
    static let coarseCount = 32

    public init(start: Double) { self.start = start }

    /// Stores the cumulative totals read at monotonic time `now` (seconds). Meant to be called
    /// about once a second; calls closer together than the spacing keep only the first.
    public mutating func add(_ totals: [String: TrafficStats], at now: Double) {
        let wantsFine = fine.last.map { now - $0.time >= Self.fineSpacing * 0.9 } ?? true
        let wantsCoarse = coarse.last.map { now - $0.time >= Self.coarseSpacing * 0.99 } ?? true
        guard wantsFine || wantsCoarse else { return }
        let reading = Reading(time: now, totals: totals.mapValues(TrafficSample.init))
        if wantsFine {
            fine.append(reading)
            if fine.count > Self.fineCount { fine.removeFirst(fine.count - Self.fineCount) }
        }
        if wantsCoarse {
            coarse.append(reading)
            if coarse.count > Self.coarseCount { coarse.removeFirst(coarse.count - Self.coarseCount) }
        }
    }

    /// Readings held (both resolutions), for tests of the memory bound.
    public var readingCount: Int { fine.count + coarse.count }

    /// The traffic of the last `seconds`: `current` minus the youngest reading at least that
    /// old. While the process is younger than the window, everything since start; when no
    /// reading is old enough (they were not taken), since the oldest one, and `seconds` says so.
    public func window(_ seconds: Double, current: [String: TrafficStats], now: Double) -> StatsWindow {
        if now - start <= seconds {
            return StatsWindow(seconds: now - start, stats: current)
        }
        let candidates = (fine + coarse).filter { now - $0.time >= seconds }
        let base = candidates.max { $0.time < $1.time } ?? (fine + coarse).min { $0.time < $1.time }
        guard let base else { return StatsWindow(seconds: now - start, stats: current) }
        var stats: [String: TrafficStats] = [:]
        for (key, total) in current {
            // A key that appeared after the reading had nothing then.
            stats[key] = base.totals[key].map { total.subtracting($0.dense) } ?? total
        }
        return StatsWindow(seconds: now - base.time, stats: stats)
    }
}
