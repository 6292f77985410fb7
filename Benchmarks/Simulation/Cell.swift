/// One row group of the table: the traffic conditions and the canary's true behavior.
struct Cell: Sendable {
    /// Short name printed in the table.
    var name: String
    /// Whether the canary is as good as baseline (then any rollback is false).
    var healthy: Bool
    /// Mean requests per second over both pools.
    var requestsPerSecond: Double = 1_000
    /// The healthy error rate at nominal load (0 for a service that never fails).
    var baseErrorRate = 0.005
    /// Every canary request fails, and health checks take the canary's servers down after
    /// `Environment.healthDownSeconds` (a canary that does not start).
    var canaryFails = false
    /// Canary error rate ÷ baseline error rate.
    var errorMultiplier: Double = 1
    /// Canary latency ÷ baseline latency (every request).
    var latencyScale: Double = 1
    /// Share of canary requests with an extra delay, and the delay (seconds).
    var tailShare: Double = 0
    /// The extra delay (seconds).
    var tailDelay: Double = 0
    /// Base error rate swings between 0.25 % and 1 % over 10 minutes.
    var drift = false
    /// An incident hits both pools: errors ×10 and latency ×1.5 for 2–8 minutes.
    var incident = false
    /// One of the canary's four hosts is noisy: its error and tail rates are multiplied by a
    /// Gamma(0.5) factor of mean 1, redrawn every 10 s (healthy on average, bursty).
    var noisyHost = false

    /// The cells of the table, in order.
    static let all: [Cell] = [
        Cell(name: "healthy", healthy: true),
        Cell(name: "healthy, drifting base rate", healthy: true, drift: true),
        Cell(name: "healthy, incident on both pools", healthy: true, incident: true),
        Cell(name: "healthy, low traffic (50 req/s)", healthy: true, requestsPerSecond: 50),
        Cell(name: "healthy, one noisy canary host", healthy: true, noisyHost: true),
        Cell(name: "healthy, no errors on either side", healthy: true, baseErrorRate: 0),
        Cell(name: "errors x1.25", healthy: false, errorMultiplier: 1.25),
        Cell(name: "errors x1.5", healthy: false, errorMultiplier: 1.5),
        Cell(name: "errors x2", healthy: false, errorMultiplier: 2),
        Cell(name: "errors x3", healthy: false, errorMultiplier: 3),
        Cell(name: "p99 +10%", healthy: false, latencyScale: 1.10),
        Cell(name: "p99 +25%", healthy: false, latencyScale: 1.25),
        Cell(name: "1% tail +150 ms", healthy: false, tailShare: 0.01, tailDelay: 0.150),
        Cell(name: "canary servers all fail", healthy: false, canaryFails: true),
    ]
}
