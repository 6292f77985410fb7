/// The fixed bucket layout shared by every `Histogram`: log-linear, as in HdrHistogram.
///
/// Each power-of-two octave [2^k, 2^(k+1)) is split into 128 equal sub-buckets, so a bucket's
/// width is at most 1/128 of its lower bound. Reporting the bucket's midpoint therefore errs by at
/// most 1/256 ≈ 0.39 % of the true value, and the bucket's upper bound by at most 0.78 %, both
/// inside the 1 % budget of SPEC §7. Values are nanoseconds; the tracked range is 1 µs … 100 s and
/// anything outside is clamped to the nearest end (and counted), which keeps memory fixed:
/// 3,555 buckets of 8 bytes, about 28 KiB.
///
/// The index of a value is computed with one leading-zero count, one shift and one add: no loop,
/// no table, no floating point.
public enum HistogramLayout {
    /// log2 of the number of linear sub-buckets per octave.
    /// (Computed constants rather than `static let`s, so the inlined `record` pays no lazy-global
    /// initialization check.)
    @inlinable static var subBucketBits: UInt64 { 7 }
    /// Linear sub-buckets per octave (128).
    @inlinable static var subBucketCount: UInt64 { 128 }

    /// The smallest value tracked without clamping: 1 µs in nanoseconds.
    public static let lowestTrackable: UInt64 = 1_000
    /// The largest value tracked without clamping: 100 s in nanoseconds.
    public static let highestTrackable: UInt64 = 100_000_000_000

    /// Unshifted index of a value, before subtracting the offset of `lowestTrackable`.
    @inlinable @inline(__always)
    static func rawIndex(_ value: UInt64) -> Int {
        // For v < 256 the raw index is v itself (unit-width buckets). Above, with k = ⌊log2 v⌋
        // and shift = k − 7, the top 8 bits of v (in [128, 255]) pick the sub-bucket and
        // `shift` picks the octave; consecutive octaves tile the index space without gaps.
        if value < 2 * subBucketCount { return Int(value) }
        let magnitude = UInt64(63 - value.leadingZeroBitCount)
        let shift = magnitude - subBucketBits
        return Int(shift << subBucketBits + (value >> shift))
    }

    /// Raw index of `lowestTrackable` (1,000 ns: octave 9, shift 2, 1000 >> 2 = 250, so
    /// 2·128 + 250); bucket 0 of the array. A test checks it against `rawIndex`.
    @inlinable static var indexOffset: Int { 506 }

    /// Number of buckets every histogram holds.
    public static let bucketCount: Int = rawIndex(highestTrackable) - indexOffset + 1

    /// The bucket that holds `value`, which must already be clamped into the trackable range.
    @inlinable @inline(__always)
    public static func bucketIndex(clamped value: UInt64) -> Int {
        rawIndex(value) &- indexOffset
    }

    /// The bucket that holds `value`, clamping it into the trackable range first.
    @inlinable
    public static func bucketIndex(of value: UInt64) -> Int {
        bucketIndex(clamped: min(max(value, lowestTrackable), highestTrackable))
    }

    /// The smallest value that lands in bucket `index`.
    public static func lowerBound(ofBucket index: Int) -> UInt64 {
        let raw = UInt64(index + indexOffset)
        if raw < 2 * subBucketCount { return raw }
        let shift = raw >> subBucketBits - 1
        let sub = raw & (subBucketCount - 1) + subBucketCount
        return sub << shift
    }

    /// The largest value that lands in bucket `index` (inclusive), the `le` of a Prometheus bucket.
    public static func upperBound(ofBucket index: Int) -> UInt64 {
        if index + 1 >= bucketCount { return highestTrackable }
        return lowerBound(ofBucket: index + 1) - 1
    }

    /// The value reported for a bucket: its midpoint, within 0.39 % of any value it holds.
    public static func representative(ofBucket index: Int) -> UInt64 {
        let low = lowerBound(ofBucket: index)
        return low + (upperBound(ofBucket: index) - low) / 2
    }

    /// The upper bound of the bucket that holds `value`: thresholds chosen this way make
    /// `Histogram.count(above:)` exact, which the canary analyzer relies on.
    public static func bucketUpperBound(containing value: UInt64) -> UInt64 {
        upperBound(ofBucket: bucketIndex(of: value))
    }
}
