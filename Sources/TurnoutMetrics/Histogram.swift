/// A log-linear (HDR-style) histogram of durations in nanoseconds, with fixed memory and an O(1),
/// lock-free, allocation-free `record`.
///
/// Ownership model (SPEC §7, STYLE "shared-nothing loops"): each event-loop thread owns its own
/// histograms and is the only writer, so recording needs no lock and no atomic. A reader asks the
/// owner (through the loop's inbox) for a `snapshot()`, which is a deep copy made on the owner's
/// thread; snapshots from every loop are then merged off the hot path. Because `snapshot()` copies
/// eagerly, the owner's storage stays uniquely referenced and `record` never pays a copy-on-write
/// in steady state. (A plain `let copy = histogram` shares storage, as any Swift array would; the
/// owner's next `record` would then copy once. Use `snapshot()` on the owner side.)
///
/// Windows are exact: a rollout step's histogram is `snapshot(now).subtracting(snapshot(start))`.
public struct Histogram: Sendable, Equatable {
    /// Per-bucket counts, `HistogramLayout.bucketCount` of them; allocated once.
    @usableFromInline var counts: [UInt64]
    /// Backing store of `count` (stored properties touched by the inlinable `record` must be
    /// `@usableFromInline`, which a `public internal(set)` property cannot be).
    @usableFromInline var total: UInt64
    /// Backing store of `sum`.
    @usableFromInline var totalNanoseconds: UInt64
    /// Backing store of `clampedBelow`.
    @usableFromInline var belowRange: UInt64
    /// Backing store of `clampedAbove`.
    @usableFromInline var aboveRange: UInt64
    /// Smallest recorded value, exact for recorded and merged histograms, bucket-precise after
    /// `subtract`. `UInt64.max` when empty.
    @usableFromInline var minimum: UInt64
    /// Largest recorded value; same precision rules as `minimum`. 0 when empty.
    @usableFromInline var maximum: UInt64

    /// An empty histogram; the only allocation it will ever make.
    public init() {
        counts = [UInt64](repeating: 0, count: HistogramLayout.bucketCount)
        total = 0
        totalNanoseconds = 0
        belowRange = 0
        aboveRange = 0
        minimum = .max
        maximum = 0
    }

    /// Records one duration in nanoseconds. O(1): a leading-zero count, a shift, an add.
    @inlinable
    public mutating func record(_ nanoseconds: UInt64) {
        var value = nanoseconds
        if value < HistogramLayout.lowestTrackable {
            belowRange &+= 1
            value = HistogramLayout.lowestTrackable
        } else if value > HistogramLayout.highestTrackable {
            aboveRange &+= 1
            value = HistogramLayout.highestTrackable
        }
        counts[HistogramLayout.bucketIndex(clamped: value)] &+= 1
        total &+= 1
        totalNanoseconds &+= nanoseconds
        if nanoseconds < minimum { minimum = nanoseconds }
        if nanoseconds > maximum { maximum = nanoseconds }
    }

    /// Records `occurrences` copies of one duration (used by load generators that batch).
    @inlinable
    public mutating func record(_ nanoseconds: UInt64, occurrences: UInt64) {
        guard occurrences > 0 else { return }
        var value = nanoseconds
        if value < HistogramLayout.lowestTrackable {
            belowRange &+= occurrences
            value = HistogramLayout.lowestTrackable
        } else if value > HistogramLayout.highestTrackable {
            aboveRange &+= occurrences
            value = HistogramLayout.highestTrackable
        }
        counts[HistogramLayout.bucketIndex(clamped: value)] &+= occurrences
        total &+= occurrences
        totalNanoseconds &+= nanoseconds &* occurrences
        if nanoseconds < minimum { minimum = nanoseconds }
        if nanoseconds > maximum { maximum = nanoseconds }
    }

    /// Number of recorded values (including clamped ones).
    public var count: UInt64 { total }
    /// Sum of the recorded values in nanoseconds (unclamped, wrapping on overflow, which needs
    /// more than 5 years of summed latency, so it is exact in practice).
    public var sum: UInt64 { totalNanoseconds }
    /// Values recorded below 1 µs and counted in the lowest bucket.
    public var clampedBelow: UInt64 { belowRange }
    /// Values recorded above 100 s and counted in the highest bucket.
    public var clampedAbove: UInt64 { aboveRange }

    /// Smallest recorded value in nanoseconds, or nil when empty.
    public var min: UInt64? { count == 0 ? nil : minimum }
    /// Largest recorded value in nanoseconds, or nil when empty.
    public var max: UInt64? { count == 0 ? nil : maximum }
    /// Mean in nanoseconds, or nil when empty.
    public var mean: Double? { count == 0 ? nil : Double(sum) / Double(count) }

    /// Count in bucket `index` (0 ..< `HistogramLayout.bucketCount`).
    public func count(inBucket index: Int) -> UInt64 { counts[index] }
}
