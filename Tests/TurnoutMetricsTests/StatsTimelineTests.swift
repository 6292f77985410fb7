import Testing
import TurnoutMetrics

/// Windows of 10 s, 1 min and 5 min are exact differences of readings, memory stays bounded.
struct StatsTimelineTests {
    /// One simulated second of traffic: a few responses whose latency encodes the second, so a
    /// window's quantiles say exactly which seconds it covers.
    static func traffic(second: Int) -> [(status: Int, latency: UInt64)] {
        (0..<(1 + second % 4)).map { i in (second % 7 == 0 ? 500 : 200, UInt64(1_000_000 + second * 10_000 + i)) }
    }

    @Test func windowsEqualARecountOfExactlyTheSecondsTheyCover() {
        var timeline = StatsTimeline(start: 0)
        var cumulative = TrafficStats()
        let runSeconds = 2_000
        for second in 1...runSeconds {
            for (status, latency) in Self.traffic(second: second) {
                cumulative.recordResponse(status: status, latencyNanoseconds: latency, firstByteNanoseconds: latency / 2)
            }
            if second % 13 == 0 { cumulative.recordError(.connect) }
            // Readings at the end of each second (a little jitter, as a real sampler has).
            timeline.add(["k": cumulative.snapshot()], at: Double(second) + 0.001 * Double(second % 3))
            if second == 5 || second == 1_000 || second == runSeconds {
                let now = Double(second) + 0.5
                for windowSeconds in [10.0, 60.0, 300.0] {
                    let window = timeline.window(windowSeconds, current: ["k": cumulative], now: now)
                    // The covered seconds: those whose reading came after the base reading.
                    let firstCovered = Int((now - window.seconds).rounded(.down)) + 1
                    var recount = TrafficStats()
                    for s in max(1, firstCovered)...second {
                        for (status, latency) in Self.traffic(second: s) {
                            recount.recordResponse(status: status, latencyNanoseconds: latency, firstByteNanoseconds: latency / 2)
                        }
                        if s % 13 == 0 { recount.recordError(.connect) }
                    }
                    let stats = window.stats["k"]!
                    #expect(stats.requests == recount.requests, "window \(windowSeconds) at \(second)")
                    #expect(stats.responsesByClass == recount.responsesByClass)
                    #expect(stats.errors == recount.errors)
                    // Same bucket counts; quantiles agree to the bucket (a subtracted window
                    // keeps bucket-precise rather than exact extremes).
                    for i in 0..<HistogramLayout.bucketCount { #expect(stats.latency.count(inBucket: i) == recount.latency.count(inBucket: i)) }
                    #expect(HistogramLayout.bucketIndex(of: stats.latency.value(atQuantile: 0.5)!)
                            == HistogramLayout.bucketIndex(of: recount.latency.value(atQuantile: 0.5)!))
                    #expect(stats.latency.sum == recount.latency.sum)
                    if second < Int(windowSeconds) {
                        #expect(window.seconds == now, "younger than the window: since start")
                    } else {
                        // Never shorter than asked, and at most one reading interval longer.
                        #expect(window.seconds >= windowSeconds)
                        #expect(window.seconds <= windowSeconds + (windowSeconds <= 10 ? 1.1 : 10.1))
                    }
                }
            }
        }
        #expect(timeline.readingCount <= 12 + 32, "bounded: \(timeline.readingCount) readings after \(runSeconds) s")
    }

    @Test func keysAppearingLaterCountFromZero() {
        var timeline = StatsTimeline(start: 0)
        var old = TrafficStats()
        old.recordResponse(status: 200, latencyNanoseconds: 1_000_000, firstByteNanoseconds: 1_000)
        for second in 1...100 { timeline.add(["old": old.snapshot()], at: Double(second)) }
        var new = TrafficStats()
        new.recordResponse(status: 200, latencyNanoseconds: 2_000_000, firstByteNanoseconds: 1_000)
        let window = timeline.window(10, current: ["old": old, "new": new], now: 100.5)
        #expect(window.stats["new"]?.requests == 1)
        #expect(window.stats["old"]?.requests == 0)
    }

    @Test func sparseSampleRestoresTheHistogram() {
        var rng = TestRandom(seed: 3)
        var histogram = Histogram()
        for _ in 0..<10_000 { histogram.record(1_000 + rng.next() % 10_000_000_000) }
        histogram.record(5)
        histogram.record(200_000_000_000)
        let sample = HistogramSample(histogram)
        #expect(Histogram(sample) == histogram)
        #expect(sample.storedBuckets < HistogramLayout.bucketCount)
    }
}
