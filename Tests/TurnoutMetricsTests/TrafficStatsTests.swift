import Testing
import TurnoutMetrics

/// Recording, merging and exact subtraction of per-server traffic.
struct TrafficStatsTests {
    @Test func recordsClassesErrorsBytesAndBothHistograms() {
        var stats = TrafficStats()
        stats.recordResponse(status: 200, latencyNanoseconds: 2_000_000, firstByteNanoseconds: 1_000_000)
        stats.recordResponse(status: 503, latencyNanoseconds: 4_000_000, firstByteNanoseconds: 3_000_000)
        stats.recordResponse(status: 101, latencyNanoseconds: 10_000, firstByteNanoseconds: 10_000)
        stats.recordResponse(status: 999, latencyNanoseconds: 10_000, firstByteNanoseconds: 10_000)
        stats.recordError(.connect)
        stats.recordError(.timeout)
        stats.recordError(.timeout)
        stats.recordBytes(sent: 100, received: 2_000)
        #expect(stats.responses(inClass: 2) == 1)
        #expect(stats.responses(inClass: 5) == 1)
        #expect(stats.responses(inClass: 1) == 1)
        #expect(stats.errors(.timeout) == 2)
        #expect(stats.errors(.reset) == 0)
        #expect(stats.requests == 6, "a status outside 1xx–5xx counts in no class")
        #expect(stats.bytesSent == 100 && stats.bytesReceived == 2_000)
        #expect(stats.latency.count == 4)
        #expect(stats.firstByte.max == 3_000_000)
    }

    @Test func mergeThenSubtractGivesTheWindowExactly() {
        var rng = TestRandom(seed: 7)
        var loopA = TrafficStats(), loopB = TrafficStats(), windowOnly = TrafficStats()
        func record(_ stats: inout TrafficStats, _ rng: inout TestRandom) -> (Int, UInt64) {
            let status = [200, 200, 200, 404, 502][Int(rng.next() % 5)]
            let latency = 1_000 + rng.next() % 50_000_000
            stats.recordResponse(status: status, latencyNanoseconds: latency, firstByteNanoseconds: latency / 2)
            if rng.next() % 10 == 0 { stats.recordError(.reset) }
            stats.recordBytes(sent: 10, received: 20)
            return (status, latency)
        }
        for _ in 0..<5_000 { _ = record(&loopA, &rng); _ = record(&loopB, &rng) }
        let before = loopA.snapshot().merging(loopB.snapshot())
        var rngCopy = rng
        for _ in 0..<3_000 { _ = record(&loopA, &rng); _ = record(&loopB, &rng) }
        // The same stream again, into a fresh cell: what the window must equal.
        for _ in 0..<3_000 { _ = record(&windowOnly, &rngCopy); _ = record(&windowOnly, &rngCopy) }
        let window = loopA.snapshot().merging(loopB.snapshot()).subtracting(before)
        #expect(window.requests == windowOnly.requests)
        #expect(window.responsesByClass == windowOnly.responsesByClass)
        #expect(window.errors == windowOnly.errors)
        #expect(window.bytesSent == windowOnly.bytesSent)
        for q in [0.5, 0.9, 0.99, 0.999] {
            #expect(window.latency.value(atQuantile: q) == windowOnly.latency.value(atQuantile: q))
            #expect(window.firstByte.value(atQuantile: q) == windowOnly.firstByte.value(atQuantile: q))
        }
        #expect(window.latency.sum == windowOnly.latency.sum)
    }

    @Test func snapshotIsIndependentOfTheOwner() {
        var stats = TrafficStats()
        stats.recordResponse(status: 200, latencyNanoseconds: 5_000, firstByteNanoseconds: 5_000)
        let copy = stats.snapshot()
        stats.recordResponse(status: 500, latencyNanoseconds: 5_000, firstByteNanoseconds: 5_000)
        #expect(copy.requests == 1)
        #expect(stats.requests == 2)
    }
}
