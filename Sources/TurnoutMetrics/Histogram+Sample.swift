/// A reading of a `Histogram` stored compactly, for histories that keep many readings: only the
/// non-empty buckets, as runs of consecutive bucket indices, with their counts packed in the
/// fewest bytes that hold the largest one (1, 2, 4 or 8). Latencies occupy a narrow band of the
/// 1 µs … 100 s range and per-bucket counts stay below 2³² for a long time, so a typical reading
/// costs a few KiB instead of 28 KiB, and even a histogram with every bucket filled costs no
/// more than the dense form.
public struct HistogramSample: Sendable, Equatable {
    /// Runs of consecutive non-empty buckets, flattened (first index, length) pairs, ascending;
    /// 3,555 buckets fit in 16 bits.
    let runs: [UInt16]
    /// The counts of the buckets the runs cover, in index order, `width` little-endian bytes each.
    let packed: [UInt8]
    /// Bytes per count in `packed`.
    let width: Int
    /// `Histogram.total` of the reading.
    let total: UInt64
    /// `Histogram.totalNanoseconds` of the reading.
    let totalNanoseconds: UInt64
    /// `Histogram.belowRange` of the reading.
    let belowRange: UInt64
    /// `Histogram.aboveRange` of the reading.
    let aboveRange: UInt64
    /// `Histogram.minimum` of the reading (`UInt64.max` when empty).
    let minimum: UInt64
    /// `Histogram.maximum` of the reading (0 when empty).
    let maximum: UInt64

    /// The non-empty buckets of `histogram` and its totals. Two passes, so the arrays are
    /// allocated at their final size instead of growing (and over-reserving) while appending.
    public init(_ histogram: Histogram) {
        var occupied = 0
        var runCount = 0
        var largest: UInt64 = 0
        histogram.counts.withUnsafeBufferPointer { buffer in
            var previousEmpty = true
            for count in buffer {
                if count != 0 {
                    occupied += 1
                    if previousEmpty { runCount += 1 }
                    largest = Swift.max(largest, count)
                }
                previousEmpty = count == 0
            }
        }
        let width = largest <= 0xFF ? 1 : largest <= 0xFFFF ? 2 : largest <= 0xFFFF_FFFF ? 4 : 8
        var runs: [UInt16] = []
        var packed: [UInt8] = []
        runs.reserveCapacity(2 * runCount)
        packed.reserveCapacity(width * occupied)
        histogram.counts.withUnsafeBufferPointer { buffer in
            for i in 0..<buffer.count where buffer[i] != 0 {
                if i > 0 && buffer[i - 1] != 0 {
                    runs[runs.count - 1] += 1
                } else {
                    runs.append(UInt16(i))
                    runs.append(1)
                }
                var count = buffer[i]
                for _ in 0..<width {
                    packed.append(UInt8(truncatingIfNeeded: count))
                    count >>= 8
                }
            }
        }
        self.runs = runs
        self.packed = packed
        self.width = width
        total = histogram.total
        totalNanoseconds = histogram.totalNanoseconds
        belowRange = histogram.belowRange
        aboveRange = histogram.aboveRange
        minimum = histogram.minimum
        maximum = histogram.maximum
    }

    /// Number of recorded values.
    public var count: UInt64 { total }
    /// Sum of the recorded values in nanoseconds.
    public var sum: UInt64 { totalNanoseconds }
    /// Values clamped into the lowest bucket.
    public var clampedBelow: UInt64 { belowRange }
    /// Values clamped into the highest bucket.
    public var clampedAbove: UInt64 { aboveRange }
    /// Smallest recorded value, or nil when empty.
    public var min: UInt64? { total == 0 ? nil : minimum }
    /// Largest recorded value, or nil when empty.
    public var max: UInt64? { total == 0 ? nil : maximum }
    /// Non-empty buckets held.
    public var storedBuckets: Int { packed.count / width }
    /// Bytes of bucket data held (runs and packed counts; the fixed fields and array headers
    /// add about 120 bytes).
    public var storedBytes: Int { 2 * runs.count + packed.count }

    /// Whether `predicate` holds for every non-empty bucket (index, count), in index order;
    /// stops at the first that fails.
    func allBuckets(_ predicate: (_ index: Int, _ count: UInt64) -> Bool) -> Bool {
        packed.withUnsafeBufferPointer { bytes in
            var offset = 0
            for r in stride(from: 0, to: runs.count, by: 2) {
                let first = Int(runs[r])
                for index in first..<first + Int(runs[r + 1]) {
                    var count: UInt64 = 0
                    for byte in 0..<width { count |= UInt64(bytes[offset + byte]) << (8 * byte) }
                    offset += width
                    if !predicate(index, count) { return false }
                }
            }
            return true
        }
    }
}

/// Dense ↔ sparse: rebuilding a histogram from a sample and subtracting a sample from a later
/// reading, which is how `StatsTimeline` computes its windows.
extension Histogram {
    /// The histogram a sample was taken from, exactly (the result equals the original).
    public init(_ sample: HistogramSample) {
        self.init()
        counts.withUnsafeMutableBufferPointer { buffer in
            _ = sample.allBuckets { index, count in
                buffer[index] = count
                return true
            }
        }
        total = sample.total
        totalNanoseconds = sample.totalNanoseconds
        belowRange = sample.belowRange
        aboveRange = sample.aboveRange
        minimum = sample.minimum
        maximum = sample.maximum
    }

    /// A sparse copy of this histogram (the same as `HistogramSample(self)`).
    public func sample() -> HistogramSample { HistogramSample(self) }

    /// Whether `sample` can be an earlier reading of this histogram's stream: no bucket and no
    /// total holds more than now. False when the stream restarted (its counters were recreated),
    /// where subtracting would trap; `StatsTimeline` then counts the stream as new.
    public func isLaterReading(of sample: HistogramSample) -> Bool {
        guard sample.total <= total, sample.belowRange <= belowRange, sample.aboveRange <= aboveRange else { return false }
        return counts.withUnsafeBufferPointer { buffer in
            sample.allBuckets { index, count in buffer[index] >= count }
        }
    }

    /// Removes an earlier reading, leaving exactly what was recorded in between: the same result
    /// as `subtract(Histogram(sample))` without building the dense copy. `earlier` must be a past
    /// reading of this stream (`isLaterReading(of:)`); min and max become bucket-precise.
    public mutating func subtract(_ earlier: HistogramSample) {
        counts.withUnsafeMutableBufferPointer { buffer in
            _ = earlier.allBuckets { index, count in
                precondition(buffer[index] >= count, "Histogram.subtract: not an earlier sample")
                buffer[index] &-= count
                return true
            }
        }
        total &-= earlier.total
        totalNanoseconds &-= earlier.totalNanoseconds
        belowRange &-= earlier.belowRange
        aboveRange &-= earlier.aboveRange
        narrowExtremesToOccupiedBuckets()
    }

    /// The window between `earlier` and `self`.
    public func subtracting(_ earlier: HistogramSample) -> Histogram {
        var result = snapshot()
        result.subtract(earlier)
        return result
    }

    /// After a subtraction, min and max must lie in the lowest and highest non-empty buckets;
    /// the exact extremes of the window are unknown, so the bucket bounds stand in for them
    /// unless the old extremes still fall in those buckets (the rule `subtract(_: Histogram)`
    /// applies, so dense and sparse subtraction give equal histograms).
    mutating func narrowExtremesToOccupiedBuckets() {
        var lowest = -1
        var highest = -1
        counts.withUnsafeBufferPointer { buffer in
            for i in 0..<buffer.count where buffer[i] != 0 {
                if lowest < 0 { lowest = i }
                highest = i
            }
        }
        if lowest < 0 {
            minimum = .max
            maximum = 0
            return
        }
        let lowBound = HistogramLayout.lowerBound(ofBucket: lowest)
        let highBound = HistogramLayout.upperBound(ofBucket: highest)
        minimum = minimum >= lowBound && HistogramLayout.bucketIndex(of: minimum) == lowest ? minimum : lowBound
        maximum = maximum <= highBound && HistogramLayout.bucketIndex(of: maximum) == highest ? maximum : highBound
    }
}
