import Glibc
import Synchronization
import TurnoutAdmin
import TurnoutConfig
import TurnoutControl
import TurnoutCore
import TurnoutFixture
import TurnoutHTTP
import TurnoutPosix

/// `turnout-bench switch`: how long an operator's switch takes to show in traffic. A proxy with
/// pools blue and green runs in this process behind its real admin socket; client threads keep
/// keep-alive requests going while `turnout ctl switch`'s call flips the split back and forth.
/// For each switch it measures the admin call's round trip (it returns once every worker has
/// the new snapshot) and the time from the call's start to the first response from the new
/// pool, and counts requests sent after the call returned that the old pool answered (must be 0).
enum SwitchCommand {
    static let usage = """
          switch [--switches N] [--clients C] [--workers W] [--gap-ms MS]
                   time from an admin switch to the first request routed by it (in-process proxy)

        """

    /// One request as a client thread saw it.
    struct Sample {
        let sent: UInt64
        let received: UInt64
        let green: Bool
    }

    static func run(arguments: [String]) -> Int32 {
        var options = BenchOptions(arguments)
        do {
            let switches = try options.integer("--switches", default: 200, in: 1...100_000)
            let clients = try options.integer("--clients", default: 2, in: 1...64)
            let workers = try options.integer("--workers", default: 2, in: 1...64)
            let gap = try options.integer("--gap-ms", default: 20, in: 1...10_000)
            try options.expectEmpty()
            return try measure(switches: switches, clients: clients, workers: workers, gapMs: gap)
        } catch {
            writeStandardError("turnout-bench switch: \(error)\n")
            return 1
        }
    }

    static func measure(switches: Int, clients: Int, workers: Int, gapMs: Int) throws -> Int32 {
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
        let control = ControlPlane(server: server, config: config, runtime: RuntimeState(), configPath: nil,
                                   version: "bench", notice: { _ in })
        let api = AdminAPI(control: control, monitor: TrafficMonitor(server: server))
        let admin = try AdminServer(socketPath: socketPath, tcp: nil, token: nil) { api.handle($0) }
        server.start()
        admin.start()
        defer { admin.stop(); server.stop(graceful: false) }

        let port = server.listenAddresses[0].port
        let stop = Atomic<Bool>(false)
        let collected = Mutex<[[Sample]]>([])
        let failures = Atomic<Int>(0)
        let finished = Latch()
        for _ in 0..<clients {
            LoopThread.start(name: "bench-client") {
                defer { finished.signal() }
                var samples: [Sample] = []
                samples.reserveCapacity(1 << 20)
                guard let connection = try? KeepAliveConnection(port: port) else { failures.add(1, ordering: .relaxed); return }
                while !stop.load(ordering: .relaxed) && samples.count < 5_000_000 {
                    let sent = monotonicNanoseconds()
                    guard let body = connection.get() else { failures.add(1, ordering: .relaxed); break }
                    samples.append(Sample(sent: sent, received: monotonicNanoseconds(), green: body.first == UInt8(ascii: "g")))
                }
                collected.withLock { $0.append(samples) }
            }
        }
        let client = AdminClient(endpoint: .unix(path: socketPath), timeout: 10)
        var calls: [(start: UInt64, end: UInt64, green: Bool)] = []
        usleep(100_000)
        for index in 0..<switches {
            usleep(UInt32(gapMs * 1000))
            let green = index % 2 == 0
            let start = monotonicNanoseconds()
            let answer = try client.send("POST", "/splits/web/switch", body: "{\"to\": \"\(green ? "green" : "blue")\"}")
            let end = monotonicNanoseconds()
            guard answer.status == 200 else { throw AdminError("switch refused: \(answer.body)") }
            calls.append((start, end, green))
        }
        usleep(UInt32(gapMs * 1000))
        stop.store(true, ordering: .relaxed)
        for _ in 0..<clients { _ = finished.wait(seconds: 30) }
        let samples = collected.withLock { $0.flatMap { $0 } }.sorted { $0.sent < $1.sent }

        var roundTrips: [Double] = []
        var firstResponses: [Double] = []
        var stale = 0
        for (index, call) in calls.enumerated() {
            let windowEnd = index + 1 < calls.count ? calls[index + 1].start : UInt64.max
            roundTrips.append(Double(call.end - call.start) / 1e3)
            if let first = samples.filter({ $0.green == call.green && $0.received > call.start && $0.sent < windowEnd })
                .map(\.received).min() {
                firstResponses.append(Double(first - call.start) / 1e3)
            }
            stale += samples.filter { $0.sent > call.end && $0.sent < windowEnd && $0.green != call.green }.count
        }
        func percentile(_ values: [Double], _ q: Double) -> String {
            let sorted = values.sorted()
            guard !sorted.isEmpty else { return "-" }
            return String(Int(sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * q))].rounded())) + " µs"
        }
        print("""
            \(switches) switches through the admin socket, \(clients) keep-alive clients, \(workers) workers, \
            \(samples.count) requests, \(failures.load(ordering: .relaxed)) failed
              \(String(repeating: " ", count: 38))\(pad("p50"))\(pad("p90"))\(pad("p99"))\(pad("max"))
              admin call round trip                 \(pad(percentile(roundTrips, 0.5)))\(pad(percentile(roundTrips, 0.9)))\(pad(percentile(roundTrips, 0.99)))\(pad(percentile(roundTrips, 1)))
              call start → first new-pool response  \(pad(percentile(firstResponses, 0.5)))\(pad(percentile(firstResponses, 0.9)))\(pad(percentile(firstResponses, 0.99)))\(pad(percentile(firstResponses, 1)))
              requests sent after a call returned but answered by the old pool: \(stale)
            """)
        return failures.load(ordering: .relaxed) == 0 && stale == 0 ? 0 : 2
    }

    private static func pad(_ text: String) -> String { String(repeating: " ", count: max(1, 11 - text.count)) + text }
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
    func get() -> [UInt8]? {
        guard Self.request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == Self.request.count else { return nil }
        parser.reset()
        while true {
            if filled > 0, case .complete = buffer.withUnsafeBytes({ parser.parse(UnsafeRawBufferPointer(rebasing: $0[0..<filled]), requestMethod: .get, into: &head) }) {
                guard case .contentLength(let length) = head.framing else { return nil }
                let end = head.headLength + Int(length)
                if filled >= end {
                    let body = Array(buffer[head.headLength..<end])
                    buffer.replaceSubrange(0..<end, with: [])
                    buffer += [UInt8](repeating: 0, count: end)
                    filled -= end
                    return body
                }
            }
            guard filled < buffer.count else { return nil }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + filled, $0.count - filled, 0) }
            guard n > 0 else { return nil }
            filled += n
        }
    }
}
