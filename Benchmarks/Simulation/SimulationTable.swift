import Glibc

/// Summaries of a cell's rollouts per judge, printed as one Markdown table.
struct SimulationTable {
    /// One printed row.
    struct Row {
        /// Cell and judge names.
        var cell: String, judge: String
        /// Whether the cell's canary is healthy.
        var healthy: Bool
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

    /// The table as Markdown.
    var markdown: String {
        var lines = [
            "| cell | judge | false rollback | false promotion | stalled | canary requests to detect (p50 / p90) | time to detect, s (p50 / p90) | excess errors before rollback (p50 / p90) | time to promote, s (p50 / p90) |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in rows {
            let n = row.results.count
            let rolled = row.results.filter { $0.outcome == .rolledBack }
            let promoted = row.results.filter { $0.outcome == .promoted }
            let stalled = row.results.filter { $0.outcome == .stalled }.count
            let falseRollback = row.healthy ? Self.share(rolled.count, n) : "—"
            let falsePromotion = row.healthy ? "—" : Self.share(promoted.count, n)
            let detect = row.healthy ? "—" : Self.pair(rolled.map { Double($0.canaryRequests) })
            let time = row.healthy ? "—" : Self.pair(rolled.map(\.seconds))
            let excess = row.healthy ? "—" : Self.pair(rolled.map(\.excessErrors), digits: 1)
            let promote = Self.pair(promoted.map(\.seconds))
            lines.append("| \(row.cell) | \(row.judge) | \(falseRollback) | \(falsePromotion) | \(Self.share(stalled, n)) | \(detect) | \(time) | \(excess) | \(promote) |")
        }
        return lines.joined(separator: "\n")
    }
}
