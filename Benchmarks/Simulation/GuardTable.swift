/// Summaries of a guarded cell's runs per guard, printed as one Markdown table: false reverts
/// for a green within the tolerances, the share reverted, the time to revert and the excess
/// errors for one beyond them.
struct GuardTable {
    /// One printed row.
    struct Row {
        var cell: GuardCell
        var guardName: String
        var results: [GuardResult]
    }

    /// Rows in print order.
    var rows: [Row] = []

    /// The table as Markdown.
    var markdown: String {
        var lines = [
            "| cell | kind | guard | runs | reverted | false revert | time to revert, s (p50 / p90) | excess errors (p50 / p90) |",
            "|---|---|---|---:|---:|---:|---:|---:|",
        ]
        for row in rows {
            let n = row.results.count
            let reverted = row.results.filter(\.reverted)
            let good = row.cell.kind == .healthy || row.cell.kind == .within
            let share = SimulationTable.share(reverted.count, n)
            let time = SimulationTable.pair(reverted.map(\.secondsToRevert))
            let excess = SimulationTable.pair(row.results.map(\.excessErrors), digits: 1)
            lines.append("| \(row.cell.name) | \(row.cell.kind.rawValue) | \(row.guardName) | \(n) | \(share) | \(good ? share : "—") | \(time) | \(excess) |")
        }
        return lines.joined(separator: "\n")
    }
}
