import CTurnoutSys
import Glibc
import TurnoutHTTP
import TurnoutMetrics
import TurnoutPosix

/// What to send where: the target address, the request bytes, the pacing.
struct LoadPlan: Sendable {
    let address: SocketAddress
    let request: [UInt8]
    let url: String
}

/// What one load thread counted; merged over threads at the end.
struct LoadResult: Sendable {
    var latency = Histogram()
    var completed = 0
    var statuses: [Int: Int] = [:]
    var pools: [String: Int] = [:]
    var connectErrors = 0
    var readErrors = 0
    var writeErrors = 0
    var reconnects = 0

    mutating func count(status: Int) {
        statuses[status, default: 0] += 1
    }

    /// The `X-Turnout-Pool` value; a String is made only the first time a name is seen.
    mutating func count(pool bytes: UnsafeRawBufferPointer) {
        for (name, count) in pools where name.utf8.elementsEqual(bytes) {
            pools[name] = count + 1
            return
        }
        pools[String(decoding: bytes, as: UTF8.self)] = 1
    }

    mutating func merge(_ other: LoadResult) {
        latency.merge(other.latency)
        completed += other.completed
        for (status, count) in other.statuses { statuses[status, default: 0] += count }
        for (pool, count) in other.pools { pools[pool, default: 0] += count }
        connectErrors += other.connectErrors
        readErrors += other.readErrors
        writeErrors += other.writeErrors
        reconnects += other.reconnects
    }

    var errors: Int { connectErrors + readErrors + writeErrors }
}

/// One load thread: an event loop, its share of the connections and, at a rate, its pacer.
final class LoadWorker: @unchecked Sendable {
    let loop: EventLoop
    let plan: LoadPlan
    var result = LoadResult()
    var stopping = false
    private(set) var pacer: LoadPacer?
    private var connections: [LoadConnection] = []

    init(index: Int, plan: LoadPlan) throws(Errno) {
        loop = try EventLoop(index: index, bufferSize: 4096)
        self.plan = plan
    }

    /// On the loop: opens `count` connections; with `interval` (nanoseconds between this
    /// thread's requests), a pacer releases requests on that schedule.
    func start(count: Int, interval: UInt64?) throws(Errno) {
        if let interval { pacer = try LoadPacer(worker: self, interval: interval) }
        for _ in 0..<count {
            let connection = LoadConnection(worker: self, closedLoop: interval == nil)
            connections.append(connection)
            connection.start()
        }
    }

    /// On the loop: stops sending; responses in flight are not waited for.
    func finish() {
        stopping = true
        pacer?.stop()
        for connection in connections { connection.stop() }
    }
}

/// The open-loop schedule of one load thread: a request is due every `interval` nanoseconds; a
/// timerfd (nanosecond precision, unlike the 10 ms timer wheel) wakes the loop when the next is
/// due, and each due request goes to an idle connection. With none idle it waits, its due time
/// kept, so the wait counts in its latency.
final class LoadPacer: EventHandler {
    private unowned let worker: LoadWorker
    private let descriptor: Int32
    private var registration: Registration?
    private let interval: UInt64
    private var nextDue: UInt64
    private var idleConnections: [LoadConnection] = []

    init(worker: LoadWorker, interval: UInt64) throws(Errno) {
        self.worker = worker
        self.interval = max(1, interval)
        descriptor = timerfd_create(CLOCK_MONOTONIC, Int32(TFD_NONBLOCK | TFD_CLOEXEC))
        guard descriptor >= 0 else { throw Errno.current }
        nextDue = monotonicNanoseconds() &+ 1_000_000
        registration = try worker.loop.register(descriptor: descriptor, events: EpollEvents.readable | EpollEvents.edgeTriggered, handler: self)
        arm()
    }

    /// A connection can take a request: it gets one now if one is due.
    func idle(_ connection: LoadConnection) {
        if nextDue <= monotonicNanoseconds() {
            let due = nextDue
            nextDue &+= interval
            connection.send(due: due)
        } else {
            idleConnections.append(connection)
        }
    }

    func handleEvents(_ events: UInt32) {
        var expirations: UInt64 = 0
        _ = read(descriptor, &expirations, 8)
        let now = monotonicNanoseconds()
        while nextDue <= now, let connection = idleConnections.popLast() {
            let due = nextDue
            nextDue &+= interval
            connection.send(due: due)
        }
        arm()
    }

    /// Wakes the loop at the next due time (absolute, so no drift accumulates).
    private func arm() {
        var spec = itimerspec()
        spec.it_value.tv_sec = Int(nextDue / 1_000_000_000)
        spec.it_value.tv_nsec = Int(nextDue % 1_000_000_000)
        _ = timerfd_settime(descriptor, Int32(TFD_TIMER_ABSTIME), &spec, nil)
    }

    func stop() {
        if let registration { worker.loop.deregister(descriptor: descriptor, registration: registration) }
        registration = nil
        close(descriptor)
    }
}

/// `turnout-bench load URL`: HTTP/1.1 keep-alive load on its own epoll loops, closed loop like
/// wrk or at a constant rate like wrk2 (latency from when each request was due). Prints
/// requests/s, HDR latency percentiles, statuses, errors and the share of each `X-Turnout-Pool`.
enum LoadCommand {
    static let usage = """
          load URL [-c CONNECTIONS] [-t THREADS] [-d DURATION] [--rate RPS] [-H 'Name: value']… [--json]
                   keep-alive HTTP/1.1 load: closed loop, or RPS requests/s in total (open loop);
                   long forms --connections, --threads, --duration, --header; DURATION like 10, 10s, 2m

        """

    static func run(arguments: [String]) -> Int32 {
        var words = arguments
        let json = words.contains("--json")
        words.removeAll { $0 == "--json" }
        var options = BenchOptions(words)
        do {
            let headers = options.values("--header", aliases: ["-H"])
            let connections = try options.integer("--connections", aliases: ["-c"], default: 64, in: 1...100_000)
            let threads = try options.integer("--threads", aliases: ["-t"], default: 1, in: 1...64)
            let duration = try options.seconds("--duration", aliases: ["-d"], default: 10, in: 1...3_600)
            let rate = try options.integer("--rate", default: 0, in: 0...10_000_000)
            guard let url = options.positional() else { throw BenchUsageError("load needs a URL like http://127.0.0.1:8080/") }
            try options.expectEmpty()
            let plan = try plan(url: url, headers: headers)
            raiseDescriptorLimit(to: connections + 64)
            let result = try measure(plan: plan, connections: connections, threads: min(threads, connections),
                                     seconds: duration, rate: rate)
            print(json ? report(json: result, plan: plan, seconds: duration, connections: connections, rate: rate)
                       : report(text: result, plan: plan, seconds: duration, connections: connections, threads: threads, rate: rate))
            return result.errors == 0 ? 0 : 2
        } catch {
            writeStandardError("turnout-bench load: \(error)\n")
            return 1
        }
    }

    /// `http://HOST:PORT/PATH` (numeric host) into an address and a request.
    static func plan(url: String, headers: [String]) throws -> LoadPlan {
        guard url.hasPrefix("http://") else { throw BenchUsageError("only http:// URLs are supported, got \(url)") }
        let rest = url.dropFirst(7)
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        let host: Substring
        let portText: Substring
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = authority[authority.index(after: authority.startIndex)..<close]
            portText = authority[close...].dropFirst(2)
        } else {
            host = authority.prefix { $0 != ":" }
            portText = authority.dropFirst(host.count + 1)
        }
        guard let port = UInt16(portText.isEmpty ? "80" : portText),
              let address = SocketAddress(host: String(host), port: port) else {
            throw BenchUsageError("\(url): expected http://HOST:PORT/PATH with a numeric host")
        }
        var request = "GET \(path.isEmpty ? "/" : path) HTTP/1.1\r\nHost: \(authority)\r\n"
        for header in headers { request += header + "\r\n" }
        request += "\r\n"
        return LoadPlan(address: address, request: Array(request.utf8), url: url)
    }

    static func measure(plan: LoadPlan, connections: Int, threads: Int, seconds: Int, rate: Int) throws -> LoadResult {
        let workers = try (0..<threads).map { index throws(Errno) in try LoadWorker(index: index, plan: plan) }
        var pthreads: [pthread_t] = []
        for (index, worker) in workers.enumerated() {
            let share = connections / threads + (index < connections % threads ? 1 : 0)
            // With a rate, each thread sends its share of it: rate × share / connections per second.
            let interval: UInt64? = rate > 0 ? UInt64(1e9 * Double(connections) / (Double(rate) * Double(share))) : nil
            pthreads.append(LoopThread.start(name: "load-\(index)") { worker.loop.run() })
            worker.loop.execute {
                do { try worker.start(count: share, interval: interval) } catch { worker.result.connectErrors += share }
            }
        }
        usleep(UInt32(seconds) * 1_000_000)
        let collected = Latch()
        for worker in workers {
            worker.loop.execute {
                worker.finish()
                worker.loop.stop()
                collected.signal()
            }
        }
        for _ in workers { _ = collected.wait(seconds: 10) }
        for thread in pthreads { LoopThread.join(thread) }
        var total = LoadResult()
        for worker in workers { total.merge(worker.result) }
        return total
    }

    private static func milliseconds(_ nanoseconds: UInt64?) -> String {
        guard let nanoseconds else { return "-" }
        let micro = Int(nanoseconds / 1_000)
        return "\(micro / 1_000).\(String(repeating: "0", count: 3 - String(micro % 1_000).count))\(micro % 1_000)"
    }

    static func report(text result: LoadResult, plan: LoadPlan, seconds: Int, connections: Int, threads: Int, rate: Int) -> String {
        let latency = result.latency
        var lines = ["\(plan.url): \(connections) connections on \(threads) threads for \(seconds) s, "
                     + (rate > 0 ? "open loop at \(rate) requests/s (latency from when each request was due)" : "closed loop")]
        lines.append("  requests/s   \(result.completed / max(1, seconds))   (\(result.completed) responses)")
        lines.append("  latency ms   p50 \(milliseconds(latency.value(atQuantile: 0.5)))  p90 \(milliseconds(latency.value(atQuantile: 0.9)))  "
                     + "p99 \(milliseconds(latency.value(atQuantile: 0.99)))  p99.9 \(milliseconds(latency.value(atQuantile: 0.999)))  max \(milliseconds(latency.max))")
        lines.append("  statuses     " + result.statuses.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "  "))
        if !result.pools.isEmpty {
            let total = max(1, result.pools.values.reduce(0, +))
            lines.append("  pools        " + result.pools.sorted { $0.key < $1.key }.map {
                "\($0.key) \($0.value) (\(($0.value * 1000 / total) / 10).\(($0.value * 1000 / total) % 10) %)"
            }.joined(separator: "  "))
        }
        lines.append("  errors       connect \(result.connectErrors)  read \(result.readErrors)  write \(result.writeErrors)  (reconnects \(result.reconnects))")
        return lines.joined(separator: "\n")
    }

    static func report(json result: LoadResult, plan: LoadPlan, seconds: Int, connections: Int, rate: Int) -> String {
        func quantile(_ q: Double) -> String { result.latency.value(atQuantile: q).map { String(Double($0) / 1e6) } ?? "null" }
        let statuses = result.statuses.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ")
        let pools = result.pools.sorted { $0.key < $1.key }.map { "\(jsonQuoted($0.key)): \($0.value)" }.joined(separator: ", ")
        return """
            {"url": \(jsonQuoted(plan.url)), "connections": \(connections), "seconds": \(seconds), "rate": \(rate > 0 ? String(rate) : "null"), \
            "responses": \(result.completed), "requests_per_second": \(Double(result.completed) / Double(seconds)), \
            "latency_ms": {"p50": \(quantile(0.5)), "p90": \(quantile(0.9)), "p99": \(quantile(0.99)), "p99.9": \(quantile(0.999)), \
            "max": \(result.latency.max.map { String(Double($0) / 1e6) } ?? "null")}, "statuses": {\(statuses)}, "pools": {\(pools)}, \
            "errors": {"connect": \(result.connectErrors), "read": \(result.readErrors), "write": \(result.writeErrors)}, "reconnects": \(result.reconnects)}
            """
    }

    private static func jsonQuoted(_ text: String) -> String {
        "\"" + text.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"") + "\""
    }

    /// Raises the open-files limit to hold `count` sockets, as far as the hard limit allows.
    static func raiseDescriptorLimit(to count: Int) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < rlim_t(count) else { return }
        limit.rlim_cur = min(limit.rlim_max, rlim_t(count))
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < rlim_t(count) {
            writeStandardError("turnout-bench load: only \(limit.rlim_cur) descriptors allowed (ulimit -n); some connections will fail\n")
        }
    }
}

private extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
