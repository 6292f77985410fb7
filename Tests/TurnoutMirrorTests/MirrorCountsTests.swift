import Testing
import TurnoutMetrics
import TurnoutMirror

/// Verdict counts, merging, the signed latency quantiles, and the noisy-path bound.
struct MirrorCountsTests {
    static let ms: Int64 = 1_000_000

    @Test func recordCountsEachVerdict() {
        var counts = MirrorCounts()
        let verdicts: [MirrorVerdict] = [.matched, .matched, .statusMismatch(sameClass: true), .statusMismatch(sameClass: false),
                                         .bodyMismatch, .notCompared, .noise, .noise]
        for verdict in verdicts {
            counts.record(verdict, latencyDifferenceNanoseconds: 2 * Self.ms, path: verdict == .noise ? "/time" : nil)
        }
        #expect(counts.compared == 8)
        #expect(counts.matched == 2)
        #expect(counts.statusMismatch == 2)
        #expect(counts.statusClassMismatch == 1)
        #expect(counts.bodyMismatch == 1)
        #expect(counts.notCompared == 1)
        #expect(counts.noise == 2)
        #expect(counts.noisyPaths == ["/time": 2])
        #expect(counts.latencyDifferenceCount == 8)
        #expect(counts.slower.count == 8 && counts.faster.count == 0)
    }

    @Test func differencesGoToTheHistogramOfTheirSign() {
        var counts = MirrorCounts()
        counts.record(.matched, latencyDifferenceNanoseconds: -3 * Self.ms, path: nil)
        counts.record(.matched, latencyDifferenceNanoseconds: 0, path: nil)
        counts.record(.matched, latencyDifferenceNanoseconds: 7 * Self.ms, path: nil)
        #expect(counts.faster.count == 1 && counts.faster.max == UInt64(3 * Self.ms))
        #expect(counts.slower.count == 2 && counts.slower.min == 0 && counts.slower.max == UInt64(7 * Self.ms))
    }

    /// Ten differences −5 ms … +4 ms in 1 ms steps. Rank rule: the smallest rank r ≥ q·n, so the
    /// median (rank 5) is −1 ms, the lower of the two middle values.
    @Test(arguments: [
        (0.0, -5 * ms), (0.1, -5 * ms), (0.2, -4 * ms), (0.5, -1 * ms), (0.55, 0), (0.6, 0),
        (0.7, 1 * ms), (0.99, 4 * ms), (1.0, 4 * ms),
    ])
    func quantilesOverBothSigns(q: Double, expected: Int64) throws {
        var counts = MirrorCounts()
        // Recorded in an order that is neither sorted nor reverse-sorted.
        for step in [3, -2, 0, -5, 4, 1, -1, -4, 2, -3] as [Int64] {
            counts.record(.matched, latencyDifferenceNanoseconds: step * Self.ms, path: nil)
        }
        let value = try #require(counts.latencyDifference(atQuantile: q))
        // The histogram's precision: 0.39 % of the value; below 1 µs (its lowest bucket, where a
        // zero difference lands) it reads as about 1 µs.
        let tolerance = max(Int64(Double(abs(expected)) * 0.004), 1_010)
        #expect(abs(value - expected) <= tolerance, "q \(q): \(value) ns, expected \(expected) ns")
    }

    @Test func quantilesOfNothingAreNil() {
        #expect(MirrorCounts().latencyDifference(atQuantile: 0.5) == nil)
        #expect(MirrorCounts().latencyDifferenceCount == 0)
    }

    @Test func extremeDifferencesDoNotTrap() {
        var counts = MirrorCounts()
        counts.record(.matched, latencyDifferenceNanoseconds: .min, path: nil)
        counts.record(.matched, latencyDifferenceNanoseconds: .max, path: nil)
        #expect(counts.latencyDifference(atQuantile: 0)! < 0)
        #expect(counts.latencyDifference(atQuantile: 1)! > 0)
    }

    @Test func addSumsEveryField() {
        var a = MirrorCounts()
        a.mirrored = 10; a.dropped = 1; a.tooLarge = 2
        a.recordFailure(.timeout)
        a.record(.matched, latencyDifferenceNanoseconds: -1 * Self.ms, path: nil)
        a.record(.noise, latencyDifferenceNanoseconds: 0, path: "/a")
        var b = MirrorCounts()
        b.mirrored = 5; b.dropped = 3; b.tooLarge = 4
        b.recordFailure(.timeout); b.recordFailure(.connect)
        b.record(.statusMismatch(sameClass: false), latencyDifferenceNanoseconds: 9 * Self.ms, path: nil)
        b.record(.noise, latencyDifferenceNanoseconds: 1, path: "/a")
        b.record(.noise, latencyDifferenceNanoseconds: 1, path: "/b")
        b.record(.bodyMismatch, latencyDifferenceNanoseconds: -2 * Self.ms, path: nil)
        b.record(.notCompared, latencyDifferenceNanoseconds: 0, path: nil)

        var sum = a
        sum.add(b)
        #expect((sum.mirrored, sum.dropped, sum.tooLarge) == (15, 4, 6))
        #expect(sum.errors(.timeout) == 2 && sum.errors(.connect) == 1 && sum.errors(.reset) == 0)
        #expect((sum.compared, sum.matched, sum.statusMismatch, sum.statusClassMismatch) == (7, 1, 1, 1))
        #expect((sum.bodyMismatch, sum.notCompared, sum.noise) == (1, 1, 3))
        #expect(sum.noisyPaths == ["/a": 2, "/b": 1])
        #expect(sum.slower == a.slower.merging(b.slower) && sum.faster == a.faster.merging(b.faster))
        #expect(sum.latencyDifferenceCount == 7)
    }

    @Test func noisyPathsStayBounded() {
        var counts = MirrorCounts()
        let limit = MirrorCounts.noisyPathLimit
        for i in 0..<(limit + 10) {
            counts.record(.noise, latencyDifferenceNanoseconds: 0, path: "/item/\(i)")
        }
        counts.record(.noise, latencyDifferenceNanoseconds: 0, path: "/item/0")
        #expect(counts.noisyPaths.count == limit + 1)
        #expect(counts.noisyPaths[MirrorCounts.otherPaths] == 10)
        #expect(counts.noisyPaths["/item/0"] == 2, "a path already kept is still counted as itself")
        #expect(counts.noisyPaths["/item/\(limit)"] == nil)

        // Merging another worker's distinct paths keeps the bound and loses no count.
        var other = MirrorCounts()
        for i in 0..<limit { other.record(.noise, latencyDifferenceNanoseconds: 0, path: "/other/\(i)") }
        counts.add(other)
        #expect(counts.noisyPaths.count == limit + 1)
        #expect(counts.noisyPaths.values.reduce(0, +) == counts.noise)
        #expect(counts.noisyPaths[MirrorCounts.otherPaths] == 10 + limit)
    }
}
