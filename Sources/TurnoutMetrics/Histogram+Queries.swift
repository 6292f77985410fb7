/// Read-side queries: quantiles, exceedance counts and bucket iteration for Prometheus.
extension Histogram {
    /// The value at quantile `q` (0…1) in nanoseconds, within 0.39 % of the exact order statistic
    /// (clamped values excepted); nil when empty. Walks the buckets, so it is for readers, not for
    /// the data path.
    public func value(atQuantile q: Double) -> UInt64? {
        guard count > 0 else { return nil }
        let clampedQ = Swift.min(Swift.max(q, 0), 1)
        // The rank of the order statistic, 1-based: the smallest r with r ≥ q·n.
        var rank = UInt64((clampedQ * Double(count)).rounded(.up))
        rank = Swift.min(Swift.max(rank, 1), count)
        var seen: UInt64 = 0
        for i in 0..<counts.count {
            seen &+= counts[i]
            if seen >= rank {
                let value = HistogramLayout.representative(ofBucket: i)
                return Swift.min(Swift.max(value, minimum), maximum)
            }
        }
        return maximum
    }

    /// Number of values strictly above `threshold`. Exact when `threshold` is a bucket's upper
    /// bound (`HistogramLayout.bucketUpperBound(containing:)`); otherwise the bucket holding
    /// `threshold` counts as "at or below".
    public func count(above threshold: UInt64) -> UInt64 {
        count &- count(atOrBelow: threshold)
    }

    /// Number of values at or below `threshold`, with the same exactness rule as `count(above:)`.
    public func count(atOrBelow threshold: UInt64) -> UInt64 {
        if threshold < HistogramLayout.lowestTrackable { return 0 }
        let last = HistogramLayout.bucketIndex(of: threshold)
        var total: UInt64 = 0
        counts.withUnsafeBufferPointer { buffer in
            for i in 0...last { total &+= buffer[i] }
        }
        return total
    }

    /// Calls `body` with each non-empty bucket's inclusive upper bound (ns) and its count, in
    /// increasing order: cumulative sums of these are Prometheus `le` buckets.
    public func forEachBucket(_ body: (_ upperBound: UInt64, _ count: UInt64) -> Void) {
        for i in 0..<counts.count where counts[i] != 0 {
            body(HistogramLayout.upperBound(ofBucket: i), counts[i])
        }
    }

    /// Cumulative counts at the given upper bounds (ns, ascending), for a Prometheus histogram
    /// with fixed `le` labels; each bound is rounded to the bucket that holds it.
    public func cumulativeCounts(atOrBelow bounds: [UInt64]) -> [UInt64] {
        bounds.map { count(atOrBelow: $0) }
    }
}
