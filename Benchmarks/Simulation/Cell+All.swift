/// The table's cells. At the default 0.5 % base error rate the tolerances are errors +0.5 pp
/// (×2) and p99 +10 %; each cell's kind says which side of them its canary is on.
extension Cell {
    /// Rates at which the within-tolerance regressions are run: more traffic is more evidence,
    /// and a test of "worse at all" would catch a small, harmless regression at the higher ones.
    static let trafficLevels: [Double] = [1_000, 5_000, 20_000]
    /// Hold of the long-hold variants: ten minutes a step, thirty at 600 s × 3 steps.
    static let longHoldSeconds = 600

    /// The cells of the table, in order: healthy, within tolerance (at each traffic level, then
    /// with long holds), at the boundary, beyond.
    static let all: [Cell] = healthy + within + boundary + beyond

    /// Canaries as good as the baseline, under different conditions.
    static let healthy: [Cell] = [
        Cell(name: "healthy", kind: .healthy),
        Cell(name: "healthy, drifting base rate", kind: .healthy, drift: true),
        Cell(name: "healthy, incident on both pools", kind: .healthy, incident: true),
        Cell(name: "healthy, low traffic (50 req/s)", kind: .healthy, requestsPerSecond: 50),
        Cell(name: "healthy, one noisy canary host", kind: .healthy, noisyHost: true),
        Cell(name: "healthy, no errors on either side", kind: .healthy, baseErrorRate: 0),
        Cell(name: "warm-up: slow and erring for its 60 s warmup_s", kind: .healthy, warmupSeconds: 60),
    ]

    /// Regressions a little worse than the baseline but within both tolerances, at 1,000 req/s.
    static let withinRegressions: [Cell] = [
        Cell(name: "p99 +3%", kind: .within, latencyScale: 1.03),
        Cell(name: "p99 +5%", kind: .within, latencyScale: 1.05),
        Cell(name: "p99 +8%", kind: .within, latencyScale: 1.08),
        Cell(name: "errors +0.1 pp", kind: .within, errorIncrease: 0.001),
        Cell(name: "errors +0.3 pp", kind: .within, errorIncrease: 0.003),
    ]

    /// Good canaries that are measurably worse than the baseline: at each traffic level, with
    /// long holds at the lowest and highest, and one at low traffic.
    static let within: [Cell] = [
        Cell(name: "errors x1.25", kind: .within, errorMultiplier: 1.25),
        Cell(name: "errors x1.5", kind: .within, errorMultiplier: 1.5),
    ] + trafficLevels.flatMap { rate in withinRegressions.map { $0.at(rate) } }
        + [1_000, 20_000].flatMap { rate in withinRegressions.map { $0.at(rate).holding(longHoldSeconds) } }
        + [Cell(name: "p99 +5%, low traffic (50 req/s)", kind: .within, requestsPerSecond: 50, latencyScale: 1.05)]

    /// Canaries exactly at a tolerance.
    static let boundary: [Cell] = [
        Cell(name: "errors x2", kind: .boundary, errorMultiplier: 2),
        Cell(name: "errors +0.5 pp", kind: .boundary, errorIncrease: 0.005),
        Cell(name: "p99 +10%", kind: .boundary, latencyScale: 1.10),
    ]

    /// Canaries beyond a tolerance. The 1 % tail of +150 ms puts the canary's p99 near +20 %.
    /// Two of them again with long holds.
    static let beyond: [Cell] = [
        Cell(name: "errors +0.75 pp", kind: .beyond, errorIncrease: 0.0075),
        Cell(name: "errors +1 pp", kind: .beyond, errorIncrease: 0.01),
        Cell(name: "errors x3", kind: .beyond, errorMultiplier: 3),
        Cell(name: "p99 +15%", kind: .beyond, latencyScale: 1.15),
        Cell(name: "p99 +25%", kind: .beyond, latencyScale: 1.25),
        Cell(name: "1% tail +150 ms", kind: .beyond, tailShare: 0.01, tailDelay: 0.150),
        Cell(name: "canary servers all fail", kind: .beyond, canaryFails: true),
        // Hold mode promotes what is not yet proven beyond tolerance when the hold ends; a long
        // hold gives the fail tests the time.
        Cell(name: "errors +1 pp", kind: .beyond, errorIncrease: 0.01).holding(longHoldSeconds),
        Cell(name: "p99 +15%", kind: .beyond, latencyScale: 1.15).holding(longHoldSeconds),
    ]

    /// The same canary at `rate` requests per second, named so (unchanged at 1,000).
    func at(_ rate: Double) -> Cell {
        guard rate != requestsPerSecond else { return self }
        var cell = self
        cell.requestsPerSecond = rate
        cell.name += ", \(Int(rate / 1_000))k req/s"
        return cell
    }

    /// The same canary with each step held `seconds`, named so.
    func holding(_ seconds: Int) -> Cell {
        var cell = self
        cell.holdSeconds = seconds
        cell.name += ", \(seconds) s holds"
        return cell
    }
}
