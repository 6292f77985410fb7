import TurnoutPosix

/// The client's side of `DemoTraffic` on its loop: the pacer's timer, which every tick sends
/// the requests that fell due since the start (so the rate holds on average whatever the tick's
/// jitter), and the connections it sends them on. Loop-confined, hence `@unchecked Sendable`:
/// the reference crosses threads only to post `shutdown` to the loop.
final class DemoTrafficPacer: TimerNode, @unchecked Sendable {
    let loop: EventLoop
    let target: SocketAddress
    let rate: Int
    let maxConnections: Int
    /// The bytes of the request to each path, sent in turn.
    let requests: [[UInt8]]
    let tally: DemoTrafficTally
    private var connections: [DemoTrafficConnection] = []
    private var startedAt: UInt64 = 0
    /// Requests due so far that were sent or skipped.
    private var issued: UInt64 = 0
    /// The index in `requests` of the next request sent.
    private var nextRequest = 0
    private var stopped = false

    /// One pacing step: the timer wheel's tick.
    static let interval = TimerWheel.tickNanoseconds
    /// How long a connect, or a response, may take before it counts as an error.
    static let timeout: UInt64 = 10_000_000_000

    init(loop: EventLoop, target: SocketAddress, rate: Int, maxConnections: Int, requests: [[UInt8]], tally: DemoTrafficTally) {
        self.loop = loop
        self.target = target
        self.rate = rate
        self.maxConnections = maxConnections
        self.requests = requests
        self.tally = tally
        super.init()
    }

    /// Starts pacing (on the loop's thread, before it runs).
    func begin() {
        startedAt = monotonicNanoseconds()
        loop.timers.schedule(self, at: startedAt &+ Self.interval)
    }

    override func timerExpired(now: UInt64) {
        guard !stopped else { return }
        let due = UInt64((Double(now &- startedAt) / 1e9 * Double(rate)).rounded(.down))
        if due > issued {
            var behind = due - issued
            // After a stall (a suspended process, a starved machine) send at most a tenth of a
            // second's worth at once: a burst would show in the demo's charts as a spike that
            // the proxy did not cause.
            let burst = UInt64(max(rate / 10, 1))
            if behind > burst {
                let dropped = behind - burst
                tally.update { $0.skipped += dropped }
                issued += dropped
                behind = burst
            }
            for _ in 0..<behind {
                issued += 1
                issue()
            }
        }
        loop.timers.schedule(self, at: now &+ Self.interval)
    }

    /// Sends one request, to the path after the previous request's: on an idle kept-alive
    /// connection if there is one, else on a closed slot opened again, else on a new connection;
    /// skipped when all are busy (a skipped request takes no path: the sent ones go in turn).
    private func issue() {
        let connection = connections.first { $0.isIdle } ?? connections.first { $0.isClosed } ?? {
            guard connections.count < maxConnections else { return nil }
            let fresh = DemoTrafficConnection(pacer: self)
            connections.append(fresh)
            return fresh
        }()
        guard let connection else {
            tally.update { $0.skipped += 1 }
            return
        }
        let request = requests[nextRequest]
        nextRequest = nextRequest + 1 == requests.count ? 0 : nextRequest + 1
        tally.update { $0.sent += 1 }
        connection.send(request)
    }

    /// Closes everything and stops the loop (on the loop's thread).
    func shutdown() {
        stopped = true
        loop.timers.remove(self)
        for connection in connections { connection.close() }
        connections = []
        loop.stop()
    }
}
