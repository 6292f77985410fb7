/// A histogram stored sparsely: only its non-empty buckets. Latencies cluster in a few dozen of
/// the 3,555 buckets, so a timeline keeping minutes of samples costs kilobytes, not megabytes.
public struct HistogramSample: Sendable, Equatable {
    let indices: [UInt16]
    let counts: [UInt64]
    let total: UInt64
    let totalNanoseconds: UInt64
    let belowRange: UInt64
    let aboveRange: UInt64
    let minimum: UInt64
    let maximum: UInt64

    /// The non-empty buckets of `histogram` and its totals.
    public init(_ histogram: Histogram) {
        var indices: [UInt16] = []
        var counts: [UInt64] = []
        for i in 0..<histogram.counts.count where histogram.counts[i] != 0 {
            indices.append(UInt16(i))
            counts.append(histogram.counts[i])
        }
        self.indices = indices
        self.counts = counts
        total = histogram.total
        totalNanoseconds = histogram.totalNanoseconds
        belowRange = histogram.belowRange
        aboveRange = histogram.aboveRange
        minimum = histogram.minimum
        maximum = histogram.maximum
    }

    /// Bytes of bucket data held (for the timeline's memory bound).
    public var storedBuckets: Int { indices.count }
}

extension Histogram {
    /// The dense histogram a sample was taken from.
    public init(_ sample: HistogramSample) {
        self.init()
        for (index, count) in zip(sample.indices, sample.counts) { counts[Int(index)] = count }
        total = sample.total
        totalNanoseconds = sample.totalNanoseconds
        belowRange = sample.belowRange
        aboveRange = sample.aboveRange
        minimum = sample.minimum
        maximum = sample.maximum
    }
}
