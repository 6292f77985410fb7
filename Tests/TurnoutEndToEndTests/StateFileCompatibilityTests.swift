import Foundation
import Testing
import TurnoutConfig
import TurnoutControl
import TurnoutCore
import TurnoutRollout

/// A state file written by the Turnout before `ReleaseState` (a rollout's `phase` beside
/// `stepIndex`, `pausedByOperator` and `finishedAt`) loads into the control plane: the rollout's
/// report reads as it did, its verbs go on from where it was, and the file written next carries
/// the new `state` beside the fields that Turnout reads. The rollouts are
/// `Tests/TurnoutRolloutTests/StateFiles/`, saved by that Turnout.
@Suite struct StateFileCompatibilityTests {
    static func savedRollout(_ name: String) throws -> String {
        let tests = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().deletingLastPathComponent()
        let url = tests.appendingPathComponent("TurnoutRolloutTests/StateFiles/\(name).json")
        return try String(contentsOf: url, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A control plane started from a version 2 state file whose split `web` is at `weights`
    /// and has the saved rollout `name`.
    static func plane(rollout name: String, weights: String, in directory: String) throws -> (ProxyServer, ControlPlane, String) {
        let path = directory + "/state.json"
        let document = #"{"version": 2, "splits": {"web": {"weights": \#(weights), "previous": [{"blue": 100, "green": 0}]}}, "drained": {}, "rollouts": {"web": \#(try savedRollout(name))}}"#
        try Data(document.utf8).write(to: URL(fileURLWithPath: path))
        let config = try ConfigLoader.decode(Array("""
            { "listen": ["127.0.0.1:0"], "workers": 1, "state_file": "\(path)",
              "pools": { "blue": { "servers": ["127.0.0.1:1"] }, "green": { "servers": ["127.0.0.1:2"] } },
              "splits": { "web": { "blue": 100, "green": 0 } }, "routes": [ { "split": "web" } ] }
            """.utf8), source: "state file compatibility test")
        let store = StateFileStore(path: path)
        let stored = ControlPlane.loadRuntimeState(config: config, store: store, notice: { _ in })
        let server = try ProxyServer(config: config)
        server.start()
        let control = ControlPlane(server: server, config: config, runtime: stored.state, revision: stored.revision, store: store,
                                   configPath: nil, version: "test", notice: { _ in })
        return (server, control, path)
    }

    static let cases: [(file: String, weights: String, state: RolloutPhase, step: Int, canaryWeight: Int, finishedAt: String?)] = [
        ("running", #"{"blue": 60, "green": 40}"#, .running, 2, 40, nil),
        ("paused-at-pause-step", #"{"blue": 90, "green": 10}"#, .paused, 2, 10, nil),
        ("paused-by-operator", #"{"blue": 90, "green": 10}"#, .paused, 1, 10, nil),
        ("stalled", #"{"blue": 90, "green": 10}"#, .stalled, 1, 10, nil),
        ("rolled-back", #"{"blue": 100, "green": 0}"#, .rolledBack, 1, 0, "2025-10-09T08:53:22.000Z"),
    ]

    @Test(arguments: cases)
    func aSavedRolloutIsReportedAsItWas(_ saved: (file: String, weights: String, state: RolloutPhase, step: Int, canaryWeight: Int, finishedAt: String?)) throws {
        let directory = NSTemporaryDirectory() + "turnout-state-compat-\(saved.file)-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (server, control, _) = try Self.plane(rollout: saved.file, weights: saved.weights, in: directory)
        defer { server.stop(graceful: false) }
        let report = try control.rolloutDocument(split: "web")
        let fields = try #require(JSONSerialization.jsonObject(with: Data(try Self.savedRollout(saved.file).utf8)) as? [String: Any])
        #expect(report.state == saved.state)
        #expect(report.step == saved.step)
        #expect(report.canaryWeight == saved.canaryWeight)
        #expect(report.finishedAt == saved.finishedAt)
        #expect(report.startedAt == "2025-10-09T08:53:20.000Z")
        #expect(report.reason == fields["reason"] as? String)
    }

    @Test func aRolloutSavedAtAPauseStepResumesIntoItsNextStepAndIsSavedInTheNewShape() throws {
        let directory = NSTemporaryDirectory() + "turnout-state-compat-resume-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (server, control, path) = try Self.plane(rollout: "paused-at-pause-step", weights: #"{"blue": 90, "green": 10}"#, in: directory)
        defer { server.stop(graceful: false) }
        let rollout = try control.rolloutVerb(.resume, split: "web", origin: ChangeOrigin(source: .admin))
        #expect(rollout.state == .running(step: 2))
        let report = try control.rolloutDocument(split: "web")
        #expect(report.state == .running && report.step == 3 && report.canaryWeight == 50)
        #expect(report.weights == ["blue": 50, "green": 50])
        let written = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        let rollouts = try #require(written["rollouts"] as? [String: Any])
        let web = try #require(rollouts["web"] as? [String: Any])
        #expect((web["state"] as? [String: Any])?["running"] as? [String: Int] == ["step": 2])
        #expect(web["phase"] as? String == "running" && web["stepIndex"] as? Int == 2 && web["pausedByOperator"] as? Bool == false)
    }
}
