/// One row group of the table: the traffic conditions, the plan's holds and warm-up, and the
/// canary's true behavior.
struct Cell: Sendable {
    /// How a cell's outcomes are read, from where its canary stands against the tolerances
    /// (SPEC §9: errors at most the baseline's + 0.5 pp, p99 at most 1.1 × the baseline's).
    enum Kind: String, Sendable {
        /// As good as the baseline: any rollback is false.
        case healthy
        /// Worse than the baseline but within every tolerance: a good canary, any rollback is false.
        case within
        /// Beyond a tolerance: any promotion is false.
        case beyond
        /// Exactly at a tolerance: neither outcome is wrong, the split between them is the figure.
        case boundary
    }

    /// Short name printed in the table (and matched by `--cells`).
    var name: String
    /// How to read the outcomes.
    var kind: Kind
    /// Mean requests per second over both pools.
    var requestsPerSecond: Double = 1_000
    /// The healthy error rate at nominal load (0 for a service that never fails).
    var baseErrorRate = 0.005
    /// Every canary request fails, and health checks take the canary's servers down after
    /// `Environment.healthDownSeconds` (a canary that does not start).
    var canaryFails = false
    /// Canary error rate ÷ baseline error rate (a regression that grows with the base rate).
    var errorMultiplier: Double = 1
    /// Added to the canary's error rate (0.003 is +0.3 pp): a regression of its own that does not
    /// follow the base rate, the shape the absolute tolerance is written for.
    var errorIncrease: Double = 0
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
    /// Each weight step's `hold_s` in Turnout's plan. The reference judges keep their own
    /// schedules, so a cell that differs from another only by its hold is run by Turnout alone.
    var holdSeconds = Cell.defaultHoldSeconds
    /// The plan's `warmup_s`; a cell with one also has a canary that is slow
    /// (`Cell.warmUpLatencyScale`) and erring (`Cell.warmUpErrorMultiplier`) for exactly its
    /// first `warmupSeconds` of traffic and healthy after: what the warm-up is for.
    var warmupSeconds = 0

    /// Hold of each step in most cells (a short rollout: 5 %, 25 %, 50 % for 30 s each).
    static let defaultHoldSeconds = 30
    /// The warming canary's error rate ÷ its healthy rate.
    static let warmUpErrorMultiplier = 3.0
    /// The warming canary's latency ÷ its healthy latency.
    static let warmUpLatencyScale = 1.5

    /// Whether only Turnout runs this cell: it differs from another cell only by its hold, which
    /// the reference judges do not read.
    var turnoutOnly: Bool { holdSeconds != Self.defaultHoldSeconds }
}

extension Cell {
    /// Seed of the cell's realizations: FNV-1a of its name, so that a cell meets the same traffic
    /// whichever cells run with it and wherever it sits in the table.
    var seed: UInt64 { Xoshiro.seed(named: name) }
}
