import Glibc
import TurnoutConfig
import TurnoutPosix

/// Watches the upstream servers from the control side, on one event loop of its own: active
/// health checks for every configured server, the end of outlier ejections, and the hand-off of
/// outlier reports from the workers (a worker must not publish a snapshot itself: it would wait
/// for its own acknowledgement). Follows reloads: probes come and go with the servers.
public final class ServerMonitor: @unchecked Sendable {
    let control: ControlPlane
    let loop: EventLoop
    /// Loop thread only: one probe per pool and server.
    private var probes: [String: HealthProbe] = [:]
    private var watched: (pools: [PoolConfig], health: HealthConfig)?
    private var thread: pthread_t?
    private let ticker: Ticker
    /// How often ejections are checked for their end and the configuration for changes.
    static let tickNanoseconds: UInt64 = 100_000_000

    public init(control: ControlPlane) throws(Errno) {
        self.control = control
        loop = try EventLoop(index: -2, bufferSize: 4096)
        ticker = Ticker()
    }

    /// Starts the checks and takes the workers' outlier reports.
    public func start() {
        let loop = self.loop
        let control = self.control
        control.server.outliers.install { pool, server in
            loop.execute { control.reportOutlier(pool: pool, server: server) }
        }
        thread = LoopThread.start(name: "turnout-health") { loop.run() }
        loop.execute { [self] in
            ticker.monitor = self
            tick()
        }
    }

    /// Stops every check; outlier reports are ignored from now on.
    public func stop() {
        control.server.outliers.install { _, _ in }
        guard let thread else { return }
        let done = Latch()
        loop.execute { [self] in
            loop.timers.remove(ticker)
            for probe in probes.values { probe.cancel() }
            probes.removeAll()
            done.signal()
        }
        _ = done.wait(seconds: 5)
        loop.stop()
        LoopThread.join(thread)
        self.thread = nil
    }

    /// Called by a probe whose verdict changed.
    func verdict(_ probe: HealthProbe, up: Bool, reason: String) {
        control.healthChanged(pool: probe.pool, server: probe.server, up: up, reason: reason)
    }

    fileprivate func tick() {
        control.endEjections()
        let config = control.config
        if watched?.pools != config.pools || watched?.health != config.health {
            follow(config)
        }
        loop.timers.schedule(ticker, at: loop.now &+ Self.tickNanoseconds)
    }

    /// Starts probes for new servers, stops those of removed ones, passes new settings on.
    private func follow(_ config: Config) {
        watched = (config.pools, config.health)
        var wanted: [String: (String, ServerAddress)] = [:]
        for pool in config.pools {
            for server in pool.servers { wanted[pool.name + "\u{0}" + server.address.description] = (pool.name, server.address) }
        }
        for (key, probe) in probes where wanted[key] == nil {
            probe.cancel()
            probes[key] = nil
        }
        // New probes start spread over the first interval, not all at once.
        let spread = UInt64(config.health.intervalMs) * 1_000_000 / UInt64(max(1, wanted.count))
        for (index, (key, target)) in wanted.sorted(by: { $0.key < $1.key }).enumerated() {
            if let probe = probes[key] {
                probe.update(config.health)
            } else {
                probes[key] = HealthProbe(pool: target.0, server: target.1, settings: config.health, monitor: self,
                                          firstCheckIn: UInt64(index) * spread + 1_000_000)
            }
        }
    }
}

/// The monitor's periodic tick on its own timer node.
private final class Ticker: TimerNode {
    weak var monitor: ServerMonitor?
    override func timerExpired(now: UInt64) { monitor?.tick() }
}
