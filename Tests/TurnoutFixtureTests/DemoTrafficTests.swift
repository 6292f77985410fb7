import Glibc
import Synchronization
import Testing
import TurnoutFixture
import TurnoutPosix

/// The demo's background client against real servers: its rate, reconnection, pool counts and
/// errors. Each test runs it for about two seconds at most.
@Suite struct DemoTrafficTests {
    /// Runs `traffic` for `seconds`, then stops it; returns the snapshot and the real duration.
    static func run(_ traffic: DemoTraffic, seconds: Double) -> (DemoTrafficSnapshot, Double) {
        let started = monotonicNanoseconds()
        traffic.start()
        usleep(UInt32(seconds * 1e6))
        traffic.stop()
        return (traffic.snapshot, Double(monotonicNanoseconds() - started) / 1e9)
    }

    @Test func theRateIsRoughlyHonouredOnKeptAliveConnections() throws {
        let fixture = try FixtureUpstream(name: "blue")
        fixture.start()
        defer { fixture.stop() }
        let traffic = try DemoTraffic(target: fixture.listenAddress, requestsPerSecond: 100)
        let (counts, elapsed) = Self.run(traffic, seconds: 2)

        let expected = 100 * elapsed
        #expect(Double(counts.responses) > expected * 0.6 && Double(counts.responses) < expected * 1.3,
                "\(counts.responses) responses in \(elapsed) s at 100/s: \(counts)")
        #expect(counts.errors == 0)
        #expect(counts.status2xx == counts.responses && counts.withoutPool == counts.responses)
        // At the stop, at most one request per connection is still in flight, neither answered
        // nor an error (a starved machine may also have skipped a few past its burst cap).
        #expect(counts.sent >= counts.responses && counts.sent - counts.responses <= counts.connectionsOpened, "\(counts)")
        // Connections are kept alive and reused: a handful (more when a starved machine makes a
        // tick send several at once), far fewer than the requests.
        #expect(counts.connectionsOpened >= 1 && counts.connectionsOpened * 10 <= counts.responses, "\(counts)")
        #expect(fixture.requestsServed >= Int(counts.responses))
        #expect(fixture.requestsServed - Int(counts.responses) <= Int(counts.connectionsOpened))
    }

    @Test func itReconnectsAfterTheServerClosesTheConnection() throws {
        let fixture = try FixtureUpstream(name: "green")
        fixture.start()
        defer { fixture.stop() }
        // `/close` answers with Connection: close and closes: every request needs a new connection.
        let traffic = try DemoTraffic(target: fixture.listenAddress, requestsPerSecond: 50, paths: ["/close"])
        let (counts, elapsed) = Self.run(traffic, seconds: 1.5)

        #expect(Double(counts.responses) > 50 * elapsed * 0.6, "\(counts)")
        #expect(counts.errors == 0)
        #expect(counts.connectionsOpened >= counts.responses, "\(counts)")
        #expect(fixture.acceptedConnections >= Int(counts.responses))
    }

    @Test func eachRequestGoesToTheNextPath() throws {
        // `/` answers 200, `/counter` 200 and counts, `/v2/status` 500 (under the diverging
        // prefix): the statuses and the fixture's count show how many requests each path got.
        let fixture = try FixtureUpstream(name: "blue", behavior: FixtureBehavior(divergePrefix: "/v2"))
        fixture.start()
        defer { fixture.stop() }
        let traffic = try DemoTraffic(target: fixture.listenAddress, requestsPerSecond: 150, paths: ["/", "/counter", "/v2/status"])
        #expect(traffic.paths == ["/", "/counter", "/v2/status"])
        traffic.start()
        #expect(waitFor(seconds: 10) { traffic.snapshot.responses >= 90 })
        traffic.stop()
        let counts = traffic.snapshot
        #expect(counts.errors == 0, "\(counts)")
        // The next call is the fixture's count + 1: how many `/counter` requests the demo sent.
        let counted = try #require(Int(try FixtureTestClient(port: fixture.port).request("GET", "/counter").text.dropFirst(6).dropLast())) - 1
        // Sent requests go in turn (a skipped one takes no path); those still in flight at the
        // stop (at most one per connection) are sent but perhaps not answered, so each share is
        // a third of the sent ones, give or take one, less what was in flight.
        let third = Int(counts.sent) / 3
        let inFlight = Int(counts.sent - counts.responses)
        for (name, share) in [("/counter", counted), ("/v2/status", Int(counts.status5xx)), ("/", Int(counts.status2xx) - counted)] {
            #expect(share >= third - inFlight - 1 && share <= third + 1, "\(name): \(share) of \(counts.sent) sent, \(inFlight) in flight")
        }
        #expect(counts.status2xx + counts.status5xx == counts.responses)
    }

    @Test func aPathThatIsNoRequestTargetIsRefused() throws {
        let target = SocketAddress(host: "127.0.0.1", port: 9)!
        for paths in [[], ["health"], ["/a b"], ["/", "/x\r\nHost: evil"], [""]] {
            #expect(throws: FixtureError.self, "\(paths)") { try DemoTraffic(target: target, requestsPerSecond: 1, paths: paths) }
        }
        #expect(try DemoTraffic(target: target, requestsPerSecond: 1).paths == ["/"])
    }

    @Test func responsesAreCountedByPoolAndStatusClass() throws {
        let server = try ScriptedServer(answers: [
            "HTTP/1.1 200 OK\r\nX-Turnout-Pool: blue\r\nContent-Length: 2\r\n\r\nok",
            "HTTP/1.1 200 OK\r\nx-turnout-pool: canary\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
            "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\nX-Turnout-Pool: blue\r\nContent-Length: 1\r\n\r\nx",
        ])
        defer { server.stop() }
        let traffic = try DemoTraffic(target: SocketAddress(host: "127.0.0.1", port: server.port)!, requestsPerSecond: 100)
        traffic.start()
        #expect(waitFor(seconds: 10) { traffic.snapshot.responses >= 40 })
        traffic.stop()
        let counts = traffic.snapshot
        // The server answers its four in turn on each connection; the client may use more than one.
        #expect(counts.errors == 0, "\(counts)")
        #expect(counts.byPool["blue", default: 0] + counts.byPool["canary", default: 0] + counts.withoutPool == counts.responses)
        #expect(counts.byPool["canary", default: 0] >= 5 && counts.byPool["blue", default: 0] >= 10 && counts.withoutPool >= 5)
        #expect(counts.status2xx + counts.status4xx + counts.status5xx == counts.responses)
        #expect(counts.status4xx >= 5 && counts.status5xx >= 5)
        #expect(counts.byPool.keys.sorted() == ["blue", "canary"])
    }

    @Test func withNoServerItCountsErrorsAndStopsPromptly() throws {
        // A port bound by nobody listening: every connect is refused.
        let server = try ScriptedServer(answers: [], listening: false)
        defer { server.stop() }
        let traffic = try DemoTraffic(target: SocketAddress(host: "127.0.0.1", port: server.port)!, requestsPerSecond: 100)
        let (counts, elapsed) = Self.run(traffic, seconds: 0.5)
        #expect(counts.responses == 0)
        // Connects still pending at the stop (at most one per connection) are neither.
        #expect(counts.errors > 20 && counts.sent - counts.errors <= 16, "\(counts)")
        #expect(elapsed < 1.5, "run and stop took \(elapsed) s")
    }
}

/// Polls `condition` every 5 ms for at most `seconds`.
func waitFor(seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = monotonicNanoseconds() + UInt64(seconds * 1e9)
    while monotonicNanoseconds() < deadline {
        if condition() { return true }
        usleep(5_000)
    }
    return condition()
}

/// A keep-alive server for tests that answers the requests of each connection with `answers`
/// in turn, one thread per connection; every read has a timeout and the accept loop polls, so
/// `stop()` always returns. Bound but not listening when asked: connections are refused.
final class ScriptedServer: @unchecked Sendable {
    let port: UInt16
    private let descriptor: Int32
    private let answers: [[UInt8]]
    private let stopping = Atomic<Bool>(false)
    private var threads: [pthread_t] = []
    private let connectionThreads = Mutex<[pthread_t]>([])

    init(answers: [String], listening: Bool = true) throws {
        self.answers = answers.map { Array($0.utf8) }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            close(fd)
            throw FixtureTestClient.Failure(description: "bind failed: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        descriptor = fd
        port = UInt16(bigEndian: address.sin_port)
        if listening {
            Glibc.listen(fd, 64)
            threads.append(LoopThread.start(name: "test-scripted") { [self] in acceptLoop() })
        }
    }

    func stop() {
        stopping.store(true, ordering: .relaxed)
        for thread in threads { LoopThread.join(thread) }
        for thread in connectionThreads.withLock({ $0 }) { LoopThread.join(thread) }
        close(descriptor)
    }

    private func acceptLoop() {
        while !stopping.load(ordering: .relaxed) {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 20) > 0 else { continue }
            let connection = accept(descriptor, nil, nil)
            guard connection >= 0 else { continue }
            let thread = LoopThread.start(name: "test-scripted-c") { [self] in serve(connection) }
            connectionThreads.withLock { $0.append(thread) }
        }
    }

    /// Answers each request (a head ending in CRLF CRLF; GETs carry no body) with the next answer.
    private func serve(_ connection: Int32) {
        defer { close(connection) }
        var timeout = timeval(tv_sec: 0, tv_usec: 50_000)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var pending: [UInt8] = []
        var next = 0
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !stopping.load(ordering: .relaxed) {
            let n = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if n == 0 { return }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                return
            }
            pending += chunk[0..<n]
            while let end = Self.headEnd(pending) {
                pending.removeFirst(end)
                let answer = answers[next % answers.count]
                next += 1
                _ = answer.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
        }
    }

    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
            return i + 4
        }
        return nil
    }
}
