import TurnoutMetrics

/// The latency difference as one signed distribution, read back from the two histograms that
/// hold its two signs (a `Histogram` records only non-negative values).
extension MirrorCounts {
    /// Number of latency differences recorded.
    public var latencyDifferenceCount: UInt64 { slower.count &+ faster.count }

    /// The shadow − primary difference at quantile `q` (0…1) in nanoseconds, negative when the
    /// shadow was faster; nil when nothing was recorded.
    ///
    /// The joint distribution in ascending order is `faster` read from its largest value down
    /// (the most negative differences first), then `slower` from its smallest up. The rank rule
    /// is `Histogram.value(atQuantile:)`'s (the smallest rank r with r ≥ q·n), and the answer is
    /// the bucket's midpoint clamped to the recorded extremes, so it has the histogram's precision:
    /// 0.39 %, except that differences under 1 µs (a zero among them) read as about ±1 µs.
    public func latencyDifference(atQuantile q: Double) -> Int64? {
        let fasterCount = faster.count
        let total = latencyDifferenceCount
        guard total > 0 else { return nil }
        let clampedQ = Swift.min(Swift.max(q, 0), 1)
        var rank = UInt64((clampedQ * Double(total)).rounded(.up))
        rank = Swift.min(Swift.max(rank, 1), total)
        if rank <= fasterCount {
            // The rank-th most negative difference is `faster`'s value of descending rank `rank`.
            return -Int64(clamping: Self.value(in: faster, ascendingRank: fasterCount - rank + 1))
        }
        return Int64(clamping: Self.value(in: slower, ascendingRank: rank - fasterCount))
    }

    /// The representative of the bucket holding the value of ascending rank `rank` (1-based,
    /// at most `histogram.count`), clamped to the histogram's min and max.
    static func value(in histogram: Histogram, ascendingRank rank: UInt64) -> UInt64 {
        let low = histogram.min ?? 0
        let high = histogram.max ?? 0
        var seen: UInt64 = 0
        for bucket in 0..<HistogramLayout.bucketCount {
            seen &+= histogram.count(inBucket: bucket)
            if seen >= rank {
                return Swift.min(Swift.max(HistogramLayout.representative(ofBucket: bucket), low), high)
            }
        }
        return high
    }
}
