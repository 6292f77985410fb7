import Foundation
import Testing
import TurnoutFixture

/// The plan check at a rollout's start (SPEC §9), end to end: a slow service whose first step
/// cannot reach `min_requests` within `max_step_s` is refused with 409 and nothing changes;
/// `"force": true` (or `ctl rollout start --force`) starts it and the report says so. Every wait
/// is bounded.
@Suite(.serialized) struct RolloutPlanCheckTests {
    /// `min_requests` 500 within `max_step_s` 60: at 20 requests/s a 5 % step gets 1 canary
    /// request a second and would need about 500 s.
    static let strict = #""analysis": {"interval_ms": 200, "min_requests": 500, "max_step_s": 60}"#
    static let body = #"{"baseline": "blue", "canary": "canary", "steps": [{"weight": 5, "hold_s": 10}, {"weight": 50, "hold_s": 10}]}"#
    static let forced = #"{"baseline": "blue", "canary": "canary", "steps": [{"weight": 5, "hold_s": 10}, {"weight": 50, "hold_s": 10}], "force": true}"#

    /// Starts 20 requests/s and waits (bounded) until the stats timeline has seen some of them.
    static func slowTraffic(_ harness: RolloutHarness) -> SteadyLoad {
        let load = SteadyLoad(port: harness.port, rate: 20, threads: 2, seconds: 60)
        let deadline = Date().addingTimeInterval(10)
        while load.answered < 40 && Date() < deadline { usleep(50_000) }
        return load
    }

    @Test func aPlanThatCannotReachMinRequestsIsRefusedAndForceStartsIt() throws {
        let harness = try RolloutHarness("plan-check", extra: Self.strict)
        defer { harness.stop() }
        let load = Self.slowTraffic(harness)
        defer { load.stop() }
        #expect(load.answered >= 40, "the load did not start: \(load.failures.prefix(3))")
        let historyBefore = try harness.history().count

        let refused = try harness.call("POST", "/splits/web/rollout", Self.body)
        #expect(refused.status == 409)
        let message = refused.json["error"] as? String ?? ""
        for fragment in [#"rollout on split "web" refused: step 1 (5 % canary) needs about "#, " s to reach min_requests 500 at ",
                         " canary requests/s (the baseline serves ", "max_step_s is 60", #"or start with "force": true"#] {
            #expect(message.contains(fragment), "\(fragment) in \(message)")
        }
        // Nothing changed: no rollout, no history entry, the weights as they were.
        #expect(try harness.call("GET", "/splits/web/rollout").status == 404)
        #expect(try harness.history().count == historyBefore)
        #expect(try harness.call("GET", "/splits/web").json["weights"] as? [String: Int] == ["blue": 100, "canary": 0])

        #expect(try harness.call("POST", "/splits/web/rollout", #"{"force": "yes"}"#).status == 400, "force is a boolean")

        let started = try harness.call("POST", "/splits/web/rollout", Self.forced)
        #expect(started.status == 200, "\(started.json)")
        #expect(started.json["weights"] as? [String: Int] == ["blue": 95, "canary": 5])
        let check = try #require(started.json["plan_check"] as? [String: Any])
        #expect(check["checked"] as? Bool == true && check["forced"] as? Bool == true)
        #expect((check["split_rps"] as? Double ?? 0) > 0 && (check["measured_s"] as? Double ?? 0) > 0, "\(check)")
        #expect((check["summary"] as? String)?.hasPrefix(#"started with "force": true although step 1 (5 % canary)"#) == true, "\(check)")
        let steps = check["steps"] as? [[String: Any]] ?? []
        #expect(steps.map { $0["step"] as? Int } == [1, 2])
        #expect(steps.map { $0["weight"] as? Int } == [5, 50])
        #expect(steps.first?["fits"] as? Bool == false)
        #expect((steps.first?["seconds_to_min_requests"] as? Double ?? 0) > 60, "\(steps)")
        #expect((steps.first?["canary_rps"] as? Double ?? 0) > 0, "\(steps)")
        let start = try harness.history().last
        #expect(start?["action"] as? String == "rollout_start")
        #expect((start?["reason"] as? String)?.contains(#"started with "force": true although"#) == true, "\(start ?? [:])")
        #expect(try harness.call("POST", "/splits/web/rollout/abort").status == 200)
    }

    @Test func withoutPoolTrafficThePlanIsNotCheckedAndTheReportSaysSo() throws {
        let harness = try RolloutHarness("plan-unchecked", extra: Self.strict)
        defer { harness.stop() }
        let started = try harness.call("POST", "/splits/web/rollout", Self.body)
        #expect(started.status == 200, "\(started.json)")
        let check = try #require(started.json["plan_check"] as? [String: Any])
        #expect(check["checked"] as? Bool == false)
        #expect(check["summary"] as? String == "no baseline traffic measured yet: the plan was not checked")
        #expect(check["split_rps"] is NSNull)
    }

    @Test func ctlRolloutStartIsRefusedAndForcedAndStatusShowsTheEstimates() throws {
        let harness = try RolloutHarness("plan-ctl", extra: Self.strict)
        defer { harness.stop() }
        let load = Self.slowTraffic(harness)
        defer { load.stop() }
        func ctl(_ words: [String]) throws -> (status: Int32?, output: String, error: String) {
            let process = try ChildProcess(["ctl", "--socket", harness.directory + "/admin.sock"] + words)
            let status = process.waitForExit(seconds: 30)
            return (status, process.standardOutput(), process.standardError)
        }
        let flags = ["rollout", "start", "web", "--baseline", "blue", "--canary", "canary", "--steps", "5:10,50:10"]
        let refused = try ctl(flags)
        #expect(refused.status == 1)
        #expect(refused.error.contains("step 1 (5 % canary) needs about"), "\(refused.error)")
        #expect(try harness.call("GET", "/splits/web/rollout").status == 404)
        let forced = try ctl(flags + ["--force"])
        #expect(forced.status == 0, "\(forced.error)")
        #expect(forced.output.contains(#"plan:     started with "force": true although step 1"#), "\(forced.output)")
        let status = try ctl(["rollout", "status", "web"])
        #expect(status.output.contains("step 1 at 5 %: "), "\(status.output)")
        #expect(status.output.contains("to min_requests, hold 10 s: does not fit within max_step_s"), "\(status.output)")
        #expect(status.output.contains("step 2 at 50 %: "), "\(status.output)")
        let misplaced = try ctl(["rollout", "pause", "web", "--force"])
        #expect(misplaced.status == 1)
        #expect(misplaced.error.contains("--force goes with rollout start and switch only"), "\(misplaced.error)")
    }
}
