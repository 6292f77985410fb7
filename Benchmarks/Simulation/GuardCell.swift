/// One row group of the guarded-switch table: blue's traffic before the switch (the reference),
/// green's behavior over the watch, and how the outcomes are read. Blue fails 1 % of requests
/// and has the lognormal latency of `LatencyModel` (p99 ≈ 160 ms); the tolerances are the
/// analysis defaults (errors +0.5 pp, p99 +10 %).
struct GuardCell: Sendable {
    /// How load moves over the reference and the watch.
    enum Swing: Sendable {
        /// Flat.
        case none
        /// A real day: ±30 % of request rate and latency on a 24 h sinusoid, the reference and
        /// the watch at a random phase of it.
        case day
        /// The whole ±30 % swing compressed into the watch (one 300 s period, random phase)
        /// after a flat reference: green's p99 reaches 1.3 × blue's, beyond the tolerance.
        case compressed
    }

    /// Short name printed in the table.
    var name: String
    /// How to read the outcomes (`.beyond` also for the incident: a revert is right there).
    var kind: Cell.Kind
    /// Mean requests per second.
    var requestsPerSecond: Double = 200
    /// Blue's error rate (and a healthy green's).
    var blueErrorRate = 0.01
    /// Green's error rate ÷ blue's.
    var errorMultiplier: Double = 1
    /// Added to green's error rate.
    var errorIncrease: Double = 0
    /// Green's latency ÷ blue's (every request).
    var latencyScale: Double = 1
    /// How load moves.
    var swing = Swing.none
    /// Green fails `incidentErrorRate` of its requests for `incidentSeconds` from a random second
    /// of the watch.
    var incident = false

    /// The reference: blue's last seconds before the switch (`baseline_s`).
    static let referenceSeconds = 300
    /// The watch (`watch_s`).
    static let watchSeconds = 300
    /// The incident's length and error rate.
    static let incidentSeconds = 20
    static let incidentErrorRate = 0.30
    /// Seconds in a day, the period of the real diurnal swing.
    static let daySeconds = 86_400.0
    /// Amplitude of the diurnal swing.
    static let swingAmplitude = 0.30

    /// Seed of the cell's realizations, from its name (as `Cell.seed`).
    var seed: UInt64 { Xoshiro.seed(named: name) }

    /// The same cell at `rate` requests per second, named so.
    func at(_ rate: Double) -> GuardCell {
        var cell = self
        cell.requestsPerSecond = rate
        cell.name += rate >= 1_000 ? ", \(Int(rate / 1_000))k req/s" : ", \(Int(rate)) req/s"
        return cell
    }

    /// The cells, each at 200 and at 5,000 requests per second.
    static let base: [GuardCell] = [
        GuardCell(name: "healthy", kind: .healthy),
        GuardCell(name: "healthy, ±30 % diurnal swing over a real day", kind: .healthy, swing: .day),
        GuardCell(name: "within: p99 +3 %", kind: .within, latencyScale: 1.03),
        GuardCell(name: "within: errors +0.3 pp", kind: .within, errorIncrease: 0.003),
        GuardCell(name: "beyond: ±30 % swing compressed into the watch", kind: .beyond, swing: .compressed),
        GuardCell(name: "errors x2 (1 % → 2 %)", kind: .beyond, errorMultiplier: 2),
        GuardCell(name: "p99 +25 %", kind: .beyond, latencyScale: 1.25),
        GuardCell(name: "incident: 30 % errors for 20 s", kind: .beyond, incident: true),
    ]

    /// The table's cells: every base cell at 200, then at 5,000 requests per second.
    static let all: [GuardCell] = [200.0, 5_000].flatMap { rate in base.map { $0.at(rate) } }
}
