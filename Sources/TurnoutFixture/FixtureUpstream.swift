import Glibc
import Synchronization
import TurnoutPosix

/// Why a fixture upstream could not start.
public struct FixtureError: Error, CustomStringConvertible {
    public let description: String
}

/// A real HTTP/1.1 upstream server for tests, `turnout demo` and benchmarks: one epoll loop per
/// thread, each with its own `SO_REUSEPORT` listener, answering with its name by default.
///
/// Routes (any method):
/// - `/healthz`: 200 `ok`, or 503 after `setHealthy(false)`
/// - `/echo`: the request body streamed back as it arrives, framed like the request
/// - `/bytes/N`: N bytes where byte i is `i % 251`; `?chunked=1` sends chunks and an
///   `X-Checksum` trailer (the byte sum modulo 2^32, in decimal); `?close=1` ends the body by
///   closing the connection
/// - `/status/N`: status N (200–599) with the name as body (none for 204 and 304)
/// - `/delay/MS`: the name after MS milliseconds
/// - `/die`: promises 1000 bytes, sends 10, closes
/// - `/close`: the name with `Connection: close`, then closes
/// - `/headers`: the raw request head as the body
/// - `/early-hints`: a 103 before the answer
/// - `/counter`: `count N`, N one more on every call to this fixture (over all its loops): an
///   answer that never repeats, as a non-deterministic endpoint's
/// - an `Upgrade` request: 101, then every byte is echoed back
/// - `/_fixture/counts`: `{"accepted":N,"served":M}`, connections and responses so far
/// - `/_fixture`: `GET` answers the default route's behaviour as one line of JSON;
///   `POST /_fixture?error_rate=0.2&latency_ms=50` changes it (any of `latency_ms`, `jitter_ms`,
///   `error_rate`, `body_bytes`, `body_name`, `diverge_prefix`; the others keep their values) and
///   answers the result; a malformed or out-of-range value is a 400 naming the parameter, and
///   nothing changes
/// - anything else: the behaviour's `bodyName` (the fixture's name by default), after the
///   behaviour's latency and with its error rate; under the behaviour's `divergePrefix`,
///   `<bodyName> (diverged)` instead, and a 500 when the path ends in `/status`
///
/// Every response carries `X-Fixture-Name`.
public final class FixtureUpstream: Sendable {
    public let name: String
    /// The bound address; `port` is the real port when 0 was asked for.
    public let listenAddress: SocketAddress
    public var port: UInt16 { listenAddress.port }
    /// `host:port` (IPv6 in brackets), ready for a configuration.
    public var address: String { listenAddress.description }

    private let state: FixtureState
    private let loops: [FixtureLoop]
    private let threads = Mutex<[pthread_t]>([])

    /// Binds the listeners (one per thread, sharing the port); `start()` begins serving.
    public init(name: String, host: String = "127.0.0.1", port: UInt16 = 0, threads: Int = 1,
                behavior: FixtureBehavior = FixtureBehavior()) throws {
        guard let requested = SocketAddress(host: host, port: port) else {
            throw FixtureError(description: "fixture \(name): \(host) is not an IP address")
        }
        guard threads >= 1 else { throw FixtureError(description: "fixture \(name): threads must be at least 1") }
        self.name = name
        state = FixtureState(name: name, behavior: behavior)
        var bound = requested
        var loops: [FixtureLoop] = []
        do {
            for index in 0..<threads {
                // The first listener picks the port (0 = any); the others join it.
                let socket = try Socket.listen(on: bound, reusePort: true)
                if index == 0, let local = socket.localAddress() { bound = local }
                loops.append(try FixtureLoop(index: index, listening: socket, state: state))
            }
        } catch {
            for loop in loops { loop.shutdown() }
            throw FixtureError(description: "fixture \(name): cannot listen on \(bound): \(error)")
        }
        listenAddress = bound
        self.loops = loops
        state.attach(loops)
    }

    deinit { state.detach() }

    /// Starts one thread per loop.
    public func start() {
        let started = loops.map { fixtureLoop in
            LoopThread.start(name: "fixture-\(fixtureLoop.loop.index)") { fixtureLoop.loop.run() }
        }
        threads.withLock { $0 = started }
    }

    /// Closes the listeners and every connection, and joins the threads.
    public func stop() {
        let started = threads.withLock { running -> [pthread_t] in
            defer { running = [] }
            return running
        }
        for fixtureLoop in loops {
            if started.isEmpty {
                fixtureLoop.shutdown()
            } else {
                fixtureLoop.loop.execute { fixtureLoop.shutdown() }
            }
        }
        for thread in started { LoopThread.join(thread) }
    }

    /// Connections accepted since start, over all loops (`GET /_fixture/counts` answers it too).
    public var acceptedConnections: Int { state.counts().accepted }
    /// Final responses written since start, over all loops (`GET /_fixture/counts` answers it too).
    public var requestsServed: Int { state.counts().served }

    /// Makes `/healthz` answer 200 (true) or 503 (false).
    public func setHealthy(_ healthy: Bool) { state.healthy.store(healthy, ordering: .relaxed) }

    /// Changes latency, errors, body and divergence of the default route; loops use it from
    /// their next request. (`POST /_fixture?…` does the same over HTTP.)
    public func setBehavior(_ behavior: FixtureBehavior) { state.setBehavior(behavior) }

    /// The behaviour in force.
    public var behavior: FixtureBehavior { state.currentBehavior().0 }
}
