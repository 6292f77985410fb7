import Foundation
import Testing
import TurnoutFixture

/// A guarded switch under load through the admin API (SPEC §5): kept after its watch when the new
/// pool is healthy, switched back on its own, with the reason, when it errs or is slow, and
/// refused when the pool left has too little traffic to judge against. No client request fails in
/// any of them (the new pool's own 500s are answers).
@Suite(.serialized) struct GuardedSwitchEndToEndTests {
    static let analysis = #""analysis": {"interval_ms": 200}"#

    /// A service's answer time: 5 ms, give or take one.
    static let service = FixtureBehavior(latencyMs: 5, jitterMs: 1)

    /// The harness under steady load for 5 s on blue (the reference: the same traffic the new
    /// pool then gets), and a guarded switch to the canary pool ("green" here) watched for
    /// `watch` seconds.
    static func switched(_ name: String, green: FixtureBehavior, watch: Int) throws -> (RolloutHarness, SteadyLoad, [String: Any]) {
        let harness = try RolloutHarness(name, extra: analysis, canaryBehavior: green, baselineBehavior: service)
        let load = SteadyLoad(port: harness.port, rate: 300, seconds: 60)
        usleep(5_000_000)
        let started = try harness.call("POST", "/splits/web/switch", #"{"to": "canary", "guard": {"watch_s": \#(watch)}}"#)
        #expect(started.status == 200, "\(started.json)")
        return (harness, load, started.json)
    }

    static func waitForState(_ harness: RolloutHarness, _ states: Set<String>, seconds: Double) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(seconds)
        var last: [String: Any] = [:]
        while Date() < deadline {
            last = try harness.call("GET", "/splits/web/guard").json
            if let state = last["state"] as? String, states.contains(state) { return last }
            usleep(100_000)
        }
        return last
    }

    @Test func aHealthyNewPoolIsKeptAfterTheWatch() throws {
        let (harness, load, started) = try Self.switched("guard-kept", green: Self.service, watch: 3)
        defer { harness.stop() }
        #expect(started["state"] as? String == "watching")
        #expect(started["weights"] as? [String: Int] == ["blue": 0, "canary": 100])
        #expect(((started["reference"] as? [String: Any])?["requests"] as? Int ?? 0) >= 1_000)
        // Changes of the split wait for the watch.
        #expect(try harness.call("PUT", "/splits/web", #"{"blue": 50, "canary": 50}"#).status == 409)
        let end = try Self.waitForState(harness, ["kept", "reverted"], seconds: 15)
        load.stop()
        #expect(end["state"] as? String == "kept", "\(end["reason"] ?? end)")
        #expect(end["weights"] as? [String: Int] == ["blue": 0, "canary": 100])
        #expect(load.failures.isEmpty, "\(load.failures.prefix(3))")
        let actions = try harness.history().map { $0["action"] as? String }
        #expect(actions == ["guard_start", "guard_keep"], "\(actions)")
    }

    @Test func tenPercentErrorsAreSwitchedBackNamingTheErrorRate() throws {
        let (harness, load, _) = try Self.switched("guard-errors", green: FixtureBehavior(latencyMs: 5, jitterMs: 1, errorRate: 0.10), watch: 120)
        defer { harness.stop() }
        let start = Date()
        let end = try Self.waitForState(harness, ["kept", "reverted"], seconds: 30)
        let took = Date().timeIntervalSince(start)
        load.stop()
        #expect(end["state"] as? String == "reverted")
        #expect((end["reason"] as? String)?.contains("canary's error rate") == true, "\(end["reason"] ?? "")")
        #expect(took < 30, "switched back after \(took) s of a 120 s watch")
        #expect(end["weights"] as? [String: Int] == ["blue": 100, "canary": 0])
        #expect(load.failures.isEmpty, "\(load.failures.prefix(3))")
        // The report: the new pool's rate inside its interval, above its line; the reference's bound above its rate.
        let new = try #require(end["new"] as? [String: Any])
        let rate = try #require(new["error_rate"] as? Double), interval = try #require(new["error_rate_interval"] as? [Double])
        #expect(interval[0] <= rate && rate <= interval[1] && rate > (new["error_line"] as? Double ?? 1), "\(new)")
        let reference = try #require(end["reference"] as? [String: Any])
        #expect((reference["error_rate_bound"] as? Double ?? 0) > (reference["error_rate"] as? Double ?? 1), "\(reference)")
        let revert = try #require(try harness.history().last)
        #expect(revert["action"] as? String == "guard_revert" && revert["source"] as? String == "guard")
        #expect(revert["new"] as? [String: Int] == ["blue": 100, "canary": 0])
    }

    @Test func aHundredMillisecondsSlowerIsSwitchedBackNamingLatency() throws {
        let (harness, load, _) = try Self.switched("guard-slow", green: FixtureBehavior(latencyMs: 105, jitterMs: 1), watch: 120)
        defer { harness.stop() }
        let end = try Self.waitForState(harness, ["kept", "reverted"], seconds: 40)
        load.stop()
        #expect(end["state"] as? String == "reverted")
        #expect((end["reason"] as? String)?.contains("canary's p99") == true, "\(end["reason"] ?? "")")
        #expect(load.failures.isEmpty, "\(load.failures.prefix(3))")
    }

    @Test func tooLittleReferenceTrafficIsRefusedWithTheNumberNeeded() throws {
        let harness = try RolloutHarness("guard-small", extra: Self.analysis)
        defer { harness.stop() }
        try harness.warmUp(100)
        usleep(1_100_000)
        let refused = try harness.call("POST", "/splits/web/switch", #"{"to": "canary", "guard": {"watch_s": 60}}"#)
        #expect(refused.status == 409)
        let message = refused.json["error"] as? String ?? ""
        #expect(message.contains("needs at least") && message.contains("nothing changed"), "\(message)")
        #expect(try harness.call("GET", "/splits/web/guard").status == 404)
        #expect(try harness.history().isEmpty)
    }

    @Test func theVerbsEndTheWatchEarly() throws {
        let (harness, load, _) = try Self.switched("guard-verbs", green: Self.service, watch: 300)
        defer { harness.stop() }
        let reverted = try harness.call("POST", "/splits/web/guard/revert")
        load.stop()
        #expect(reverted.status == 200)
        #expect(reverted.json["state"] as? String == "reverted")
        #expect(reverted.json["weights"] as? [String: Int] == ["blue": 100, "canary": 0])
        #expect(try harness.call("POST", "/splits/web/guard/keep").status == 409, "over")
        #expect(try harness.call("POST", "/splits/web/guard/hold").status == 404)
        #expect(load.failures.isEmpty)
    }
}
