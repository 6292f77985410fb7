import Glibc
import Synchronization
import TurnoutConfig
import TurnoutMetrics
import TurnoutMirror
import TurnoutPosix

/// Why the proxy could not start.
public struct ProxyStartError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// The running proxy: one worker per event-loop thread, each with its own SO_REUSEPORT
/// listener per configured address. Configuration changes are published as snapshots that
/// every worker adopts from its next request.
public final class ProxyServer: Sendable {
    private let workers: [Worker]
    private let threads = Mutex<[pthread_t]>([])
    private let current: Mutex<ProxySnapshot>
    /// The addresses actually bound (a configured port 0 shows the port the kernel chose).
    public let listenAddresses: [SocketAddress]
    /// Client connections the process will hold at once: `max_connections`, lowered when the
    /// descriptor limit could not also give each client an upstream connection.
    public let effectiveMaxConnections: Int
    /// The access log's writer, when `access_log` is set.
    public let accessLog: AccessLogWriter?
    /// Where workers report servers that keep failing (the control plane decides on ejection).
    public let outliers = OutlierReports()

    /// Per configured listen address (as written, `host:port`), the listening descriptors of the
    /// workers: what a binary upgrade hands to the new process (`inherited` below).
    public let listeningDescriptors: [(address: String, descriptors: [Int32])]

    /// Binds the listeners and creates the workers, routing by `config` with runtime `weights`
    /// and `unavailable` servers (drained ones from the state file) in force from the first request.
    /// `inherited` holds listening sockets a previous process handed over, per configured address:
    /// they are used instead of binding new ones, so connections already queued on them (and
    /// arriving while the old process drains) are accepted here and never reset.
    public init(config: Config, weights: [String: [String: Int]] = [:], unavailable: [String: Set<String>] = [:],
                inherited: [String: [Int32]] = [:]) throws(ProxyStartError) {
        let snapshot = try Self.snapshot(for: config, weights: weights, unavailable: unavailable)
        let count = config.workers > 0 ? config.workers : max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        let accessLog = try config.accessLog.map { destination throws(ProxyStartError) in try AccessLogWriter(destination: destination) }
        var workers: [Worker] = []
        do {
            for index in 0..<count {
                workers.append(try Worker(index: index, snapshot: snapshot,
                                          connectionLimit: max(1, snapshot.settings.maxConnections / count), accessLog: accessLog,
                                          outliers: outliers))
            }
        } catch {
            throw ProxyStartError(description: "cannot create an event loop: \(error)")
        }
        var bound: [SocketAddress] = []
        var descriptors: [(address: String, descriptors: [Int32])] = []
        var unused = inherited
        for configured in config.listen {
            guard var address = SocketAddress(host: configured.host, port: configured.port) else {
                throw ProxyStartError(description: "listen: cannot use address \(configured)")
            }
            if let handed = unused.removeValue(forKey: configured.description), !handed.isEmpty {
                // Round robin over the workers: every handed-over socket is accepted from.
                for (i, descriptor) in handed.enumerated() {
                    let listener = Listener(worker: workers[i % workers.count], socket: Socket(adopting: descriptor))
                    do {
                        try listener.register()
                    } catch {
                        throw ProxyStartError(description: "listen: cannot use the inherited listener for \(configured): \(error)")
                    }
                    if let actual = listener.socket.localAddress() { address = actual }
                    workers[i % workers.count].listeners.append(listener)
                }
                descriptors.append((configured.description, handed))
                bound.append(address)
                continue
            }
            var fds: [Int32] = []
            for worker in workers {
                do {
                    let socket = try Socket.listen(on: address, reusePort: true)
                    // With port 0 the first bind picks the port; every other worker joins it.
                    if address.port == 0, let actual = socket.localAddress() { address = address.with(port: actual.port) }
                    fds.append(socket.descriptor)
                    let listener = Listener(worker: worker, socket: socket)
                    try listener.register()
                    worker.listeners.append(listener)
                } catch {
                    throw ProxyStartError(description: "listen: cannot listen on \(configured): \(error)")
                }
            }
            descriptors.append((configured.description, fds))
            bound.append(address)
        }
        // Handed-over sockets for addresses no longer configured: nobody would accept from them.
        for descriptor in unused.values.joined() { close(descriptor) }
        listeningDescriptors = descriptors
        // Every client connection may need an upstream one (busy or idle in the pool), so the
        // descriptors left after start-up are shared half and half; accepting then waits at the
        // limit instead of taking descriptors an upstream connect would need (a 502).
        let budget = Self.clientDescriptorBudget()
        effectiveMaxConnections = min(snapshot.settings.maxConnections, max(count, budget))
        for worker in workers { worker.connectionLimit = max(1, effectiveMaxConnections / count) }
        self.workers = workers
        self.accessLog = accessLog
        listenAddresses = bound
        current = Mutex(snapshot)
    }

    /// Descriptors headroom kept for files, the admin socket and health checks.
    private static let reservedDescriptors = 16

    /// How many client connections the soft RLIMIT_NOFILE leaves room for.
    private static func clientDescriptorBudget() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return .max }
        // The lowest free descriptor approximates how many are open now.
        let probe = dup(0)
        let open = probe >= 0 ? Int(probe) : 0
        if probe >= 0 { close(probe) }
        return max(0, (Int(limit.rlim_cur) - open - reservedDescriptors) / 2)
    }

    /// Compiles a configuration into the snapshot the workers route by.
    public static func snapshot(for config: Config, weights: [String: [String: Int]] = [:],
                                unavailable: [String: Set<String>] = [:]) throws(ProxyStartError) -> ProxySnapshot {
        do {
            return ProxySnapshot(routing: try RoutingTable(config: config, weights: weights, unavailable: unavailable),
                                 settings: ProxySettings(config: config))
        } catch {
            throw ProxyStartError(description: error.description)
        }
    }

    public var workerCount: Int { workers.count }
    public var snapshot: ProxySnapshot { current.withLock { $0 } }

    /// Starts one thread per worker.
    public func start() {
        let started = workers.map { worker in
            LoopThread.start(name: "turnout-w\(worker.loop.index)") { worker.loop.run() }
        }
        threads.withLock { $0 = started }
    }

    /// Makes every worker route by `snapshot` from its next request. Returns once all have
    /// adopted it (or after `timeout` seconds), so a caller can say the change is in force.
    @discardableResult
    public func publish(_ snapshot: ProxySnapshot, timeout: Double = 5) -> Bool {
        post(snapshot).wait(seconds: timeout)
    }

    /// Hands `snapshot` to every worker's inbox and returns at once. Workers adopt snapshots in
    /// the order they were posted, so callers that post under one lock never see an older
    /// snapshot win over a newer one.
    public func post(_ snapshot: ProxySnapshot) -> Adoption {
        current.withLock { $0 = snapshot }
        let latch = Latch()
        for worker in workers {
            worker.loop.execute {
                worker.adopt(snapshot)
                latch.signal()
            }
        }
        return Adoption(latch: latch, workers: workers.count)
    }

    /// The workers' acknowledgements of one posted snapshot.
    public struct Adoption: Sendable {
        let latch: Latch
        let workers: Int

        /// Waits until every worker routes by the snapshot; false when `seconds` passed first.
        public func wait(seconds: Double) -> Bool {
            (0..<workers).allSatisfy { _ in latch.wait(seconds: seconds) }
        }
    }

    /// Runs `read` on every worker's own thread and returns what each gave: the one way state
    /// owned by the loops is read from outside, without a lock on their side. The reading is
    /// whole or nothing: nil when some worker did not answer within `timeout` seconds, so a sum
    /// over workers is never silently short of one.
    func collect<T: Sendable>(timeout: Double = 5, _ read: @escaping @Sendable (Worker) -> T) -> [T]? {
        let collected = Mutex<[T]>([])
        let latch = Latch()
        for worker in workers {
            worker.loop.execute {
                let value = read(worker)
                collected.withLock { $0.append(value) }
                latch.signal()
            }
        }
        let deadline = monotonicNanoseconds() &+ UInt64(timeout * 1e9)
        for _ in workers {
            let left = Double(deadline &- min(deadline, monotonicNanoseconds())) / 1e9
            guard latch.wait(seconds: max(left, 0.001)) else { return nil }
        }
        return collected.withLock { $0 }
    }

    /// Runs `body` on every worker's thread and returns the results, for measurements that
    /// need the worker's own thread (per-thread allocation counts in the micro benchmarks);
    /// nil when a worker did not answer within `timeout` seconds.
    public func onEveryWorker<T: Sendable>(timeout: Double = 5, _ body: @escaping @Sendable () -> T) -> [T]? {
        collect(timeout: timeout) { _ in body() }
    }

    /// Counters summed over all workers; nil when a worker did not answer within `timeout`.
    public func counters(timeout: Double = 5) -> WorkerCounters? {
        guard let all = collect(timeout: timeout, { worker in
            var copy = worker.counters
            copy.openConnections = worker.openConnectionCount
            return copy
        }) else { return nil }
        var total = WorkerCounters()
        for counters in all { total.add(counters) }
        return total
    }

    /// Requests in flight and idle pooled connections of one upstream server, over all workers.
    public struct ServerGauges: Sendable, Equatable {
        public var inFlight = 0
        public var idleConnections = 0
    }

    /// Per pool name and server label, summed over workers (for status and tests); nil when a
    /// worker did not answer within `timeout`.
    public func serverGauges(timeout: Double = 5) -> [String: [String: ServerGauges]]? {
        var total: [String: [String: ServerGauges]] = [:]
        guard let all = collect(timeout: timeout, { worker in
            worker.pools.flatMap { pool in
                pool.servers.map { (pool.definition.name, $0.definition.label, $0.inFlight, $0.idleCount) }
            }
        }) else { return nil }
        for gauges in all {
            for (pool, server, inFlight, idle) in gauges {
                total[pool, default: [:]][server, default: ServerGauges()].inFlight += inFlight
                total[pool, default: [:]][server, default: ServerGauges()].idleConnections += idle
            }
        }
        return total
    }

    /// Every upstream server's traffic since start, merged over the workers: responses by
    /// class, errors by kind, bytes, latency and time-to-first-byte histograms. Subtracting an
    /// earlier reading gives the exact traffic in between (a window, a rollout step). `pools`
    /// limits the reading to those pools (a rollout's two). Nil when a worker did not answer
    /// within `timeout`: a reading short of a worker would not be exact.
    public func trafficTotals(pools: Set<String>? = nil, timeout: Double = 5) -> [TrafficKey: TrafficStats]? {
        var total: [TrafficKey: TrafficStats] = [:]
        guard let books = collect(timeout: timeout, { $0.traffic.snapshot(pools: pools) }) else { return nil }
        for book in books {
            for (key, stats) in book {
                if total[key] == nil { total[key] = stats } else { total[key]!.merge(stats) }
            }
        }
        return total
    }

    /// The shadow traffic since start, merged over the workers (SPEC §10): counts per route,
    /// primary pool and shadow pool, the last mismatches (newest first) and the copies in flight.
    /// Nil when a worker did not answer within `timeout`.
    public func mirrorReport(timeout: Double = 5) -> MirrorReport? {
        guard let parts = collect(timeout: timeout, { worker in
            let (counts, mismatches) = worker.mirrors.snapshot()
            return (counts, mismatches, worker.mirrors.copiesInFlight)
        }) else { return nil }
        var report = MirrorReport()
        for (counts, mismatches, inFlight) in parts {
            report.add(counts: counts, mismatches: mismatches)
            report.inFlight += inFlight
        }
        return report
    }

    /// Stops the proxy. Graceful: stop accepting, let in-flight requests finish for up to the
    /// configured drain time, close idle connections, then stop the loops. Blocks until the
    /// threads have exited.
    public func stop(graceful: Bool = true) {
        let latch = Latch()
        for worker in workers {
            worker.loop.execute {
                worker.beginDrain { latch.signal() }
                if !graceful { worker.closeEverything() }
            }
        }
        let drainSeconds = Double(snapshot.settings.drainTimeout) / 1e9
        let deadline = monotonicNanoseconds() + snapshot.settings.drainTimeout
        for _ in workers {
            let left = max(0.01, Double(deadline &- min(deadline, monotonicNanoseconds())) / 1e9)
            if !latch.wait(seconds: min(left, drainSeconds)) { break }
        }
        let forced = Latch()
        for worker in workers {
            worker.loop.execute {
                worker.closeEverything()
                worker.accessLog?.flush()
                worker.loop.stop()
                forced.signal()
            }
        }
        for _ in workers { _ = forced.wait(seconds: 5) }
        let started = threads.withLock { running -> [pthread_t] in
            let copy = running
            running = []
            return copy
        }
        for thread in started { LoopThread.join(thread) }
        accessLog?.stop()
    }
}
