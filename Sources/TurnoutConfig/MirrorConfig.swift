/// Shadow traffic (SPEC §10): a share of matching requests is copied to another pool whose
/// answers are compared, then discarded.
public struct MirrorConfig: Sendable, Equatable {
    /// The shadow pool (must exist).
    public var pool: String
    /// The share of matching requests copied, 0...100 (fractions allowed: 0.5 is one in 200).
    public var percent: Double
    /// The methods mirrored, uppercase, without duplicates (default `GET`, `HEAD`).
    public var methods: [String]
    /// Whether to compare status classes, body digests and latency with the primary's answer.
    public var compare: Bool

    /// Creates a mirror section.
    public init(pool: String, percent: Double, methods: [String] = ["GET", "HEAD"], compare: Bool = false) {
        self.pool = pool
        self.percent = percent
        self.methods = methods
        self.compare = compare
    }
}
