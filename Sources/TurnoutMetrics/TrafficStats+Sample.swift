/// A reading of a `TrafficStats` stored sparsely (counters plus two `HistogramSample`s), as
/// `StatsTimeline` keeps its history.
public struct TrafficStatsSample: Sendable, Equatable {
    /// The counters in `TrafficStats.counterValues` order.
    let counters: [UInt64]
    /// The latency histogram, sparse.
    public let latency: HistogramSample
    /// The time-to-first-byte histogram, sparse.
    public let firstByte: HistogramSample

    /// A sparse copy of `stats`.
    public init(_ stats: TrafficStats) {
        counters = stats.counterValues
        latency = HistogramSample(stats.latencyHistogram)
        firstByte = HistogramSample(stats.firstByteHistogram)
    }

    /// Non-empty histogram buckets held.
    public var storedBuckets: Int { latency.storedBuckets + firstByte.storedBuckets }
    /// Bytes of counters and bucket data held, for memory accounting.
    public var storedBytes: Int { 8 * counters.count + latency.storedBytes + firstByte.storedBytes }
}

/// Dense ↔ sparse for traffic readings.
extension TrafficStats {
    /// The reading a sample was taken from, exactly.
    public init(_ sample: TrafficStatsSample) {
        self.init()
        counterValues = sample.counters
        latencyHistogram = Histogram(sample.latency)
        firstByteHistogram = Histogram(sample.firstByte)
    }

    /// A sparse copy of this reading.
    public func sample() -> TrafficStatsSample { TrafficStatsSample(self) }

    /// Whether `sample` can be an earlier reading of this stream: no counter, bucket or total
    /// is larger in it than now. False after the stream restarted from zero.
    public func isLaterReading(of sample: TrafficStatsSample) -> Bool {
        zip(counterValues, sample.counters).allSatisfy { $0 >= $1 }
            && latencyHistogram.isLaterReading(of: sample.latency)
            && firstByteHistogram.isLaterReading(of: sample.firstByte)
    }

    /// The traffic between an earlier sampled reading and this one, exactly; equal to
    /// `subtracting(TrafficStats(earlier))`. `earlier` must be a past reading of this stream.
    public func subtracting(_ earlier: TrafficStatsSample) -> TrafficStats {
        var result = snapshot()
        result.combineCounters(with: earlier.counters, &-)
        result.latencyHistogram.subtract(earlier.latency)
        result.firstByteHistogram.subtract(earlier.firstByte)
        return result
    }
}
