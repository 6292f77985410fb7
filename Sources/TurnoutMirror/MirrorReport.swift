/// What `GET /mirror` shows: the shadow comparison's counts per key and the last mismatches,
/// merged over every worker.
public struct MirrorReport: Sendable, Equatable {
    /// Most mismatches a report keeps (SPEC §10: "the last 100").
    public static let mismatchLimit = 100

    /// Counts per route, primary pool and shadow pool.
    public var counts: [MirrorKey: MirrorCounts]
    /// The last mismatches, newest first, at most `mismatchLimit`.
    public var mismatches: [MirrorMismatch]
    /// Shadow copies in flight when the report was read, over every worker (a gauge).
    public var inFlight = 0

    /// An empty report, to which each worker's part is added.
    public init() {
        counts = [:]
        mismatches = []
    }

    /// Adds one worker's counts and mismatches (the worker's ring read newest first).
    public mutating func add(counts other: [MirrorKey: MirrorCounts], mismatches newer: [MirrorMismatch]) {
        for (key, value) in other {
            counts[key, default: MirrorCounts()].add(value)
        }
        mismatches = MismatchRing.merge([mismatches, newer], capacity: Self.mismatchLimit)
    }

    /// The counts summed over every key: the mirror's overall figures.
    public var totals: MirrorCounts {
        var sum = MirrorCounts()
        for key in counts.keys.sorted() { sum.add(counts[key]!) }
        return sum
    }
}
