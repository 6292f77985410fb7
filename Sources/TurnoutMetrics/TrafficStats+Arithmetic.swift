/// Snapshots, merging and subtraction: how per-loop readings become per-pool windows.
extension TrafficStats {
    /// A deep copy made on the owner's thread (see `Histogram.snapshot()`): the copy can cross
    /// threads while the owner's histograms stay uniquely referenced.
    public func snapshot() -> TrafficStats {
        var copy = self
        copy.latencyHistogram = latencyHistogram.snapshot()
        copy.firstByteHistogram = firstByteHistogram.snapshot()
        return copy
    }

    /// Adds another loop's reading.
    public mutating func merge(_ other: TrafficStats) {
        combineCounters(with: other, &+)
        latencyHistogram.merge(other.latencyHistogram)
        firstByteHistogram.merge(other.firstByteHistogram)
    }

    /// `self` merged with `other`, leaving both unchanged.
    public func merging(_ other: TrafficStats) -> TrafficStats {
        var result = snapshot()
        result.merge(other)
        return result
    }

    /// The traffic between an earlier reading of the same stream and this one, exactly (the
    /// histograms' min and max become bucket-precise, see `Histogram.subtract`). `earlier` must
    /// be a past reading of this stream.
    public func subtracting(_ earlier: TrafficStats) -> TrafficStats {
        var result = snapshot()
        result.combineCounters(with: earlier, &-)
        result.latencyHistogram.subtract(earlier.latencyHistogram)
        result.firstByteHistogram.subtract(earlier.firstByteHistogram)
        return result
    }

    /// Every counter (not the histograms) in a fixed order: the compact form a
    /// `TrafficStatsSample` stores, and the one place that lists them all.
    var counterValues: [UInt64] {
        get {
            [informational, successful, redirected, clientErrors, serverErrors,
             connectErrors, timeoutErrors, resetErrors, invalidErrors, sent, received]
        }
        set {
            precondition(newValue.count == 11, "TrafficStats.counterValues: 11 counters expected")
            informational = newValue[0]
            successful = newValue[1]
            redirected = newValue[2]
            clientErrors = newValue[3]
            serverErrors = newValue[4]
            connectErrors = newValue[5]
            timeoutErrors = newValue[6]
            resetErrors = newValue[7]
            invalidErrors = newValue[8]
            sent = newValue[9]
            received = newValue[10]
        }
    }

    /// Applies `combine` to each counter pair (wrapping arithmetic, as the counters wrap).
    mutating func combineCounters(with other: TrafficStats, _ combine: (UInt64, UInt64) -> UInt64) {
        combineCounters(with: other.counterValues, combine)
    }

    /// Same, with the other side in `counterValues` order.
    mutating func combineCounters(with other: [UInt64], _ combine: (UInt64, UInt64) -> UInt64) {
        counterValues = zip(counterValues, other).map(combine)
    }
}
