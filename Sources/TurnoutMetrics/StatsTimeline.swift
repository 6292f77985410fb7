/// Cumulative traffic readings over time, so that "the last 10 s / 1 min / 5 min" is an exact
/// difference of two readings (SPEC §7): a window is the current totals minus the youngest
/// stored reading taken at least that long ago, and `StatsWindow.seconds` says how long ago it
/// really was. Nothing is interpolated, so counts, sums and every histogram bucket of a window
/// are exactly the traffic recorded between that reading and now.
///
/// Memory: readings are kept at two resolutions — about one per second covering the last 12 s,
/// and about one per 10 s covering the last 310 s — so a window of 10 s covers 10–11 s and one of
/// 1 or 5 min covers up to 10 s more than asked, when the caller samples every second. That is
/// at most 13 + 32 readings instead of 300 (and at most 25 + 34 however often `add` is called,
/// because readings closer than half the spacing are skipped). Each reading stores every key's
/// totals compactly (`TrafficStatsSample`: only non-empty histogram buckets, counts packed in
/// as few bytes as they need; about 5 KiB per server instead of 56 KiB), and a key whose
/// totals did not change since the previous reading shares that reading's storage, so idle
/// servers cost nothing more; one reading stored at both resolutions is stored once too.
///
/// Fallbacks, when the history is shorter than the window:
/// - the process is younger than the window (now − seconds ≤ start): everything since start,
///   the cumulative value itself, covering now − start (exact: totals were zero at start);
/// - otherwise, with readings but none old enough (the window is longer than 310 s, or sampling
///   began late): since the oldest reading, covering its age, which is less than asked;
/// - no reading at all: everything since start, covering now − start.
///
/// Keys are opaque. A key absent from a reading counts as zero in it (the server appeared
/// later); a key absent from `current` is left out of the window. A key whose totals went
/// backwards since the reading (its counters were recreated) counts as new since the reading.
public struct StatsTimeline: Sendable {
    /// The totals of every key at one moment.
    struct Reading: Sendable {
        /// Monotonic seconds when the totals were read.
        let time: Double
        /// Per key, its cumulative totals.
        let totals: [String: TrafficStatsSample]
    }

    /// Monotonic seconds at which counting began: the time of the all-zero reading.
    public let start: Double
    /// Readings about `recentSpacing` apart, covering at least the last `recentSpan`.
    private(set) var recent: [Reading] = []
    /// Readings about `olderSpacing` apart, covering at least the last `olderSpan`.
    private(set) var older: [Reading] = []

    /// Spacing of the fine resolution, which serves the 10-second window.
    static let recentSpacing = 1.0
    /// Coverage of the fine resolution: a little over 10 s, so a window asked for up to a
    /// second after the last `add` still finds a reading old enough.
    static let recentSpan = 12.0
    /// Spacing of the coarse resolution, which serves the 1- and 5-minute windows.
    static let olderSpacing = 10.0
    /// Coverage of the coarse resolution: 5 min plus one spacing.
    static let olderSpan = 310.0

    /// An empty timeline for a process whose totals were zero at monotonic time `start` (seconds).
    public init(start: Double) { self.start = start }

    /// Stores the cumulative totals read at monotonic time `now` (seconds). Meant to be called
    /// about once a second: a reading closer than half a spacing to the previous one of a
    /// resolution is not stored in it, and a reading older than the newest stored is ignored.
    /// Costs one pass over each key's histograms.
    public mutating func add(_ totals: [String: TrafficStats], at now: Double) {
        let previous = newest
        if let previous, now < previous.time { return }
        let wantsRecent = recent.last.map { now - $0.time >= Self.recentSpacing / 2 } ?? true
        let wantsOlder = older.last.map { now - $0.time >= Self.olderSpacing - Self.recentSpacing / 2 } ?? true
        guard wantsRecent || wantsOlder else { return }
        var samples: [String: TrafficStatsSample] = [:]
        samples.reserveCapacity(totals.count)
        for (key, stats) in totals {
            let sample = TrafficStatsSample(stats)
            // Reuse the previous reading's arrays when nothing changed: an idle key stays one copy.
            if let before = previous?.totals[key], before == sample {
                samples[key] = before
            } else {
                samples[key] = sample
            }
        }
        let reading = Reading(time: now, totals: samples)
        if wantsRecent {
            recent.append(reading)
            Self.prune(&recent, keeping: Self.recentSpan, now: now)
        }
        if wantsOlder {
            older.append(reading)
            Self.prune(&older, keeping: Self.olderSpan, now: now)
        }
    }

    /// The traffic of the last `seconds`: `current` (the cumulative totals at `now`) minus the
    /// youngest reading taken at or before `now − seconds`, with the fallbacks listed above.
    public func window(_ seconds: Double, current: [String: TrafficStats], now: Double) -> StatsWindow {
        let target = now - seconds
        let base: Reading?
        if let reading = youngestReading(atOrBefore: target) {
            base = reading
        } else if target <= start {
            base = nil
        } else {
            base = oldest
        }
        guard let base else { return StatsWindow(seconds: Swift.max(0, now - start), stats: current) }
        var stats: [String: TrafficStats] = [:]
        stats.reserveCapacity(current.count)
        for (key, totals) in current {
            if let earlier = base.totals[key], totals.isLaterReading(of: earlier) {
                stats[key] = totals.subtracting(earlier)
            } else {
                // Absent from the reading, or restarted since: all of it is inside the window.
                stats[key] = totals
            }
        }
        return StatsWindow(seconds: Swift.max(0, now - base.time), stats: stats)
    }

    /// Readings held at both resolutions (a reading held at both counts twice), for tests and
    /// memory accounting.
    public var readingCount: Int { recent.count + older.count }

    /// Bytes of counters and bucket data held, counting storage shared between readings (an
    /// unchanged key) once per reading: an upper bound on what the samples allocate.
    public var storedBytes: Int {
        var seen: Set<Double> = []
        var bytes = 0
        for reading in recent + older where seen.insert(reading.time).inserted {
            for sample in reading.totals.values { bytes += sample.storedBytes }
        }
        return bytes
    }

    /// The most recent reading of either resolution.
    private var newest: Reading? {
        switch (recent.last, older.last) {
        case let (a?, b?): return a.time >= b.time ? a : b
        case let (a, b): return a ?? b
        }
    }

    /// The earliest reading of either resolution.
    private var oldest: Reading? {
        switch (recent.first, older.first) {
        case let (a?, b?): return a.time <= b.time ? a : b
        case let (a, b): return a ?? b
        }
    }

    /// The youngest reading taken at or before `time`, of either resolution.
    private func youngestReading(atOrBefore time: Double) -> Reading? {
        let a = recent.last(where: { $0.time <= time })
        let b = older.last(where: { $0.time <= time })
        switch (a, b) {
        case let (a?, b?): return a.time >= b.time ? a : b
        default: return a ?? b
        }
    }

    /// Drops readings that no window needs: all but the youngest of those at least `span` old,
    /// so a reading at or before `now − span` always remains once there is one.
    private static func prune(_ readings: inout [Reading], keeping span: Double, now: Double) {
        var drop = 0
        while drop + 1 < readings.count && readings[drop + 1].time <= now - span { drop += 1 }
        if drop > 0 { readings.removeFirst(drop) }
    }
}
