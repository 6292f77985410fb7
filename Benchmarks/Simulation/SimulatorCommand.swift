import Dispatch
import Glibc
import TurnoutAnalysis

/// `turnout-bench simulate`: replays thousands of rollouts per cell through Turnout's rollout
/// state machine (in both advance modes) and two reference judges, and prints one table (see the README, "How Turnout judges a canary").
/// With `--guards` it replays guarded blue-green switches instead (`GuardSimulation`).
///
/// Flags: `--rollouts N` (per cell, default 2000), `--long-hold-rollouts N` (per cell with 600 s
/// holds, default the same: each of their rollouts lasts half an hour of looks), `--seed S`
/// (default 1), `--cells LIST` (comma-separated 1-based indices or name fragments; default all),
/// `--threads T` (default 2), `--judges LIST` (any of turnout-proven,turnout-hold,kayenta,flagger;
/// default all), `--pool-only` (Turnout's analyzer gets the canary pool's counts only, not its hosts').
///
/// The reference judges do not read Turnout's holds, so they skip the cells that differ from
/// another only by the hold. A cell's realizations are seeded from its name, so a row is the
/// same whichever cells are chosen with it.
public enum SimulatorCommand {
    /// Parsed flags.
    struct Options {
        var rollouts = 2_000
        var longHoldRollouts: Int?
        var seed: UInt64 = 1
        var cells = Cell.all
        var threads = 2
        var judges = ["turnout-proven", "turnout-hold", "kayenta", "flagger"]
        var perServer = true
    }

    /// Runs the simulator with command-line arguments (without the subcommand name); returns the
    /// exit code.
    public static func run(arguments: [String]) -> Int32 {
        if arguments.contains("--guards") {
            return GuardSimulation.run(arguments: arguments.filter { $0 != "--guards" })
        }
        guard let options = parse(arguments) else {
            print("usage: turnout-bench simulate [--rollouts N] [--long-hold-rollouts N] [--seed S] [--cells 1,3,x2] [--threads T] [--judges turnout-proven,turnout-hold,kayenta,flagger] [--pool-only]")
            return 1
        }
        let started = Clock.nanoseconds()
        var table = SimulationTable()
        var cost = TurnoutJudge.Cost()
        for cell in options.cells {
            for judge in options.judges where !cell.turnoutOnly || judge.hasPrefix("turnout") {
                let outcome = simulate(cell: cell, cellSeed: cell.seed, judge: judge, options: options)
                table.rows.append(.init(cell: cell.name, kind: cell.kind, judge: judge, results: outcome.results))
                cost.nanoseconds += outcome.cost.nanoseconds
                cost.looks += outcome.cost.looks
            }
        }
        print(table.markdown)
        print("")
        let longHold = options.longHoldRollouts.map { ", \($0) per cell with \(Cell.longHoldSeconds) s holds" } ?? ""
        print("\(options.rollouts) rollouts per cell\(longHold), seed \(options.seed), \(options.perServer ? "per-host canary counts" : "canary pool counts only"); 1,000 req/s unless named, 0.5 % base error rate (except no errors), holds 30 s unless named, confidence 0.99.")
        if cost.looks > 0 {
            let perLook = Double(cost.nanoseconds) / Double(cost.looks)
            print("Rollout CPU (state machine and analyzer): \(SimulationTable.number(perLook / 1000, 2)) µs per look (one look per second per split): \(SimulationTable.number(perLook / 1e9 * 1e6, 1)) ppm of one core.")
        }
        print("Wall time: \(SimulationTable.number(Double(Clock.nanoseconds() - started) / 1e9, 1)) s")
        return 0
    }

    /// Runs every rollout of one cell for one judge, spread over the threads.
    /// `cellSeed` seeds the cell's realizations (`Cell.seed` in the table).
    static func simulate(cell: Cell, cellSeed: UInt64, judge: String, options: Options) -> (results: [RolloutResult], cost: TurnoutJudge.Cost) {
        let rollouts = cell.holdSeconds >= Cell.longHoldSeconds ? options.longHoldRollouts ?? options.rollouts : options.rollouts
        let box = ResultBox(count: rollouts, threads: options.threads)
        let chunks = options.threads
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            var cost = TurnoutJudge.Cost()
            var i = chunk
            while i < rollouts {
                let envSeed = Xoshiro.derive(options.seed, cellSeed, UInt64(i))
                let env = Environment(cell: cell, seed: envSeed)
                var rng = Xoshiro(seed: Xoshiro.derive(envSeed, UInt64(judge.utf8.count), 0x5EED))
                let result: RolloutResult
                switch judge {
                case "kayenta": result = KayentaJudge().run(env, rng: &rng)
                case "flagger": result = FlaggerJudge().run(env, rng: &rng)
                case "turnout-hold":
                    result = TurnoutJudge(advance: .hold, perServer: options.perServer).run(env, rng: &rng, cost: &cost)
                default:
                    result = TurnoutJudge(advance: .proven, perServer: options.perServer).run(env, rng: &rng, cost: &cost)
                }
                box.store(result, at: i)
                i += chunks
            }
            box.store(cost, chunk: chunk)
        }
        return (box.results, box.totalCost)
    }

    /// Parses flags; nil on a usage error.
    static func parse(_ arguments: [String]) -> Options? {
        var options = Options()
        var i = 0
        while i < arguments.count {
            let flag = arguments[i]
            if flag == "--pool-only" {
                options.perServer = false
                i += 1
                continue
            }
            guard i + 1 < arguments.count else { return nil }
            let value = arguments[i + 1]
            switch flag {
            case "--rollouts": guard let n = Int(value), n > 0 else { return nil }; options.rollouts = n
            case "--long-hold-rollouts": guard let n = Int(value), n > 0 else { return nil }; options.longHoldRollouts = n
            case "--seed": guard let s = UInt64(value) else { return nil }; options.seed = s
            case "--threads": guard let t = Int(value), t > 0 else { return nil }; options.threads = t
            case "--judges":
                let known = ["turnout-proven", "turnout-hold", "kayenta", "flagger"]
                options.judges = value.split(separator: ",").map(String.init)
                guard options.judges.allSatisfy(known.contains) else { return nil }
            case "--cells":
                var chosen: [Cell] = []
                for part in value.split(separator: ",") {
                    if let n = Int(part), n >= 1, n <= Cell.all.count { chosen.append(Cell.all[n - 1]) }
                    else { chosen += Cell.all.filter { $0.name.contains(String(part)) } }
                }
                guard !chosen.isEmpty else { return nil }
                options.cells = chosen
            default: return nil
            }
            i += 2
        }
        return options
    }
}

/// Per-rollout results written by concurrent workers, each to its own slots, so no lock is
/// needed; read after `concurrentPerform` returns (which orders the writes before the reads).
/// Raw buffers rather than arrays: concurrent writes through a class's array property would be
/// overlapping accesses to that property, even at different indices.
final class ResultBox: @unchecked Sendable {
    /// One slot per rollout.
    private let slots: UnsafeMutableBufferPointer<RolloutResult>
    /// One slot per worker.
    private let costs: UnsafeMutableBufferPointer<TurnoutJudge.Cost>

    /// Slots for `count` rollouts and `threads` workers.
    init(count: Int, threads: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: RolloutResult())
        costs = .allocate(capacity: threads)
        costs.initialize(repeating: TurnoutJudge.Cost())
    }

    deinit {
        slots.deallocate()
        costs.deallocate()
    }

    /// Stores rollout `i`'s result (only worker i % threads writes slot i).
    func store(_ result: RolloutResult, at i: Int) { slots[i] = result }

    /// Stores a worker's analyzer cost.
    func store(_ cost: TurnoutJudge.Cost, chunk: Int) { costs[chunk] = cost }

    /// All results.
    var results: [RolloutResult] { Array(slots) }
    /// Summed cost.
    var totalCost: TurnoutJudge.Cost {
        costs.reduce(into: TurnoutJudge.Cost()) { $0.nanoseconds += $1.nanoseconds; $0.looks += $1.looks }
    }
}
