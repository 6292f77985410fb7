import Glibc

/// Summaries of a cell's rollouts per judge, printed as one Markdown table. Each row fills the
/// columns its cell's kind gives a meaning: false rollbacks for a good canary (healthy or within
/// tolerance), false promotions and the cost of detection for one beyond tolerance, and for one
/// at the boundary the cost of the rollbacks; the split of outcomes is always there.
struct SimulationTable {
    /// One printed row.
    struct Row {
        /// Cell name.
        var cell: String
        /// How the cell's outcomes are read.
        var kind: Cell.Kind
        /// Judge name.
        var judge: String
        /// The rollouts.
        var results: [RolloutResult]
    }

    /// Rows in print order.
    var rows: [Row] = []

    /// The q-quantile of `values` (nearest rank), nil when empty.
    static func quantile(_ values: [Double], _ q: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = min(max(Int((q * Double(sorted.count)).rounded(.up)), 1), sorted.count)
        return sorted[rank - 1]
    }

    /// "p50 / p90" of `values`, or "—".
    static func pair(_ values: [Double], digits: Int = 0) -> String {
        guard let a = quantile(values, 0.5), let b = quantile(values, 0.9) else { return "—" }
        return number(a, digits) + " / " + number(b, digits)
    }

    /// A number with `digits` decimals.
    static func number(_ x: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let r = (x * scale).rounded() / scale
        if digits == 0 { return String(Int(r)) }
        let whole = Int(r.rounded(.towardZero))
        let fraction = Int((abs(r - Double(whole)) * scale).rounded())
        let f = String(fraction)
        return String(whole) + "." + String(repeating: "0", count: max(0, digits - f.count)) + f
    }

    /// A share of rollouts as a percentage with a count.
    static func share(_ k: Int, _ n: Int) -> String {
        number(100 * Double(k) / Double(max(n, 1)), 2) + " %"
    }

    /// "promoted / stalled / rolled back" as percentages of `n`.
    static func split(promoted: Int, stalled: Int, rolledBack: Int, of n: Int) -> String {
        [promoted, stalled, rolledBack].map { number(100 * Double($0) / Double(max(n, 1)), 1) }.joined(separator: " / ")
    }

    /// The table as Markdown.
    var markdown: String {
        var lines = [
            "| cell | kind | judge | false rollback | false promotion | promoted / stalled / rolled back, % | canary requests to detect (p50 / p90) | time to detect, s (p50 / p90) | excess errors before rollback (p50 / p90) | time to promote, s (p50 / p90) |",
            "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in rows {
            let n = row.results.count
            let rolled = row.results.filter { $0.outcome == .rolledBack }
            let promoted = row.results.filter { $0.outcome == .promoted }
            let stalled = row.results.filter { $0.outcome == .stalled }.count
            let good = row.kind == .healthy || row.kind == .within
            let falseRollback = good ? Self.share(rolled.count, n) : "—"
            let falsePromotion = row.kind == .beyond ? Self.share(promoted.count, n) : "—"
            let split = Self.split(promoted: promoted.count, stalled: stalled, rolledBack: rolled.count, of: n)
            let detect = good ? "—" : Self.pair(rolled.map { Double($0.canaryRequests) })
            let time = good ? "—" : Self.pair(rolled.map(\.seconds))
            let excess = good ? "—" : Self.pair(rolled.map(\.excessErrors), digits: 1)
            let promote = Self.pair(promoted.map(\.seconds))
            lines.append("| \(row.cell) | \(row.kind.rawValue) | \(row.judge) | \(falseRollback) | \(falsePromotion) | \(split) | \(detect) | \(time) | \(excess) | \(promote) |")
        }
        return lines.joined(separator: "\n")
    }
}
