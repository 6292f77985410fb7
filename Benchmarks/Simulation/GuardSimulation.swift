import Dispatch
import Glibc

/// `turnout-bench simulate --guards`: replays guarded blue-green switches per `GuardCell`
/// through Turnout's `GuardedSwitch` and the fixed-threshold guard, and prints one table (see
/// the README, "Blue-green with a guard").
///
/// Flags: `--runs N` (per cell at 200 req/s, default 1,000), `--high-rate-runs N` (per cell at
/// 5,000 req/s, default a fifth of `--runs`, at least 1: a run there draws 25 times the
/// requests), `--seed S` (default 1), `--threads T` (default 2). A cell's runs are seeded from
/// its name, so a row is the same whatever runs beside it.
public enum GuardSimulation {
    /// Parsed flags.
    struct Options {
        var runs = 1_000
        var highRateRuns: Int?
        var seed: UInt64 = 1
        var threads = 2

        /// Runs of `cell`.
        func runs(of cell: GuardCell) -> Int {
            cell.requestsPerSecond >= 1_000 ? highRateRuns ?? max(1, runs / 5) : runs
        }
    }

    static let usage = "usage: turnout-bench simulate --guards [--runs N] [--high-rate-runs N] [--seed S] [--threads T]"

    /// Runs the guarded-switch simulator with command-line arguments (without `--guards`);
    /// returns the exit code.
    public static func run(arguments: [String]) -> Int32 {
        guard let options = parse(arguments) else {
            print(usage)
            return 1
        }
        let started = Clock.nanoseconds()
        var table = GuardTable()
        var cost = TurnoutJudge.Cost()
        for cell in GuardCell.all {
            let outcome = simulate(cell: cell, options: options)
            table.rows.append(.init(cell: cell, guardName: "turnout", results: outcome.turnout))
            table.rows.append(.init(cell: cell, guardName: "fixed 5 % / 2× p99", results: outcome.fixed))
            cost.nanoseconds += outcome.cost.nanoseconds
            cost.looks += outcome.cost.looks
        }
        print(table.markdown)
        print("")
        let highRate = options.highRateRuns ?? max(1, options.runs / 5)
        print("\(options.runs) runs per cell at 200 req/s, \(highRate) at 5,000 req/s, seed \(options.seed); blue 1 % errors, lognormal latency (p99 ≈ 160 ms); "
            + "reference \(GuardCell.referenceSeconds) s of blue, watch \(GuardCell.watchSeconds) s of green, one look per second; analysis defaults "
            + "(errors +0.5 pp, p99 +10 %, confidence 0.99). The fixed guard checks the last 60 s once a minute.")
        if cost.looks > 0 {
            print("Guard CPU (state machine and judge): \(SimulationTable.number(Double(cost.nanoseconds) / Double(cost.looks) / 1000, 2)) µs per look.")
        }
        print("Wall time: \(SimulationTable.number(Double(Clock.nanoseconds() - started) / 1e9, 1)) s")
        return 0
    }

    /// Every run of one cell, spread over the threads: Turnout's results and the fixed guard's.
    static func simulate(cell: GuardCell, options: Options) -> (turnout: [GuardResult], fixed: [GuardResult], cost: TurnoutJudge.Cost) {
        let runs = options.runs(of: cell)
        let turnout = Slots<GuardResult>(count: runs, fill: GuardResult())
        let fixed = Slots<GuardResult>(count: runs, fill: GuardResult())
        let costs = Slots<TurnoutJudge.Cost>(count: options.threads, fill: TurnoutJudge.Cost())
        DispatchQueue.concurrentPerform(iterations: options.threads) { chunk in
            var cost = TurnoutJudge.Cost()
            var i = chunk
            while i < runs {
                var rng = Xoshiro(seed: Xoshiro.derive(options.seed, cell.seed, UInt64(i)))
                let run = GuardRun(cell: cell, rng: &rng)
                let result = run.run(rng: &rng, cost: &cost)
                turnout.store(result.turnout, at: i)
                fixed.store(result.fixed, at: i)
                i += options.threads
            }
            costs.store(cost, at: chunk)
        }
        let cost = costs.values.reduce(into: TurnoutJudge.Cost()) { $0.nanoseconds += $1.nanoseconds; $0.looks += $1.looks }
        return (turnout.values, fixed.values, cost)
    }

    /// Parses flags; nil on a usage error.
    static func parse(_ arguments: [String]) -> Options? {
        var options = Options()
        var i = 0
        while i < arguments.count {
            guard i + 1 < arguments.count else { return nil }
            let value = arguments[i + 1]
            switch arguments[i] {
            case "--runs": guard let n = Int(value), n > 0 else { return nil }; options.runs = n
            case "--high-rate-runs": guard let n = Int(value), n > 0 else { return nil }; options.highRateRuns = n
            case "--seed": guard let s = UInt64(value) else { return nil }; options.seed = s
            case "--threads": guard let t = Int(value), t > 0 else { return nil }; options.threads = t
            default: return nil
            }
            i += 2
        }
        return options
    }
}

/// Values written by concurrent workers, each to its own slots (as `ResultBox`), read after
/// `concurrentPerform` returns.
final class Slots<Value>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Value>

    init(count: Int, fill: Value) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: fill)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    /// Stores slot `i` (only one worker writes each).
    func store(_ value: Value, at i: Int) { slots[i] = value }

    var values: [Value] { Array(slots) }
}
