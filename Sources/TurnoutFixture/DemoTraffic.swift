import Glibc
import Synchronization
import TurnoutPosix

/// Steady background traffic for `turnout demo`: `GET` without cookies at a fixed rate (open
/// loop: requests leave on schedule whether or not earlier ones answered), each request to the
/// next of its paths in turn (`/` alone by default), over a few
/// keep-alive HTTP/1.1 connections to the proxy, from a thread and epoll loop of its own. It
/// counts responses per status class and per `X-Turnout-Pool` value, and errors, so the demo's
/// charts and `ctl stats` move without anyone running a load generator.
///
/// It never hangs: every connect and every response has a deadline, and a connection that is
/// closed (by the proxy, by `Connection: close`, by an error) is opened again for the next
/// request. Connections are opened only as needed: at most `maxConnections`, beyond which a
/// request due is skipped and counted rather than queued.
public final class DemoTraffic: Sendable {
    /// Where requests go.
    public let target: SocketAddress
    /// Requests per second.
    public let requestsPerSecond: Int
    /// The request targets, taken in turn: request i goes to `paths[i % paths.count]`.
    public let paths: [String]
    private let pacer: DemoTrafficPacer
    private let tally: DemoTrafficTally
    private let thread = Mutex<pthread_t?>(nil)

    /// Prepares the client (its loop and request bytes); `start()` sends. `paths` are the request
    /// targets, one request to each in turn (`/` for the demo; the tests use `/close`); each is
    /// an origin-form target (`/`, then visible ASCII: `/v2/status?x=1`).
    public init(target: SocketAddress, requestsPerSecond: Int, maxConnections: Int = 16, paths: [String] = ["/"]) throws {
        guard requestsPerSecond > 0 else { throw FixtureError(description: "demo traffic: the rate must be at least 1 request per second") }
        guard !paths.isEmpty else { throw FixtureError(description: "demo traffic: give at least one path, such as /") }
        for path in paths where path.utf8.first != UInt8(ascii: "/") || !path.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) {
            throw FixtureError(description: "demo traffic: the path \"\(path)\" is not a request target; expected / then visible ASCII without spaces")
        }
        self.target = target
        self.requestsPerSecond = requestsPerSecond
        self.paths = paths
        tally = DemoTrafficTally()
        let requests = paths.map { Array("GET \($0) HTTP/1.1\r\nHost: \(target)\r\nUser-Agent: turnout-demo\r\n\r\n".utf8) }
        do {
            let loop = try EventLoop(index: 0, bufferSize: 4096)
            pacer = DemoTrafficPacer(loop: loop, target: target, rate: requestsPerSecond, maxConnections: max(maxConnections, 1),
                                     requests: requests, tally: tally)
        } catch {
            throw FixtureError(description: "demo traffic: cannot create its event loop: \(error)")
        }
    }

    /// Starts the thread; requests begin at once. A second call does nothing.
    public func start() {
        thread.withLock { thread in
            guard thread == nil else { return }
            let pacer = self.pacer
            thread = LoopThread.start(name: "demo-traffic") {
                pacer.begin()
                pacer.loop.run()
            }
        }
    }

    /// Closes every connection and joins the thread.
    public func stop() {
        guard let running = thread.withLock({ thread -> pthread_t? in
            defer { thread = nil }
            return thread
        }) else { return }
        pacer.loop.execute { [pacer] in pacer.shutdown() }
        LoopThread.join(running)
    }

    /// The counts so far.
    public var snapshot: DemoTrafficSnapshot { tally.snapshot }
}

/// The counts, shared between the client's loop (which adds to them) and readers of `snapshot`.
/// A response is a few hundred per second at most, so one lock per response costs nothing.
final class DemoTrafficTally: Sendable {
    private let counts = Mutex(DemoTrafficSnapshot())

    func update(_ body: (inout DemoTrafficSnapshot) -> Void) { counts.withLock { body(&$0) } }

    var snapshot: DemoTrafficSnapshot { counts.withLock { $0 } }
}
