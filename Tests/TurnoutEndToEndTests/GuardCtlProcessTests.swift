import Foundation
import Testing
import TurnoutFixture

/// Guarded switches against `turnout run` as a real process: `ctl switch --guard` and `ctl guard
/// … watch` with their exit codes (0 kept, 3 reverted), the verbs' refusals, and a `kill -9` in
/// the middle of a watch that the restart resumes from the state file.
@Suite(.serialized) struct GuardCtlProcessTests {
    /// Fixtures blue and green answering in 5 ms ± 1 ms, and a configuration whose files live in
    /// a temporary directory.
    final class Setup {
        let directory: String
        let configPath: String
        let statePath: String
        let socketPath: String
        let blue: FixtureUpstream
        let green: FixtureUpstream

        init(_ name: String) throws {
            directory = ChildProcess.temporaryPath(name)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            configPath = directory + "/turnout.json"
            statePath = directory + "/state.json"
            socketPath = directory + "/admin.sock"
            blue = try FixtureUpstream(name: "blue", behavior: GuardedSwitchEndToEndTests.service)
            green = try FixtureUpstream(name: "green", behavior: GuardedSwitchEndToEndTests.service)
            blue.start()
            green.start()
            try """
            { "listen": ["127.0.0.1:0"], "workers": 1, "state_file": "\(statePath)",
              "admin": { "socket": "\(socketPath)" },
              "pools": { "blue": { "servers": ["\(blue.address)"] }, "green": { "servers": ["\(green.address)"] } },
              "splits": { "web": { "blue": 100, "green": 0 } },
              "routes": [ { "split": "web" } ],
              "retries": { "attempts": 0, "on": [] }, "analysis": { "interval_ms": 200 } }
            """.write(toFile: configPath, atomically: true, encoding: .utf8)
        }

        func ctl(_ words: String...) -> (status: Int32?, output: String, error: String) { ctl(words) }

        func ctl(_ words: [String], seconds: Double = 60) -> (status: Int32?, output: String, error: String) {
            guard let process = try? ChildProcess(["ctl", "--socket", socketPath] + words) else { return (nil, "", "did not start") }
            let status = process.waitForExit(seconds: seconds)
            return (status, process.standardOutput(), process.standardError)
        }

        var admin: TurnoutAdminClient { TurnoutAdminClient(socket: socketPath) }

        func stop() {
            blue.stop()
            green.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    @Test func ctlGuardWatchExitsZeroWhenKeptAndThreeWhenReverted() throws {
        let setup = try Setup("guard-ctl")
        defer { setup.stop() }
        let proxy = try ChildProcess(["run", "-c", setup.configPath])
        defer { kill(proxy.pid, SIGTERM); _ = proxy.waitForExit() }
        let port = try proxy.waitForListeningPort()
        let load = SteadyLoad(port: port, rate: 300, seconds: 120)
        defer { load.stop() }
        // The reference: 5 s of blue at 300 requests/s.
        usleep(5_000_000)

        let started = setup.ctl("switch", "web", "green", "--guard", "2")
        #expect(started.status == 0, "\(started.error)")
        #expect(started.output.contains("guarded switch on split web: blue → green — WATCHING"), "\(started.output)")
        #expect(started.output.contains("blue (reference, last "), "\(started.output)")
        let kept = setup.ctl("guard", "web", "watch")
        #expect(kept.status == 0, "kept: \(kept.error)")
        #expect(kept.output.contains("— KEPT, ended"), "\(kept.output)")
        #expect(kept.output.contains("weights:  blue 0, green 100"), "\(kept.output)")
        let status = setup.ctl("guard", "web")
        #expect(status.status == 0 && status.output.contains("KEPT"), "\(status.output)")

        // Back to blue by hand, then a guarded switch to a green that fails one answer in five.
        #expect(setup.ctl("switch", "web", "blue").status == 0)
        setup.green.setBehavior(FixtureBehavior(latencyMs: 5, jitterMs: 1, errorRate: 0.2))
        let second = setup.ctl("switch", "web", "green", "--guard", "60", "--baseline", "120")
        #expect(second.status == 0, "\(second.error)")
        #expect(second.output.contains("blue (reference, last "), "\(second.output)")
        let reverted = setup.ctl("guard", "web", "watch")
        #expect(reverted.status == 3, "reverted: \(reverted.error)")
        #expect(reverted.output.contains("— REVERTED, ended"), "\(reverted.output)")
        #expect(reverted.output.contains("reason:") && reverted.output.contains("green's error rate"), "\(reverted.output)")
        #expect(reverted.output.contains("weights:  blue 100, green 0"), "\(reverted.output)")

        let over = setup.ctl("guard", "web", "keep")
        #expect(over.status == 1)
        #expect(over.error.contains("keep refused") && over.error.contains("nothing changed"), "\(over.error)")
        let nosuch = setup.ctl("guard", "nosuch")
        #expect(nosuch.status == 1)
        #expect(nosuch.error.contains(#"split "nosuch" has no guarded switch"#), "\(nosuch.error)")
        let history = setup.ctl("history")
        #expect(history.output.contains("guard_revert web"), "\(history.output)")

        for (words, message) in [(["weights", "web", "--guard", "60"], "--guard goes with switch only"),
                                 (["switch", "web", "green", "--guard", "soon"], "expected the seconds to watch"),
                                 (["switch", "web", "green", "--baseline", "60"], "--baseline SECONDS goes with switch --guard"),
                                 (["guard", "web", "hold"], "unknown guard verb"),
                                 (["guard"], "usage: turnout ctl guard SPLIT")] {
            let result = setup.ctl(words)
            #expect(result.status == 1, "\(words)")
            #expect(result.error.contains(message), "\(words): \(result.error)")
        }
        load.stop()
        #expect(load.failures.isEmpty, "\(load.failures.prefix(3))")
    }

    @Test func killNineInTheWatchResumesItFromTheStateFile() throws {
        let setup = try Setup("guard-restart")
        defer { setup.stop() }
        let first = try ChildProcess(["run", "-c", setup.configPath])
        let firstPort = try first.waitForListeningPort()
        let firstLoad = SteadyLoad(port: firstPort, rate: 300, seconds: 60)
        usleep(5_000_000)
        let started = try setup.admin.call("POST", "/splits/web/switch", #"{"to": "green", "guard": {"watch_s": 60}}"#)
        #expect(started.status == 200, "\(started.json)")
        usleep(3_000_000)
        let before = try setup.admin.call("GET", "/splits/web/guard").json
        #expect(before["state"] as? String == "watching")
        // The evidence is saved every 10 s: wait for one save after the reading above.
        usleep(11_000_000)

        kill(first.pid, SIGKILL)
        #expect(first.waitForExit() != nil)
        firstLoad.stop()

        let second = try ChildProcess(["run", "-c", setup.configPath])
        defer { kill(second.pid, SIGTERM); _ = second.waitForExit() }
        let secondPort = try second.waitForListeningPort()
        let after = try setup.admin.call("GET", "/splits/web/guard").json
        #expect(after["state"] as? String == "watching", "\(after)")
        #expect(after["started_at"] as? String == before["started_at"] as? String)
        #expect(Self.requests(after, "reference") == Self.requests(before, "reference"))
        #expect(Self.requests(before, "reference") >= 1_000)
        #expect(after["looks"] as? Int ?? 0 >= before["looks"] as? Int ?? .max, "looks \(after["looks"] ?? "-") after, \(before["looks"] ?? "-") before")
        #expect(Self.requests(after, "new") >= Self.requests(before, "new"), "the new pool's evidence carried over")
        #expect(after["weights"] as? [String: Int] == ["blue": 0, "green": 100])
        #expect(try TestClient(port: secondPort).request("GET", "/").text == "green\n")

        let reverted = try setup.admin.call("POST", "/splits/web/guard/revert")
        #expect(reverted.status == 200, "\(reverted.json)")
        #expect(reverted.json["state"] as? String == "reverted")
        #expect(reverted.json["weights"] as? [String: Int] == ["blue": 100, "green": 0])
        #expect(Self.requests(reverted.json, "new") >= Self.requests(before, "new"), "no evidence reset")
        #expect(try TestClient(port: secondPort).request("GET", "/").text == "blue\n")
    }

    static func requests(_ report: [String: Any], _ member: String) -> Int {
        (report[member] as? [String: Any])?["requests"] as? Int ?? -1
    }
}
