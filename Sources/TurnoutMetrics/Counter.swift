/// A monotonically increasing per-loop event count (requests, errors, bytes), owned by one
/// thread like `Histogram`, so incrementing needs no atomic. Counters of several loops are summed
/// on read; a window is the difference of two readings.
public struct Counter: Sendable, Equatable, Hashable {
    /// Backing store of `value`, usable from the inlinable `increment`.
    @usableFromInline var storage: UInt64

    /// The count so far.
    public var value: UInt64 { storage }

    /// A counter starting at `value` (0 by default).
    public init(_ value: UInt64 = 0) { storage = value }

    /// Adds `amount` (1 by default); wraps instead of trapping, as the hot path must not trap.
    @inlinable
    public mutating func increment(by amount: UInt64 = 1) { storage &+= amount }

    /// Adds another loop's reading.
    public mutating func merge(_ other: Counter) { storage &+= other.storage }

    /// The count between an earlier reading and this one.
    public func subtracting(_ earlier: Counter) -> Counter { Counter(value &- earlier.value) }
}
