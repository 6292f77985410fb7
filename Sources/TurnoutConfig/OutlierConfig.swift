/// Passive outlier ejection, as Envoy does it: a server that fails repeatedly is taken out for
/// a while (doubling on repeat; never the last healthy server of a pool).
public struct OutlierConfig: Sendable, Equatable {
    /// Consecutive connect errors or 5xx answers that eject a server, ≥ 1.
    public var consecutiveFailures: Int
    /// How long the first ejection lasts, > 0.
    public var ejectMs: Int

    /// Creates an outlier section; the defaults are 5 failures and 30 s.
    public init(consecutiveFailures: Int = 5, ejectMs: Int = 30_000) {
        self.consecutiveFailures = consecutiveFailures
        self.ejectMs = ejectMs
    }
}
