import Testing
import TurnoutMetrics

/// The sparse sample form: round trip, and dense − sparse equal to dense − dense.
struct HistogramSampleTests {
    @Test(arguments: [0, 1, 2, 3])
    func denseMinusSparseEqualsDenseMinusDense(shape: Int) {
        var rng = TestRandom(seed: 100 &+ UInt64(shape))
        var running = Histogram()
        for _ in 0..<3_000 { running.record(HistogramTests.sample(shape, &rng)) }
        running.record(3)                 // clamped below
        running.record(500_000_000_000)   // clamped above
        let earlier = running.snapshot()
        let sample = HistogramSample(earlier)
        for _ in 0..<2_000 { running.record(HistogramTests.sample((shape + 1) % 4, &rng)) }

        #expect(Histogram(sample) == earlier)
        #expect(earlier.sample() == sample)
        #expect(sample.count == earlier.count && sample.sum == earlier.sum)
        #expect(sample.clampedBelow == 1 && sample.clampedAbove == 1)
        #expect(sample.min == earlier.min && sample.max == earlier.max)
        #expect(sample.storedBuckets == (0..<HistogramLayout.bucketCount).filter { earlier.count(inBucket: $0) != 0 }.count)

        #expect(running.isLaterReading(of: sample))
        #expect(running.subtracting(sample) == running.subtracting(earlier))
        var inPlace = running.snapshot()
        inPlace.subtract(sample)
        #expect(inPlace == running.subtracting(earlier))
        #expect(inPlace.count == 2_000)
    }

    /// Counts are packed in 1, 2, 4 or 8 bytes by the largest; every width round-trips, and
    /// runs of adjacent buckets (including the first and last bucket) are kept apart correctly.
    @Test(arguments: [1 as UInt64, 255, 256, 65_535, 65_536, 4_294_967_295, 4_294_967_296, 1 << 62])
    func packsEveryCountWidth(largest: UInt64) {
        var histogram = Histogram()
        histogram.record(HistogramLayout.lowestTrackable, occurrences: 3)
        histogram.record(HistogramLayout.lowerBound(ofBucket: 1), occurrences: largest)
        histogram.record(HistogramLayout.lowerBound(ofBucket: 500), occurrences: 7)
        histogram.record(HistogramLayout.lowerBound(ofBucket: 501), occurrences: 1)
        histogram.record(HistogramLayout.lowerBound(ofBucket: 900), occurrences: largest / 2 + 1)
        histogram.record(HistogramLayout.highestTrackable, occurrences: 2)
        let sample = HistogramSample(histogram)
        #expect(sample.storedBuckets == 6)
        let width = largest <= 0xFF ? 1 : largest <= 0xFFFF ? 2 : largest <= 0xFFFF_FFFF ? 4 : 8
        #expect(sample.storedBytes == 2 * 2 * 4 + 6 * width) // 4 runs: 0–1, 500–501, 900, last
        #expect(Histogram(sample) == histogram)
        var later = histogram.snapshot()
        later.record(HistogramLayout.lowerBound(ofBucket: 1), occurrences: 5)
        #expect(later.subtracting(sample).count == 5)
        #expect(later.subtracting(sample) == later.subtracting(histogram))
    }

    @Test func emptyAndSelfSubtraction() {
        let empty = HistogramSample(Histogram())
        #expect(empty.storedBuckets == 0 && empty.min == nil && empty.max == nil)
        #expect(Histogram(empty) == Histogram())
        var histogram = Histogram()
        histogram.record(42_000, occurrences: 7)
        #expect(histogram.subtracting(empty) == histogram)
        let nothing = histogram.subtracting(histogram.sample())
        #expect(nothing.count == 0 && nothing.min == nil && nothing.max == nil)
        #expect(nothing == histogram.subtracting(histogram))
    }

    @Test func aRestartedStreamIsNotALaterReading() {
        var before = Histogram()
        before.record(1_000_000, occurrences: 10)
        var restarted = Histogram()
        restarted.record(1_000_000, occurrences: 3)
        restarted.record(9_000_000, occurrences: 30)
        #expect(!restarted.isLaterReading(of: before.sample()))
    }
}
