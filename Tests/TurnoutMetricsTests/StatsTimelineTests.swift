import Testing
import TurnoutMetrics

/// Windows by subtraction: exact against a brute-force recount, bounded memory, fallbacks.
struct StatsTimelineTests {
    /// One recorded attempt of the simulated stream.
    struct Event {
        let time: Double
        let key: String
        let status: Int?            // nil: an error of `kind`
        let kind: UpstreamErrorKind
        let latency: UInt64
        let sent: UInt64

        func record(into stats: inout TrafficStats) {
            if let status {
                stats.recordResponse(status: status, latencyNanoseconds: latency, firstByteNanoseconds: latency / 3)
            } else {
                stats.recordError(kind)
            }
            stats.recordBytes(sent: sent, received: sent &* 7)
        }
    }

    /// Which keys exist at second `s`: "b" appears late, "gone" disappears.
    static func keys(at s: Int) -> [String] {
        var keys = ["blue\u{0}127.0.0.1:9001"]
        if s >= 40 { keys.append("b") }
        if s < 100 { keys.append("gone") }
        return keys
    }

    /// A stream of ~20 attempts a second over `seconds` seconds after `start`, in time order.
    static func stream(start: Double, seconds: Int, _ rng: inout TestRandom) -> [Event] {
        var events: [Event] = []
        for s in 0..<seconds {
            let keys = Self.keys(at: s)
            var times = (0..<Int(rng.next() % 40)).map { _ in start + Double(s) + rng.unit() }
            times.sort()
            for time in times {
                let failed = rng.unit() < 0.08
                events.append(Event(
                    time: time, key: keys[Int(rng.next() % UInt64(keys.count))],
                    status: failed ? nil : [200, 200, 201, 304, 404, 500, 503, 101][Int(rng.next() % 8)],
                    kind: UpstreamErrorKind.allCases[Int(rng.next() % 4)],
                    latency: HistogramTests.sample(Int(rng.next() % 4), &rng),
                    sent: rng.next() % 5_000))
            }
        }
        return events
    }

    /// Expects `got` to be exactly the traffic `want` recorded (extremes aside, which a window
    /// only knows to the bucket), and its quantiles to fall in the oracle's buckets.
    static func expectSame(_ got: TrafficStats, _ want: TrafficStats, _ latencies: [UInt64], _ where: String) {
        #expect(got.responsesByClass == want.responsesByClass, "\(`where`)")
        #expect(got.errors == want.errors, "\(`where`)")
        #expect(got.requests == want.requests, "\(`where`)")
        #expect(got.bytesSent == want.bytesSent && got.bytesReceived == want.bytesReceived, "\(`where`)")
        for (a, b) in [(got.latency, want.latency), (got.firstByte, want.firstByte)] {
            #expect(a.count == b.count && a.sum == b.sum, "\(`where`)")
            #expect(a.clampedBelow == b.clampedBelow && a.clampedAbove == b.clampedAbove, "\(`where`)")
            #expect((0..<HistogramLayout.bucketCount).allSatisfy { a.count(inBucket: $0) == b.count(inBucket: $0) }, "\(`where`)")
        }
        let sorted = latencies.sorted()
        #expect(UInt64(sorted.count) == got.latency.count, "\(`where`)")
        guard !sorted.isEmpty else { return }
        for q in [0.0, 0.5, 0.9, 0.99, 0.999, 1.0] {
            let bucket = HistogramLayout.bucketIndex(of: got.latency.value(atQuantile: q)!)
            #expect(bucket == HistogramLayout.bucketIndex(of: HistogramTests.oracle(sorted, q)), "\(`where`) q=\(q)")
            #expect(bucket == HistogramLayout.bucketIndex(of: want.latency.value(atQuantile: q)!), "\(`where`) q=\(q)")
        }
    }

    @Test func windowsAreExactAgainstABruteForceRecount() {
        let start = 5_000.25
        var rng = TestRandom(seed: 2026)
        let events = Self.stream(start: start, seconds: 700, &rng)
        var timeline = StatsTimeline(start: start)
        var totals: [String: TrafficStats] = [:]
        var sampleTimes: [Double] = [start]
        var next = 0
        let checkpoints: Set<Int> = [3, 9, 11, 30, 65, 101, 200, 299, 305, 420, 611, 699]
        var checked = 0

        /// Records every event before `time` into the running totals.
        func advance(to time: Double) {
            while next < events.count && events[next].time < time {
                events[next].record(into: &totals[events[next].key, default: TrafficStats()])
                next += 1
            }
        }

        for s in 1..<700 {
            // Sample about once a second, with jitter, as a sampler thread would.
            let sampleTime = start + Double(s) + rng.unit() * 0.2
            advance(to: sampleTime)
            timeline.add(totals.mapValues { $0.snapshot() }, at: sampleTime)
            sampleTimes.append(sampleTime)
            guard checkpoints.contains(s) else { continue }

            let now = start + Double(s) + 0.5
            advance(to: now)
            var current = totals.filter { Self.keys(at: s).contains($0.key) }
            current = current.mapValues { $0.snapshot() }
            for seconds in [10.0, 60.0, 300.0] {
                let window = timeline.window(seconds, current: current, now: now)
                let age = now - start
                if age <= seconds {
                    // Younger than the window: everything since start.
                    #expect(window.seconds == age)
                } else {
                    // Covered: at least asked, at most one spacing (plus jitter) more.
                    #expect(window.seconds >= seconds)
                    #expect(window.seconds <= seconds + (seconds <= 12 ? 1.3 : 10.3), "s=\(s) w=\(seconds) covered \(window.seconds)")
                }
                let from = sampleTimes.min { abs((now - $0) - window.seconds) < abs((now - $1) - window.seconds) }!
                #expect(abs((now - from) - window.seconds) < 1e-9)
                #expect(Set(window.stats.keys) == Set(current.keys), "s=\(s) w=\(seconds)")
                for key in current.keys {
                    var want = TrafficStats()
                    var latencies: [UInt64] = []
                    for event in events where event.key == key && event.time >= from && event.time < now {
                        event.record(into: &want)
                        if event.status != nil { latencies.append(event.latency) }
                    }
                    Self.expectSame(window.stats[key]!, want, latencies, "s=\(s) w=\(seconds) key=\(key)")
                    checked += 1
                }
            }
        }
        #expect(checked > 50)
    }

    @Test func storedReadingsStayBounded() {
        var timeline = StatsTimeline(start: 0)
        var rng = TestRandom(seed: 8)
        var totals = ["a": TrafficStats(), "b": TrafficStats(), "c": TrafficStats()]
        var largest = 0
        for s in 1...2_000 {
            for key in ["a", "b"] {
                for _ in 0..<50 {
                    totals[key]!.recordResponse(status: 200, latencyNanoseconds: HistogramTests.sample(2, &rng), firstByteNanoseconds: 1_000_000)
                }
            }
            timeline.add(totals.mapValues { $0.snapshot() }, at: Double(s))
            largest = max(largest, timeline.readingCount)
        }
        // 13 readings a second apart and 32 ten seconds apart, not 300.
        #expect(largest <= 45)
        #expect(timeline.readingCount == 45)
        // Compact: a small fraction of 45 readings × 3 keys × 2 dense histograms of 28 KiB.
        let dense = 45 * 3 * 2 * 8 * HistogramLayout.bucketCount
        #expect(timeline.storedBytes < dense / 10)
        let window = timeline.window(300, current: totals, now: 2_000.5)
        #expect(window.seconds >= 300 && window.seconds <= 310.5)
        #expect(window.stats["a"]!.latency.count == 50 * UInt64(window.seconds.rounded(.down)))
        #expect(window.stats["c"]!.requests == 0)
    }

    @Test func callingTooOftenKeepsTheBound() {
        var timeline = StatsTimeline(start: 0)
        var stats = TrafficStats()
        var largest = 0
        for tick in 1...5_000 {
            stats.recordError(.timeout)
            timeline.add(["k": stats.snapshot()], at: Double(tick) * 0.1)
            largest = max(largest, timeline.readingCount)
        }
        #expect(largest <= 25 + 34)
        let window = timeline.window(10, current: ["k": stats], now: 500)
        #expect(window.seconds >= 10 && window.seconds <= 11)
        #expect(window.stats["k"]!.errors(.timeout) == UInt64((window.seconds * 10).rounded()))
    }

    @Test func fallbacksBeforeEnoughHistory() {
        var stats = TrafficStats()
        stats.recordResponse(status: 200, latencyNanoseconds: 1_000_000, firstByteNanoseconds: 1_000)
        var timeline = StatsTimeline(start: 10)
        #expect(timeline.start == 10)

        // No reading at all: the cumulative value, since start.
        var window = timeline.window(60, current: ["k": stats], now: 100)
        #expect(window.seconds == 90)
        #expect(window.stats["k"] == stats)

        // Sampling began late: nothing old enough, so since the oldest reading.
        timeline.add(["k": stats.snapshot()], at: 100)
        stats.recordError(.connect)
        window = timeline.window(60, current: ["k": stats], now: 130)
        #expect(window.seconds == 30)
        #expect(window.stats["k"]!.requests == 1 && window.stats["k"]!.errors(.connect) == 1)

        // Younger than the window: since start, even though a reading exists.
        window = timeline.window(300, current: ["k": stats], now: 130)
        #expect(window.seconds == 120)
        #expect(window.stats["k"]!.requests == 2)
    }

    @Test func restartedAndMissingKeys() {
        var timeline = StatsTimeline(start: 0)
        var old = TrafficStats()
        for _ in 0..<10 { old.recordResponse(status: 200, latencyNanoseconds: 2_000_000, firstByteNanoseconds: 1_000_000) }
        timeline.add(["r": old.snapshot(), "dropped": old.snapshot()], at: 1)
        // "r" was recreated with fewer counts: counted as new rather than trapping.
        var fresh = TrafficStats()
        fresh.recordResponse(status: 500, latencyNanoseconds: 3_000_000, firstByteNanoseconds: 1_000_000)
        let window = timeline.window(1, current: ["r": fresh, "new": fresh], now: 5)
        #expect(window.seconds == 4)
        #expect(window.stats.count == 2)
        #expect(window.stats["r"] == fresh && window.stats["new"] == fresh)
    }
}
