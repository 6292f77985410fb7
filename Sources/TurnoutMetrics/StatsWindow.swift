/// The traffic of a recent window, per key, as `StatsTimeline.window` computes it.
public struct StatsWindow: Sendable {
    /// The duration actually covered, in seconds: the age of the reading that was subtracted, or
    /// the time since start when the whole cumulative value is reported (see `StatsTimeline`).
    public let seconds: Double
    /// Per key (an opaque name chosen by the caller), the traffic inside the window.
    public let stats: [String: TrafficStats]

    /// A window covering `seconds` with the given traffic.
    public init(seconds: Double, stats: [String: TrafficStats]) {
        self.seconds = seconds
        self.stats = stats
    }
}
