import Testing
@testable import TurnoutMetrics

/// The bucket layout: contiguous, monotone, and within the 1 % error budget.
struct HistogramLayoutTests {
    @Test func offsetMatchesLowestTrackable() {
        #expect(HistogramLayout.rawIndex(HistogramLayout.lowestTrackable) == HistogramLayout.indexOffset)
        #expect(HistogramLayout.bucketIndex(of: HistogramLayout.lowestTrackable) == 0)
        #expect(HistogramLayout.bucketIndex(of: HistogramLayout.highestTrackable) == HistogramLayout.bucketCount - 1)
    }

    @Test func bucketsTileTheRangeWithoutGaps() {
        var previousUpper = HistogramLayout.lowerBound(ofBucket: 0) - 1
        for i in 0..<HistogramLayout.bucketCount {
            let low = HistogramLayout.lowerBound(ofBucket: i)
            let high = HistogramLayout.upperBound(ofBucket: i)
            #expect(low == previousUpper + 1)
            #expect(high >= low)
            #expect(HistogramLayout.bucketIndex(of: low) == i)
            #expect(HistogramLayout.bucketIndex(of: high) == i || i == HistogramLayout.bucketCount - 1)
            // Width relative to the lower bound stays under 1/128, so midpoints err < 0.4 %.
            #expect(Double(high - low + 1) / Double(low) <= 1.0 / 128 + 1e-12)
            previousUpper = high
        }
    }

    @Test func memoryIsFixedAndSmall() {
        #expect(HistogramLayout.bucketCount < 4_000)
    }
}
