import Foundation
import Testing
import TurnoutFixture
import TurnoutTestSupport

/// Rollouts end to end: real upstreams, real traffic through the proxy, the admin API on its
/// socket, the rollout controller judging what the proxy carried. Every wait is bounded.
@Suite(.serialized) struct RolloutEndToEndTests {
    /// Short looks and small step minimums, so a rollout takes seconds.
    static let quick = #""analysis": {"interval_ms": 200, "min_requests": 50}"#

    @Test func aHealthyCanaryIsPromotedUnderLoadWithNoFailedRequest() throws {
        let receiver = try WebhookReceiver(answer: .status(204))
        defer { receiver.stop() }
        let harness = try RolloutHarness("rollout-healthy", extra: Self.quick + #", "notify": {"webhooks": ["http://127.0.0.1:\#(receiver.port)/turnout"]}"#)
        defer { harness.stop() }
        let load = SteadyLoad(port: harness.port, rate: 300, seconds: 60)
        let started = try harness.call("POST", "/splits/web/rollout",
            #"{"baseline": "blue", "canary": "canary", "steps": [{"weight": 10, "hold_s": 1}, {"weight": 50, "hold_s": 1}]}"#)
        #expect(started.status == 200, "\(started.json)")
        #expect(started.json["state"] as? String == "running")
        #expect(started.json["weights"] as? [String: Int] == ["blue": 90, "canary": 10])
        let end = try harness.waitForState(["promoted", "rolled_back", "aborted"], seconds: 30)
        load.stop()
        #expect(end["state"] as? String == "promoted", "\(end["reason"] ?? "")")
        #expect(end["weights"] as? [String: Int] == ["blue": 0, "canary": 100])
        #expect(load.failures.isEmpty, "\(load.failures.prefix(3))")
        #expect(load.statuses.keys.allSatisfy { $0 == 200 }, "\(load.statuses)")
        #expect((load.pools["canary"] ?? 0) > 0 && (load.pools["blue"] ?? 0) > 0)
        let entries = try harness.history().filter { ($0["action"] as? String)?.hasPrefix("rollout_") == true }
        #expect(entries.map { $0["action"] as? String } == ["rollout_start", "rollout_step", "rollout_promote"])
        #expect(entries.allSatisfy { $0["source"] as? String == "rollout" && ($0["reason"] as? String)?.isEmpty == false })
        #expect(entries.map { ($0["new"] as? [String: Int])?["canary"] } == [10, 50, 100])
        // Each history entry was POSTed to the webhook, in history order.
        let deadline = Date().addingTimeInterval(10)
        while receiver.requests.count < entries.count && Date() < deadline { usleep(50_000) }
        let delivered = receiver.requests.compactMap { request in
            (try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any]).flatMap { $0["action"] as? String }
        }
        #expect(delivered == entries.map { $0["action"] as? String ?? "" })
        #expect(receiver.requests.allSatisfy { $0.method == "POST" && $0.target == "/turnout" })
        let metrics = try harness.client.send("GET", "/metrics").body
        #expect(metrics.contains("turnout_rollouts_total{split=\"web\",outcome=\"promoted\"} 1"))
        #expect(metrics.contains("turnout_notifications_total{sink=\"webhook\",result=\"delivered\"} \(entries.count)"), "\(metrics.suffix(600))")
        // After the rollout the split takes changes again, and rollback returns to before it.
        #expect(try harness.call("POST", "/splits/web/rollback").json["weights"] as? [String: Int] == ["blue": 100, "canary": 0])
    }

    @Test func aStoppedControllerTakesNoStepAndGoesOnOnceStartedAgain() throws {
        // What a binary upgrade does while the successor starts.
        let harness = try RolloutHarness("rollout-controller-restart", extra: Self.quick)
        defer { harness.stop() }
        let load = SteadyLoad(port: harness.port, rate: 300, seconds: 60)
        defer { load.stop() }
        harness.rollouts.stop()
        #expect(try harness.call("POST", "/splits/web/rollout",
            #"{"baseline": "blue", "canary": "canary", "steps": [{"weight": 10, "hold_s": 1}]}"#).status == 200)
        usleep(2_000_000)
        let paused = try harness.report()
        #expect(paused["state"] as? String == "running")
        #expect(paused["looks"] as? Int == 0, "no look while the controller is stopped")
        harness.rollouts.start()
        let end = try harness.waitForState(["promoted", "rolled_back"], seconds: 30)
        #expect(end["state"] as? String == "promoted", "\(end["reason"] ?? "")")
    }

    @Test func aCanaryAnsweringTwentyPercentErrorsIsRolledBackLongBeforeItsHoldEnds() throws {
        let harness = try RolloutHarness("rollout-errors", extra: Self.quick, canaryBehavior: FixtureBehavior(errorRate: 0.2))
        defer { harness.stop() }
        let load = SteadyLoad(port: harness.port, rate: 300, seconds: 60)
        defer { load.stop() }
        let begin = Date()
        #expect(try harness.call("POST", "/splits/web/rollout",
            #"{"baseline": "blue", "canary": "canary", "steps": [{"weight": 10, "hold_s": 60}]}"#).status == 200)
        let end = try harness.waitForState(["rolled_back", "promoted"], seconds: 40)
        let elapsed = Date().timeIntervalSince(begin)
        #expect(end["state"] as? String == "rolled_back")
        #expect(elapsed < 40, "rolled back after \(elapsed) s")
        #expect((end["reason"] as? String)?.contains("error rate") == true, "\(end["reason"] ?? "")")
        #expect(end["weights"] as? [String: Int] == ["blue": 100, "canary": 0])
        let last = try harness.history().last
        #expect(last?["action"] as? String == "rollout_rollback")
        #expect((last?["reason"] as? String)?.contains("error rate") == true)
        #expect(last?["new"] as? [String: Int] == ["blue": 100, "canary": 0])
    }

    @Test func aCanaryFiftyMillisecondsSlowerIsRolledBackForLatency() throws {
        // p90 so the thresholds come from a short warm-up (2,000 baseline requests).
        let analysis = #""analysis": {"interval_ms": 200, "min_requests": 50, "latency_quantile": 0.9}"#
        let harness = try RolloutHarness("rollout-slow", extra: analysis, canaryBehavior: FixtureBehavior(latencyMs: 50))
        defer { harness.stop() }
        try harness.warmUp(2_500)
        let load = SteadyLoad(port: harness.port, rate: 300, seconds: 60)
        defer { load.stop() }
        let started = try harness.call("POST", "/splits/web/rollout",
            #"{"baseline": "blue", "canary": "canary", "steps": [{"weight": 20, "hold_s": 60}]}"#)
        #expect(((started.json["analysis"] as? [String: Any])?["latency_thresholds_ms"] as? [Any])?.count == 1,
                "thresholds from the traffic before the start")
        let end = try harness.waitForState(["rolled_back", "promoted"], seconds: 40)
        #expect(end["state"] as? String == "rolled_back")
        let reason = end["reason"] as? String ?? ""
        #expect(reason.contains("slower") && reason.contains("p90"), "\(reason)")
    }

    @Test func aCanaryWhoseServersAllGoDownIsRolledBack() throws {
        let extra = Self.quick + #", "health": {"interval_ms": 200, "timeout_ms": 200, "rise": 1, "fall": 1}"#
        let harness = try RolloutHarness("rollout-down", extra: extra)
        defer { harness.stop() }
        let load = SteadyLoad(port: harness.port, rate: 200, seconds: 60)
        defer { load.stop() }
        #expect(try harness.call("POST", "/splits/web/rollout",
            #"{"baseline": "blue", "canary": "canary", "steps": [{"weight": 10, "hold_s": 60}]}"#).status == 200)
        usleep(500_000)
        for canary in harness.canaries { canary.setHealthy(false) }
        let end = try harness.waitForState(["rolled_back", "promoted"], seconds: 20)
        #expect(end["state"] as? String == "rolled_back")
        #expect((end["reason"] as? String)?.contains("no server up") == true, "\(end["reason"] ?? "")")
        // A rollout does not start on a canary with no server up.
        let again = try harness.call("POST", "/splits/web/rollout",
            #"{"baseline": "blue", "canary": "canary", "steps": [{"weight": 10, "hold_s": 60}]}"#)
        #expect(again.status == 409)
        #expect((again.json["error"] as? String)?.contains("no server up") == true)
    }

    @Test(arguments: ["hold", "proven"]) func aServiceWithNoErrorsAtAllIsPromoted(_ advance: String) throws {
        // Tolerances an operator would set for a service that never fails: 2 % errors, p90 +50 %.
        let analysis = #""analysis": {"interval_ms": 200, "min_requests": 100, "latency_quantile": 0.9, "max_latency_increase": 0.5, "max_error_rate_increase": 0.02}"#
        let harness = try RolloutHarness("rollout-clean-\(advance)", extra: analysis)
        defer { harness.stop() }
        try harness.warmUp(2_500)
        let load = SteadyLoad(port: harness.port, rate: 300, seconds: 90)
        defer { load.stop() }
        #expect(try harness.call("POST", "/splits/web/rollout",
            #"{"baseline": "blue", "canary": "canary", "steps": [{"weight": 50, "hold_s": 1}], "advance": "\#(advance)"}"#).status == 200)
        let end = try harness.waitForState(["promoted", "rolled_back", "stalled"], seconds: 60)
        #expect(end["state"] as? String == "promoted", "\(end["reason"] ?? "") / \((end["analysis"] as? [String: Any])?["reason"] ?? "")")
        #expect(load.statuses.keys.allSatisfy { $0 == 200 }, "no errors on either side: \(load.statuses)")
    }
}
