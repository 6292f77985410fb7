import Foundation
import Testing
import TurnoutFixture

/// The latency tolerance end to end: a canary slower than the baseline by much less than
/// `max_latency_increase` (default: p99 up to 10 % higher) rides out a held step and is promoted,
/// and one far beyond it is rolled back. Real fixtures, real traffic through the proxy, the admin API.
///
/// Why these numbers. The fixture answers on its loop's timer wheel, whose tick is 10 ms: an
/// answer leaves at the first tick after its delay, so it is measured as its delay plus 0 to
/// 10 ms. Requests that arrive at any phase of the tick dither that rounding, so a shift smaller
/// than a tick still shifts the whole distribution; the load is paced for that (60 clients,
/// 390 requests/s in all, so each client sends every 154 ms, longer than any answer, and no
/// request follows the tick its client's last answer left on). The baseline waits 100 ± 10 ms and
/// the canary 103 ± 10 ms (3 % slower): both span about 90 to 123 ms with the same shape. In our
/// runs the proxy measured means of 106.3 and 108.9 ms and p99s of 119.3 and 122.4 ms: the
/// canary's p99 is 2.6 % above the baseline's, well inside 10 %, yet several times as many of its
/// requests as of the baseline's are above the baseline's p99, the question the analyzer used to
/// ask. With that test (the code before the tolerance was honoured) the 50 % step held 10 s was
/// rolled back for latency in 8 runs of 8, after 1.6 to 4.5 s and 280 to 870 canary requests
/// ("more canary requests than baseline requests are slower than baseline's p99 (120 ms)",
/// evidence 203 to 1,000 ≥ 200); the hold carries about 1,950. The 40 % canary (140 ± 10 ms) is
/// above 1.1 × the baseline's p99 nearly always.
///
/// The p99 threshold comes from the baseline's traffic before the start (the controller needs
/// 5,000 requests: about 13 s at 390 requests/s), so latency is judged from the first look of the
/// hold. The first test takes about 24 s, the second about 14 s; every wait is bounded.
@Suite(.serialized) struct RolloutToleranceEndToEndTests {
    /// Looks every 200 ms; every tolerance at its default (p99, +10 %, 99 % confidence).
    static let analysis = #""analysis": {"interval_ms": 200}"#
    /// Both tests' baseline; the canaries wait 3 % and 40 % longer with the same jitter.
    static let baseline = FixtureBehavior(latencyMs: 100, jitterMs: 10)
    /// Requests a second, and the clients that send them (each paced slower than any answer).
    static let rate = 390.0
    static let clients = 60
    /// Baseline requests the controller needs before a start to fix the p99 threshold
    /// (`CanaryAnalyzer.burnInRequests` at p99), with a few to spare.
    static let thresholdRequests = 5_100

    /// Starts the paced traffic and waits (bounded) until the baseline has carried enough of it
    /// for the p99 threshold to be known at the rollout's start. Stop it once: every `stop` waits
    /// (up to 15 s) for each client to say it has finished.
    static func loadWithThresholdTraffic(_ harness: RolloutHarness) throws -> SteadyLoad {
        let load = SteadyLoad(port: harness.port, rate: rate, threads: clients, seconds: 55)
        let deadline = Date().addingTimeInterval(25)
        while load.answered < thresholdRequests && Date() < deadline { usleep(100_000) }
        #expect(load.answered >= thresholdRequests, "only \(load.answered) baseline requests in 25 s")
        return load
    }

    /// A pool's mean and p99 latency in milliseconds over the last 5 minutes (`GET /stats`).
    static func latency(_ harness: RolloutHarness, pool: String) throws -> (mean: Double, p99: Double) {
        let pools = try harness.call("GET", "/stats").json["pools"] as? [String: Any]
        let windows = (pools?[pool] as? [String: Any])?["windows"] as? [String: Any]
        let latency = (windows?["5m"] as? [String: Any])?["latency_ms"] as? [String: Any]
        return (latency?["mean"] as? Double ?? 0, latency?["p99"] as? Double ?? 0)
    }

    /// Starts a rollout of one 50 % step held 10 s (hold mode) against a canary answering in
    /// `canaryLatencyMs` ± 10 ms, waits (bounded) for it to end and hands the end and the seconds
    /// it took to `check` while the harness and the load are still up.
    static func heldRollout(_ name: String, canaryLatencyMs: Int,
                            check: (RolloutHarness, SteadyLoad, _ end: [String: Any], _ elapsed: Double) throws -> Void) throws {
        let harness = try RolloutHarness(name, extra: analysis, canaryBehavior: FixtureBehavior(latencyMs: canaryLatencyMs, jitterMs: 10),
                                         baselineBehavior: baseline)
        defer { harness.stop() }
        let load = try loadWithThresholdTraffic(harness)
        defer { load.stop() }
        let begin = Date()
        let started = try harness.call("POST", "/splits/web/rollout",
            #"{"baseline": "blue", "canary": "canary", "steps": [{"weight": 50, "hold_s": 10}], "advance": "hold"}"#)
        #expect(started.status == 200, "\(started.json)")
        #expect(((started.json["analysis"] as? [String: Any])?["latency_thresholds_ms"] as? [Any])?.count == 1,
                "thresholds from the traffic before the start, so latency is judged through the whole hold")
        let end = try harness.waitForState(["promoted", "rolled_back", "aborted", "stalled"], seconds: 30)
        try check(harness, load, end, Date().timeIntervalSince(begin))
    }

    @Test func aCanaryThreePercentSlowerIsNotRolledBackAfterALongHold() throws {
        try Self.heldRollout("tolerance-3pc", canaryLatencyMs: 103) { harness, load, end, elapsed in
            let reason = end["reason"] as? String ?? ""
            #expect(end["state"] as? String == "promoted", "after \(Int(elapsed)) s: \(reason)")
            #expect(!reason.contains("slower"), "\(reason)")
            #expect(end["weights"] as? [String: Int] == ["blue": 0, "canary": 100])
            #expect(elapsed >= 10, "promoted only once the hold had passed, after \(elapsed) s")
            #expect((load.pools["canary"] ?? 0) >= 1_500, "the hold carried canary traffic: \(load.pools)")
            // The proxy measured the canary slower, by about 3 ms, and its p99 within 10 %.
            let blue = try Self.latency(harness, pool: "blue"), canary = try Self.latency(harness, pool: "canary")
            #expect(canary.mean > blue.mean * 1.01 && canary.mean < blue.mean * 1.06, "mean \(canary.mean) ms against \(blue.mean) ms")
            #expect(canary.p99 < blue.p99 * 1.1, "p99 \(canary.p99) ms against \(blue.p99) ms")
            #expect(load.statuses.keys.allSatisfy { $0 == 200 } && load.failures.isEmpty,
                    "\(load.statuses) \(load.failures.prefix(3))")
        }
    }

    @Test func aCanaryFortyPercentSlowerIsRolledBackForLatency() throws {
        try Self.heldRollout("tolerance-40pc", canaryLatencyMs: 140) { harness, _, end, elapsed in
            let reason = end["reason"] as? String ?? ""
            #expect(end["state"] as? String == "rolled_back", "after \(Int(elapsed)) s: \(reason)")
            #expect(elapsed < 10, "rolled back before the hold ended, after \(elapsed) s")
            #expect(reason.contains("p99") && (reason.contains("slower") || reason.contains("latency")), "\(reason)")
            #expect(end["weights"] as? [String: Int] == ["blue": 100, "canary": 0])
            let last = try harness.history().last
            #expect(last?["action"] as? String == "rollout_rollback")
            #expect(last?["new"] as? [String: Int] == ["blue": 100, "canary": 0])
        }
    }
}
