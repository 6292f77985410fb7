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
    /// Whether each copy also goes to a second primary server, so that a mismatch counts only when
    /// the two primaries agree with each other and the shadow differs (Diffy's filter for
    /// non-deterministic endpoints). Needs `compare` (default false).
    public var noise: Bool
    /// The largest request body mirrored, in bytes, 0...1 GiB; a request with a larger body is
    /// not copied (and is counted), so the shadow never makes the proxy buffer without bound.
    public var maxBodyBytes: Int
    /// The most shadow exchanges one worker holds at once, 1...100000; beyond that a copy is
    /// dropped and counted, never queued.
    public var maxInFlight: Int
    /// The longest response body digested for the comparison, in bytes, 0...1 GiB; an answer
    /// with a longer body is counted as not compared rather than compared on a prefix.
    public var compareBodyBytes: Int

    /// The default `maxBodyBytes`, 64 KiB.
    public static let defaultMaxBodyBytes = 65_536
    /// The default `maxInFlight` per worker.
    public static let defaultMaxInFlight = 64
    /// The default `compareBodyBytes`, 1 MiB.
    public static let defaultCompareBodyBytes = 1_048_576

    /// Creates a mirror section; every field but the pool and the share has the default of SPEC §10.
    public init(
        pool: String, percent: Double, methods: [String] = ["GET", "HEAD"], compare: Bool = false,
        noise: Bool = false, maxBodyBytes: Int = MirrorConfig.defaultMaxBodyBytes,
        maxInFlight: Int = MirrorConfig.defaultMaxInFlight, compareBodyBytes: Int = MirrorConfig.defaultCompareBodyBytes
    ) {
        self.pool = pool
        self.percent = percent
        self.methods = methods
        self.compare = compare
        self.noise = noise
        self.maxBodyBytes = maxBodyBytes
        self.maxInFlight = maxInFlight
        self.compareBodyBytes = compareBodyBytes
    }
}
