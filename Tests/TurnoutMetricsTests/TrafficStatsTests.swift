import Testing
import TurnoutMetrics

/// Per-server traffic: classes, errors, bytes, merging, exact subtraction and sparse samples.
struct TrafficStatsTests {
    @Test func recordsResponsesByClassAndNoClassForImpossibleStatuses() {
        var stats = TrafficStats()
        for status in [100, 200, 204, 301, 404, 429, 500, 503, 599] {
            stats.recordResponse(status: status, latencyNanoseconds: 2_000_000, firstByteNanoseconds: 1_000_000)
        }
        for status in [0, 99, 600, 999, -200, Int.max, Int.min] {
            stats.recordResponse(status: status, latencyNanoseconds: 5_000_000, firstByteNanoseconds: 1_000_000)
        }
        #expect(stats.responsesByClass == [0, 1, 2, 1, 2, 3])
        #expect((0...6).map { stats.responses(inClass: $0) } == [0, 1, 2, 1, 2, 3, 0])
        // Timings of impossible statuses are kept; they are counted in no class and not in requests.
        #expect(stats.latency.count == 16 && stats.firstByte.count == 16)
        #expect(stats.latency.sum == 9 * 2_000_000 + 7 * 5_000_000)
        #expect(stats.requests == 9)
    }

    @Test func recordsErrorsAndBytes() {
        var stats = TrafficStats()
        for (i, kind) in UpstreamErrorKind.allCases.enumerated() {
            for _ in 0...i { stats.recordError(kind) }
        }
        stats.recordBytes(sent: 100, received: 2_000)
        stats.recordBytes(sent: 5, received: 0)
        #expect(stats.errors == [1, 2, 3, 4])
        #expect(UpstreamErrorKind.allCases.map { stats.errors($0) } == [1, 2, 3, 4])
        #expect(UpstreamErrorKind.allCases.map(\.name) == ["connect", "timeout", "reset", "invalid"])
        #expect(stats.bytesSent == 105 && stats.bytesReceived == 2_000)
        #expect(stats.requests == 10)
        #expect(stats.latency.count == 0)
    }

    /// A reproducible mix of responses, errors and bytes.
    static func record(_ n: Int, into stats: inout TrafficStats, _ rng: inout TestRandom) {
        for _ in 0..<n {
            if rng.unit() < 0.1 {
                stats.recordError(UpstreamErrorKind.allCases[Int(rng.next() % 4)])
            } else {
                let latency = HistogramTests.sample(Int(rng.next() % 4), &rng)
                stats.recordResponse(status: [200, 200, 200, 302, 404, 503][Int(rng.next() % 6)],
                                     latencyNanoseconds: latency, firstByteNanoseconds: latency / 2)
            }
            stats.recordBytes(sent: rng.next() % 1_000, received: rng.next() % 100_000)
        }
    }

    @Test func mergeEqualsRecordingEverythingInOne() {
        var rng = TestRandom(seed: 3)
        var a = TrafficStats(), b = TrafficStats()
        Self.record(3_000, into: &a, &rng)
        Self.record(2_000, into: &b, &rng)
        var rngAll = TestRandom(seed: 3)
        var all = TrafficStats()
        Self.record(5_000, into: &all, &rngAll)
        #expect(a.merging(b) == all)
        var merged = a.snapshot()
        merged.merge(b)
        #expect(merged == all)
        #expect(merged.requests == 5_000)
    }

    @Test func subtractionGivesTheExactWindow() {
        var rng = TestRandom(seed: 4)
        var running = TrafficStats()
        Self.record(4_000, into: &running, &rng)
        let earlier = running.snapshot()
        let state = rng
        Self.record(1_500, into: &running, &rng)
        var replay = state
        var window = TrafficStats()
        Self.record(1_500, into: &window, &replay)

        let difference = running.subtracting(earlier)
        #expect(difference.responsesByClass == window.responsesByClass)
        #expect(difference.errors == window.errors)
        #expect(difference.bytesSent == window.bytesSent && difference.bytesReceived == window.bytesReceived)
        #expect(difference.requests == 1_500)
        for (got, want) in [(difference.latency, window.latency), (difference.firstByte, window.firstByte)] {
            #expect(got.count == want.count && got.sum == want.sum)
            #expect((0..<HistogramLayout.bucketCount).allSatisfy { got.count(inBucket: $0) == want.count(inBucket: $0) })
        }
        // The sparse form subtracts to the same result as the dense one.
        #expect(running.subtracting(earlier.sample()) == difference)
        #expect(running.isLaterReading(of: earlier.sample()))
        #expect(!earlier.isLaterReading(of: running.sample()))
    }

    @Test func sampleRoundTripsAndIsSmall() {
        var rng = TestRandom(seed: 5)
        var stats = TrafficStats()
        Self.record(2_000, into: &stats, &rng)
        let sample = stats.sample()
        #expect(TrafficStats(sample) == stats)
        #expect(TrafficStats(TrafficStats().sample()) == TrafficStats())
        #expect(sample.storedBuckets < 2 * HistogramLayout.bucketCount)
        #expect(sample.latency.count == stats.latency.count && sample.latency.sum == stats.latency.sum)
    }

    @Test func snapshotIsIndependentOfTheOwner() {
        var owner = TrafficStats()
        owner.recordResponse(status: 200, latencyNanoseconds: 1_000_000, firstByteNanoseconds: 500_000)
        let copy = owner.snapshot()
        owner.recordResponse(status: 500, latencyNanoseconds: 3_000_000, firstByteNanoseconds: 500_000)
        owner.recordError(.reset)
        #expect(copy.requests == 1 && copy.latency.count == 1)
        #expect(owner.requests == 3 && owner.latency.count == 2)
    }
}
