import Glibc
import Synchronization
import TurnoutAdmin
import TurnoutPosix

/// `fleet propagate`: from a change's answer on one instance to the first request another
/// instance routes by it. Each other instance is polled by a thread of its own with keep-alive
/// requests back to back (a request is routed by the snapshot in force when it arrives, so a
/// kept-alive connection sees a change as soon as a fresh one would); each answer's
/// `X-Turnout-Pool` names the pool. The changes alternate between all-A and all-B, and the next
/// one is made only once every polled instance routes by the last one (5 s at most).
extension FleetCommand {
    /// One polled instance: its answers as (monotonic ns when received, pool), and the last time
    /// it answered from each pool, which the change loop waits on.
    final class Poller: Sendable {
        let name: String
        let port: UInt16
        let lastA = Atomic<UInt64>(0)
        let lastB = Atomic<UInt64>(0)
        let answers = Mutex<[(received: UInt64, fromB: Bool)]>([])
        let failures = Atomic<Int>(0)

        init(name: String, port: UInt16) {
            self.name = name
            self.port = port
        }

        /// Whether pool B (or A, when `fromB` is false) answered after `time`.
        func answered(fromB: Bool, after time: UInt64) -> Bool {
            (fromB ? lastB.load(ordering: .acquiring) : lastA.load(ordering: .acquiring)) > time
        }
    }

    static func propagation(_ options: inout BenchOptions) throws -> Int32 {
        let socket = try options.required("--admin")
        let targets = try pairs(options.required("--to"), option: "--to").map { pair in
            guard let port = UInt16(pair.value), port > 0 else { throw BenchUsageError("--to expects NAME=PORT, got \(pair.name)=\(pair.value)") }
            return Poller(name: pair.name, port: port)
        }
        let changes = try options.integer("--changes", default: 100, in: 2...100_000)
        let split = options.value("--split") ?? "web"
        let pools = (options.value("--pools") ?? "blue,canary").split(separator: ",").map(String.init)
        guard pools.count == 2 else { throw BenchUsageError("--pools expects two names, A,B") }
        let gapMs = try options.integer("--gap-ms", default: 20, in: 0...10_000)
        try options.expectEmpty()

        let admin = AdminClient(endpoint: .unix(path: socket), timeout: 10)
        let (poolA, poolB) = (Array(pools[0].utf8), Array(pools[1].utf8))
        let stop = Atomic<Bool>(false)
        let finished = Latch()
        for poller in targets {
            LoopThread.start(name: "bench-poll") {
                defer { finished.signal() }
                var answers: [(received: UInt64, fromB: Bool)] = []
                answers.reserveCapacity(1 << 20)
                var connection: KeepAliveConnection?
                var attempts = 0
                while !stop.load(ordering: .relaxed) && answers.count < 20_000_000 && attempts < 100_000 {
                    if connection == nil {
                        attempts += 1
                        connection = try? KeepAliveConnection(port: poller.port)
                        if connection == nil { usleep(1_000); continue }
                    }
                    guard let pool = connection!.getPool() else {
                        poller.failures.add(1, ordering: .relaxed)
                        connection = nil
                        continue
                    }
                    let received = monotonicNanoseconds()
                    if pool == poolB {
                        poller.lastB.store(received, ordering: .releasing)
                        answers.append((received, true))
                    } else if pool == poolA {
                        poller.lastA.store(received, ordering: .releasing)
                        answers.append((received, false))
                    } else {
                        poller.failures.add(1, ordering: .relaxed)
                    }
                }
                poller.answers.withLock { $0 = answers }
            }
        }
        var polling = true
        /// Stops the pollers and waits for their answers (30 s at most each); once.
        func stopPolling() {
            guard polling else { return }
            polling = false
            stop.store(true, ordering: .relaxed)
            for _ in targets { _ = finished.wait(seconds: 30) }
        }
        defer { stopPolling() }

        /// Sets the split to all `toB ? B : A` and waits until every poller saw it (5 s at most).
        func change(toB: Bool) throws -> (start: UInt64, end: UInt64, seen: Bool) {
            let body = "{\"\(pools[0])\": \(toB ? 0 : 100), \"\(pools[1])\": \(toB ? 100 : 0)}"
            let start = monotonicNanoseconds()
            let answer = try admin.send("PUT", "/splits/\(split)", body: body)
            let end = monotonicNanoseconds()
            guard answer.status == 200 else { throw BenchUsageError("PUT /splits/\(split) answered \(answer.status): \(answer.body)") }
            for _ in 0..<50_000 where !targets.allSatisfy({ $0.answered(fromB: toB, after: start) }) { usleep(100) }
            return (start, end, targets.allSatisfy { $0.answered(fromB: toB, after: start) })
        }

        // Every instance routes to A before the first measured change.
        _ = try change(toB: false)
        var calls: [(start: UInt64, end: UInt64, toB: Bool)] = []
        for index in 0..<changes {
            if gapMs > 0 { usleep(UInt32(gapMs * 1000)) }
            let toB = index % 2 == 0
            let (start, end, _) = try change(toB: toB)
            calls.append((start, end, toB))
        }
        usleep(UInt32(max(gapMs, 1) * 1000))
        stopPolling()

        let callTimes = calls.map { Double($0.end - $0.start) / 1e6 }
        print(row("admin call on the changing instance (PUT /splits/\(split), all \(pools[0]) ↔ all \(pools[1]))", "\(changes)",
                  "median \(milliseconds(quantile(callTimes, 0.5))), p99 \(milliseconds(quantile(callTimes, 0.99))), "
                  + "max \(milliseconds(quantile(callTimes, 1)))"))
        for poller in targets {
            let answers = poller.answers.withLock { $0 }
            var fromAnswer: [Double] = [], fromStart: [Double] = []
            var unseen = 0, flaps = 0
            for (index, call) in calls.enumerated() {
                let windowEnd = index + 1 < calls.count ? calls[index + 1].start : UInt64.max
                let window = answers.filter { $0.received > call.start && $0.received < windowEnd }
                guard let first = window.first(where: { $0.fromB == call.toB }) else {
                    unseen += 1
                    continue
                }
                fromAnswer.append((Double(first.received) - Double(call.end)) / 1e6)
                fromStart.append(Double(first.received - call.start) / 1e6)
                // The old pool answering after the new one did: routing went back and forth.
                flaps += window.filter { $0.received > first.received && $0.fromB != call.toB }.count
            }
            print(row("the call's answer → first request routed by it on \(poller.name)", "\(fromAnswer.count)",
                      "median \(milliseconds(quantile(fromAnswer, 0.5))), p99 \(milliseconds(quantile(fromAnswer, 0.99))), "
                      + "max \(milliseconds(quantile(fromAnswer, 1))) (from the call's start: median \(milliseconds(quantile(fromStart, 0.5))), "
                      + "p99 \(milliseconds(quantile(fromStart, 0.99)))); \(answers.count) requests polled, "
                      + "\(poller.failures.load(ordering: .relaxed)) failed, \(unseen) changes never seen, \(flaps) old-pool answers after the new one"))
        }
        return 0
    }
}
