import Glibc

/// One realization of a cell's world, shared by the three judges so they face the same
/// conditions: the phase of the (compressed) day, the drift, the incident's timing and the noisy
/// host's factors. Traffic itself is drawn by each judge, since each moves weights on its own
/// schedule.
struct Environment {
    /// The cell.
    let cell: Cell
    /// Seed of this realization (the noisy host's factors are derived from it per block).
    let seed: UInt64
    /// Phase of the diurnal cycle, radians.
    let dayPhase: Double
    /// Phase of the drifting base rate, radians.
    let driftPhase: Double
    /// Incident start and end, seconds from the rollout's start.
    let incidentStart: Double, incidentEnd: Double

    /// Seconds until health checks take a failing canary's servers down (fall 3 × 2 s).
    static let healthDownSeconds = 6.0
    /// The diurnal cycle is compressed to 2 hours so that it moves within a rollout: ±40 %.
    static let dayPeriod = 7_200.0
    /// Hosts of the canary pool; each takes an equal share of its traffic.
    static let canaryHosts = 4
    /// Share of the canary's traffic on the noisy host (one host of four).
    static let noisyShare = 1 / Double(canaryHosts)

    /// A realization drawn from `seed`.
    init(cell: Cell, seed: UInt64) {
        self.cell = cell
        self.seed = seed
        var rng = Xoshiro(seed: seed)
        dayPhase = 2 * Double.pi * rng.uniform()
        driftPhase = 2 * Double.pi * rng.uniform()
        let start = 240 * rng.uniform()
        incidentStart = start
        incidentEnd = start + 120 + 360 * rng.uniform()
    }

    /// Load relative to the mean at time t (seconds).
    func load(_ t: Double) -> Double { 1 + 0.4 * sin(2 * Double.pi * t / Self.dayPeriod + dayPhase) }

    /// Requests per second at time t.
    func rate(_ t: Double) -> Double { cell.requestsPerSecond * load(t) }

    /// Whether the incident is on at time t.
    func incidentActive(_ t: Double) -> Bool { cell.incident && t >= incidentStart && t < incidentEnd }

    /// The baseline's (and a healthy canary's) error rate at time t.
    func baseErrorRate(_ t: Double) -> Double {
        var p = cell.baseErrorRate * (1 + 0.3 * (load(t) - 1))
        if cell.drift { p *= exp(0.7 * sin(2 * Double.pi * t / 600 + driftPhase)) }
        if incidentActive(t) { p *= 10 }
        return min(p, 1)
    }

    /// Whether the canary is still warming up at time t (its first `warmupSeconds` of traffic;
    /// the canary takes traffic from the rollout's start).
    func canaryWarming(_ t: Double) -> Bool { t < Double(cell.warmupSeconds) }

    /// The canary's error rate at time t: the base rate with the cell's regression (and the
    /// warm-up's), all of it when the canary's servers fail.
    func canaryErrorRate(_ t: Double) -> Double {
        if cell.canaryFails { return 1 }
        let warm = canaryWarming(t) ? Cell.warmUpErrorMultiplier : 1
        return min(1, baseErrorRate(t) * cell.errorMultiplier * warm + cell.errorIncrease)
    }

    /// Latency scale common to both pools at time t (load and incidents).
    func commonLatencyScale(_ t: Double) -> Double {
        (1 + 0.2 * (load(t) - 1)) * (incidentActive(t) ? 1.5 : 1)
    }

    /// The noisy host's factor for the 10-second block holding t (1 without a noisy host).
    func noisyFactor(_ t: Double) -> Double {
        guard cell.noisyHost else { return 1 }
        var rng = Xoshiro(seed: Xoshiro.derive(seed, 0x4E4F_4953, UInt64(max(t, 0) / 10)))
        return rng.gamma(0.5) / 0.5
    }

    /// The baseline's latency model at time t.
    func baselineLatency(_ t: Double) -> LatencyModel {
        LatencyModel(scale: commonLatencyScale(t))
    }

    /// The canary's latency model at time t, for its ordinary hosts and (when there is one) the
    /// noisy host together.
    func canaryLatency(_ t: Double) -> LatencyModel {
        let warm = canaryWarming(t) ? Cell.warmUpLatencyScale : 1
        return LatencyModel(scale: commonLatencyScale(t) * cell.latencyScale * warm, tailShare: cell.tailShare,
                            tailDelay: cell.tailDelay, noisyShare: cell.noisyHost ? Self.noisyShare : 0,
                            noisyFactor: noisyFactor(t))
    }
}
