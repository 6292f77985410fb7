import Glibc
import Synchronization
import TurnoutAdmin
import TurnoutConfig
import TurnoutControl
import TurnoutCore
import TurnoutFixture
import TurnoutHTTP
import TurnoutPosix

/// `turnout-bench switch`: how long an operator's switch takes to show in traffic. Client threads
/// keep keep-alive requests going while the split is flipped back and forth between two pools.
/// For each switch it measures how long the switch itself took and the time from its start to the
/// first response from the new pool, and counts requests sent after the switch returned that the
/// old pool answered.
///
/// Without `--port`, a proxy with pools blue and green runs in this process behind its real admin
/// socket and each switch is `turnout ctl switch`'s call (it returns once every worker has the new
/// snapshot; a stale response is a bug). With `--port`, the proxy is any one listening there, each
/// switch runs a shell command (`--to-a`, `--to-b`: a config rewrite and a reload, say) or, with
/// `--unix`, writes its text to a runtime API's Unix socket from this process (so no tool's start-up
/// time is counted), and the pools are told apart by the response body, which the fixture upstream sets to
/// its name; that is how `Benchmarks/compare/proxies.sh flip` compares Turnout, nginx and HAProxy.
enum SwitchCommand {
    static let usage = """
          switch [--switches N] [--clients C] [--workers W] [--gap-ms MS]
                   time from an admin switch to the first request routed by it (in-process proxy)
          switch --port P --to-a X --to-b X [--unix SOCKET] [--pools A,B] [--switches N] [--clients C] [--gap-ms MS]
                   the same for any proxy on 127.0.0.1:P, switched by running the shell command X, or
                   with --unix by writing X as it is to SOCKET and reading until it closes

        """

    /// One request as a client thread saw it.
    struct Sample {
        let sent: UInt64
        let received: UInt64
        /// Answered by pool B (even-numbered switches go to B, odd ones back to A).
        let fromB: Bool
    }

    /// What is switched, and how.
    struct Target {
        /// The proxy's port on 127.0.0.1.
        var port: UInt16
        /// The bodies by which each pool's responses are recognised: the fixture upstream's `name\n`.
        var poolA: [UInt8], poolB: [UInt8]
        /// Names for the report: the switch, and the proxy.
        var switchLabel: String
        var description: String
        /// Whether a response from the old pool after a switch returned is a failure.
        var staleIsFailure: Bool
        /// Makes the switch: all traffic to pool B when `toB`, else to pool A.
        var flip: (_ toB: Bool) throws -> Void
    }

    static func run(arguments: [String]) -> Int32 {
        var options = BenchOptions(arguments)
        do {
            let switches = try options.integer("--switches", default: 200, in: 1...100_000)
            let clients = try options.integer("--clients", default: 2, in: 1...64)
            let gap = try options.integer("--gap-ms", default: 20, in: 1...10_000)
            if let port = try options.optionalInteger("--port", in: 1...65_535) {
                let switchA = try options.required("--to-a"), switchB = try options.required("--to-b")
                let unixSocket = options.value("--unix")
                let pools = (options.value("--pools") ?? "blue,canary").split(separator: ",").map(String.init)
                guard pools.count == 2 else { throw BenchUsageError("--pools expects two names, A,B") }
                try options.expectEmpty()
                let flip: (Bool) throws -> Void
                if let unixSocket {
                    flip = { toB in try sendUnix(unixSocket, Array((toB ? switchB : switchA).utf8)) }
                } else {
                    flip = { toB in try runShell(toB ? switchB : switchA) }
                }
                let target = Target(port: UInt16(port), poolA: Array((pools[0] + "\n").utf8), poolB: Array((pools[1] + "\n").utf8),
                                    switchLabel: unixSocket == nil ? "switch command" : "runtime API call",
                                    description: "127.0.0.1:\(port), \(pools[0]) ↔ \(pools[1])",
                                    staleIsFailure: false, flip: flip)
                return try measure(target, switches: switches, clients: clients, gapMs: gap)
            }
            let workers = try options.integer("--workers", default: 2, in: 1...64)
            try options.expectEmpty()
            return try measureInProcess(switches: switches, clients: clients, workers: workers, gapMs: gap)
        } catch {
            writeStandardError("turnout-bench switch: \(error)\n")
            return 1
        }
    }

    /// Runs a proxy with pools blue and green in this process and switches it through its admin socket.
    static func measureInProcess(switches: Int, clients: Int, workers: Int, gapMs: Int) throws -> Int32 {
        let blue = try FixtureUpstream(name: "blue")
        let green = try FixtureUpstream(name: "green")
        blue.start()
        green.start()
        defer { blue.stop(); green.stop() }
        let socketPath = "/tmp/turnout-bench-switch-\(getpid()).sock"
        let config = try ConfigLoader.decode(Array("""
            { "listen": ["127.0.0.1:0"], "workers": \(workers), "state_file": null, "admin": { "socket": "\(socketPath)" },
              "pools": { "blue": { "servers": ["\(blue.address)"] }, "green": { "servers": ["\(green.address)"] } },
              "splits": { "web": { "blue": 100, "green": 0 } },
              "routes": [ { "split": "web" } ] }
            """.utf8), source: "switch benchmark")
        let server = try ProxyServer(config: config)
        let control = ControlPlane(server: server, config: config, runtime: RuntimeState(), store: nil, configPath: nil,
                                   version: "bench", notice: { _ in })
        let monitor = TrafficMonitor(server: server)
        let api = AdminAPI(control: control, monitor: monitor, rollouts: RolloutController(control: control, monitor: monitor))
        let admin = try AdminServer(socketPath: socketPath, tcp: nil, token: nil) { api.handle($0) }
        server.start()
        admin.start()
        defer { admin.stop(); server.stop(graceful: false) }

        let client = AdminClient(endpoint: .unix(path: socketPath), timeout: 10)
        let target = Target(port: server.listenAddresses[0].port, poolA: Array("blue\n".utf8), poolB: Array("green\n".utf8),
                            switchLabel: "admin call round trip",
                            description: "through the admin socket, \(workers) workers", staleIsFailure: true) { toB in
            let answer = try client.send("POST", "/splits/web/switch", body: "{\"to\": \"\(toB ? "green" : "blue")\"}")
            guard answer.status == 200 else { throw AdminError("switch refused: \(answer.body)") }
        }
        return try measure(target, switches: switches, clients: clients, gapMs: gapMs)
    }

    /// Keeps `clients` keep-alive clients sending while `target` is switched `switches` times,
    /// `gapMs` apart, and prints the figures. A client whose connection fails (a proxy that closes
    /// keep-alive connections on reload) counts the failure and reconnects.
    static func measure(_ target: Target, switches: Int, clients: Int, gapMs: Int) throws -> Int32 {
        let stop = Atomic<Bool>(false)
        let collected = Mutex<[[Sample]]>([])
        let failures = Atomic<Int>(0)
        let finished = Latch()
        for _ in 0..<clients {
            LoopThread.start(name: "bench-client") {
                defer { finished.signal() }
                var samples: [Sample] = []
                samples.reserveCapacity(1 << 20)
                var connection: KeepAliveConnection?
                var reconnects = 0
                while !stop.load(ordering: .relaxed) && samples.count < 5_000_000 && reconnects < 10_000 {
                    if connection == nil {
                        connection = try? KeepAliveConnection(port: target.port)
                        reconnects += 1
                        if connection == nil { usleep(1_000); continue }
                    }
                    let sent = monotonicNanoseconds()
                    guard let body = connection!.get() else {
                        failures.add(1, ordering: .relaxed)
                        connection = nil
                        continue
                    }
                    guard body == target.poolA || body == target.poolB else {
                        // Neither pool's body: an error the proxy made up, counted as a failure.
                        failures.add(1, ordering: .relaxed)
                        continue
                    }
                    samples.append(Sample(sent: sent, received: monotonicNanoseconds(), fromB: body == target.poolB))
                }
                collected.withLock { $0.append(samples) }
            }
        }
        var calls: [(start: UInt64, end: UInt64, toB: Bool)] = []
        usleep(100_000)
        for index in 0..<switches {
            usleep(UInt32(gapMs * 1000))
            let toB = index % 2 == 0
            let start = monotonicNanoseconds()
            try target.flip(toB)
            calls.append((start, monotonicNanoseconds(), toB))
        }
        usleep(UInt32(gapMs * 1000))
        stop.store(true, ordering: .relaxed)
        for _ in 0..<clients { _ = finished.wait(seconds: 30) }
        let samples = collected.withLock { $0.flatMap { $0 } }.sorted { $0.sent < $1.sent }

        var switchTimes: [Double] = []
        var firstResponses: [Double] = []
        var stale = 0, neverSeen = 0
        for (index, call) in calls.enumerated() {
            let windowEnd = index + 1 < calls.count ? calls[index + 1].start : UInt64.max
            switchTimes.append(Double(call.end - call.start) / 1e3)
            if let first = samples.filter({ $0.fromB == call.toB && $0.received > call.start && $0.sent < windowEnd })
                .map(\.received).min() {
                firstResponses.append(Double(first - call.start) / 1e3)
            } else {
                neverSeen += 1
            }
            // Sent after this switch returned and answered before the next one started, so no
            // later switch can have routed it: the old pool's answer is a stale route.
            stale += samples.filter { $0.sent > call.end && $0.received < windowEnd && $0.fromB != call.toB }.count
        }
        func percentile(_ values: [Double], _ q: Double) -> String {
            let sorted = values.sorted()
            guard !sorted.isEmpty else { return "-" }
            return String(Int(sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * q))].rounded())) + " µs"
        }
        func row(_ label: String, _ values: [Double]) -> String {
            label.padding(toLength: 38, withPad: " ", startingAt: 0)
                + [0.5, 0.9, 0.99, 1].map { pad(percentile(values, $0)) }.joined()
        }
        let failed = failures.load(ordering: .relaxed)
        print("""
            \(switches) switches \(target.description), \(clients) keep-alive clients, \(samples.count) requests, \(failed) failed
              \(String(repeating: " ", count: 38))\(pad("p50"))\(pad("p90"))\(pad("p99"))\(pad("max"))
              \(row(target.switchLabel, switchTimes))
              \(row("switch start → first new-pool response", firstResponses))
              switches whose new pool never answered before the next: \(neverSeen)
              requests sent after a switch returned, answered by the old pool before the next switch: \(stale)
            """)
        guard target.staleIsFailure else { return 0 }
        return failed == 0 && stale == 0 && neverSeen == 0 ? 0 : 2
    }

    private static func pad(_ text: String) -> String { String(repeating: " ", count: max(1, 11 - text.count)) + text }

    /// Connects to the Unix socket at `path`, writes `bytes`, and reads until the peer closes
    /// (10 s at most): one call of a runtime API that answers and closes.
    static func sendUnix(_ path: String, _ bytes: [UInt8]) throws {
        guard let address = SocketAddress(unixPath: path) else { throw BenchUsageError("bad socket path \(path)") }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchUsageError("socket: \(Errno.current)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard address.withSockaddr({ connect(fd, $0, $1) }) == 0 else { throw BenchUsageError("connect \(path): \(Errno.current)") }
        guard bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else {
            throw BenchUsageError("send to \(path): \(Errno.current)")
        }
        var scratch = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return }
            guard n > 0 else { throw BenchUsageError("no answer on \(path): \(Errno.current)") }
        }
    }

    /// Runs `command` with /bin/sh and waits for it (10 s at most); throws unless it exits 0.
    static func runShell(_ command: String) throws {
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("sh"), strdup("-c"), strdup(command), nil]
        defer { for arg in argv { free(arg) } }
        let spawned = posix_spawn(&pid, "/bin/sh", nil, nil, argv, environ)
        guard spawned == 0 else { throw BenchUsageError("cannot run /bin/sh: \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        for _ in 0..<10_000 {
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid {
                // WIFEXITED and WEXITSTATUS, which Swift does not import as macros.
                guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
                    throw BenchUsageError("switch command failed (status \(status)): \(command)")
                }
                return
            }
            usleep(1_000)
        }
        kill(pid, SIGKILL)
        _ = waitpid(pid, &status, 0)
        throw BenchUsageError("switch command still running after 10 s: \(command)")
    }
}

/// A blocking keep-alive HTTP/1.1 client for `GET /`, reading Content-Length bodies.
final class KeepAliveConnection {
    private let fd: Int32
    private var buffer = [UInt8](repeating: 0, count: 16 * 1024)
    private var filled = 0
    private var parser = ResponseHeadParser(limits: HTTPLimits())
    private var head = ResponseHead()
    private static let request = Array("GET / HTTP/1.1\r\nHost: bench\r\n\r\n".utf8)

    init(port: UInt16) throws {
        guard let address = SocketAddress(host: "127.0.0.1", port: port) else { throw AdminError("bad port") }
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard address.withSockaddr({ connect(fd, $0, $1) }) == 0 else { close(fd); throw AdminError("connect failed") }
    }

    deinit { close(fd) }

    /// Sends one request and returns the body, or nil when the connection failed.
    func get() -> [UInt8]? { exchange(readingPool: false)?.body }

    /// Sends one request and returns its answer's `X-Turnout-Pool` value (empty when the field
    /// is absent), or nil when the connection failed.
    func getPool() -> [UInt8]? { exchange(readingPool: true)?.pool }

    private func exchange(readingPool: Bool) -> (body: [UInt8], pool: [UInt8])? {
        guard Self.request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == Self.request.count else { return nil }
        parser.reset()
        while true {
            if filled > 0, case .complete = buffer.withUnsafeBytes({ parser.parse(UnsafeRawBufferPointer(rebasing: $0[0..<filled]), requestMethod: .get, into: &head) }) {
                guard case .contentLength(let length) = head.framing else { return nil }
                let end = head.headLength + Int(length)
                if filled >= end {
                    let body = Array(buffer[head.headLength..<end])
                    var pool: [UInt8] = []
                    if readingPool, let range = buffer.withUnsafeBytes({ head.field("x-turnout-pool", in: $0) }) {
                        pool = Array(buffer[range])
                    }
                    buffer.replaceSubrange(0..<end, with: [])
                    buffer += [UInt8](repeating: 0, count: end)
                    filled -= end
                    return (body, pool)
                }
            }
            guard filled < buffer.count else { return nil }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + filled, $0.count - filled, 0) }
            guard n > 0 else { return nil }
            filled += n
        }
    }
}
