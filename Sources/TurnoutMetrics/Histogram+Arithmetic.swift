/// Snapshots, merging and subtraction: how per-loop histograms become per-pool windows.
extension Histogram {
    /// A deep copy with its own storage. Call it on the owner's thread: the copy can then cross
    /// threads freely while the owner keeps recording into storage that stays unique.
    public func snapshot() -> Histogram {
        var copy = self
        copy.counts = counts.withUnsafeBufferPointer { Array($0) }
        return copy
    }

    /// Adds every count of `other` (another loop's snapshot) into this histogram.
    public mutating func merge(_ other: Histogram) {
        counts.withUnsafeMutableBufferPointer { mine in
            other.counts.withUnsafeBufferPointer { theirs in
                for i in 0..<mine.count { mine[i] &+= theirs[i] }
            }
        }
        total &+= other.total
        totalNanoseconds &+= other.totalNanoseconds
        belowRange &+= other.belowRange
        aboveRange &+= other.aboveRange
        minimum = Swift.min(minimum, other.minimum)
        maximum = Swift.max(maximum, other.maximum)
    }

    /// Removes an earlier snapshot of the same stream, leaving exactly what was recorded between
    /// the two. `earlier` must be a past snapshot of this histogram (every count ≤ this one's);
    /// min and max become bucket-precise because the exact extremes of a window are not kept.
    public mutating func subtract(_ earlier: Histogram) {
        counts.withUnsafeMutableBufferPointer { mine in
            earlier.counts.withUnsafeBufferPointer { theirs in
                for i in 0..<mine.count {
                    precondition(mine[i] >= theirs[i], "Histogram.subtract: not an earlier snapshot")
                    mine[i] &-= theirs[i]
                }
            }
        }
        total &-= earlier.total
        totalNanoseconds &-= earlier.totalNanoseconds
        belowRange &-= earlier.belowRange
        aboveRange &-= earlier.aboveRange
        narrowExtremesToOccupiedBuckets()
    }

    /// `self` merged with `other`, leaving both unchanged.
    public func merging(_ other: Histogram) -> Histogram {
        var result = snapshot()
        result.merge(other)
        return result
    }

    /// The window between `earlier` and `self`.
    public func subtracting(_ earlier: Histogram) -> Histogram {
        var result = snapshot()
        result.subtract(earlier)
        return result
    }

    /// Empties the histogram without releasing its storage.
    public mutating func reset() {
        counts.withUnsafeMutableBufferPointer { mine in
            for i in 0..<mine.count { mine[i] = 0 }
        }
        total = 0
        totalNanoseconds = 0
        belowRange = 0
        aboveRange = 0
        minimum = .max
        maximum = 0
    }
}
