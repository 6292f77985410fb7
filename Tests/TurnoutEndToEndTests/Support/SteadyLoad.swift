import Foundation
import Synchronization
import TurnoutPosix

/// Paced keep-alive traffic from a few client threads, as a service's users would send it
/// during a rollout: about `rate` requests a second in all, bounded by `seconds` and by a
/// request count, counting answers per status and every failed request (no answer at all).
final class SteadyLoad: Sendable {
    private let stopped = Atomic<Bool>(false)
    private let finished = Latch()
    private let threads: Int
    private let counts = Mutex<(statuses: [Int: Int], pools: [String: Int], failures: [String])>(([:], [:], []))

    init(port: UInt16, rate: Double, threads: Int = 4, seconds: Double = 120, path: String = "/") {
        self.threads = threads
        let gap = Double(threads) / rate
        let maximum = Int(rate * seconds / Double(threads)) + 1
        for _ in 0..<threads {
            LoopThread.start(name: "steady-load") { [self] in
                defer { finished.signal() }
                var client: TestClient?
                var next = Date()
                for _ in 0..<maximum where !stopped.load(ordering: .acquiring) {
                    next = next.addingTimeInterval(gap)
                    do {
                        if client == nil { client = try TestClient(port: port, timeoutSeconds: 10) }
                        let response = try client!.request("GET", path)
                        let pool = response.header("x-turnout-pool") ?? "-"
                        counts.withLock { $0.statuses[response.status, default: 0] += 1; $0.pools[pool, default: 0] += 1 }
                    } catch {
                        client = nil
                        counts.withLock { $0.failures.append("\(error)") }
                    }
                    let wait = next.timeIntervalSinceNow
                    if wait > 0 { usleep(UInt32(wait * 1e6)) }
                }
            }
        }
    }

    /// Stops the clients and waits for them (bounded). A second call returns at once: the
    /// clients have already signalled, and waiting again would wait out every bound.
    func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for _ in 0..<threads { _ = finished.wait(seconds: 15) }
    }

    /// Answers per status so far.
    var statuses: [Int: Int] { counts.withLock { $0.statuses } }
    /// Answers per `X-Turnout-Pool`.
    var pools: [String: Int] { counts.withLock { $0.pools } }
    /// Requests that got no answer.
    var failures: [String] { counts.withLock { $0.failures } }
    /// Answers in all.
    var answered: Int { statuses.values.reduce(0, +) }
}
