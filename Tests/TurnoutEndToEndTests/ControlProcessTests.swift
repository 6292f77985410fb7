import Foundation
import Testing
import TurnoutFixture

/// The control plane as real processes: `turnout ctl` against `turnout run`, a kill -9 and
/// restart that resumes from the state file past the stale socket, and SIGHUP reloads.
@Suite struct ControlProcessTests {
    /// Fixtures blue and canary and a configuration whose files live in a temporary directory.
    final class Setup {
        let directory: String
        let configPath: String
        let statePath: String
        let socketPath: String
        let blue: FixtureUpstream
        let canary: FixtureUpstream

        init(_ name: String) throws {
            directory = ChildProcess.temporaryPath(name)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            configPath = directory + "/turnout.json"
            statePath = directory + "/state.json"
            socketPath = directory + "/admin.sock"
            blue = try FixtureUpstream(name: "blue")
            canary = try FixtureUpstream(name: "canary")
            blue.start()
            canary.start()
            try writeConfig(blue: 100, canary: 0)
        }

        func writeConfig(blue blueWeight: Int, canary canaryWeight: Int) throws {
            try """
            { "listen": ["127.0.0.1:0"], "workers": 1, "state_file": "\(statePath)",
              "admin": { "socket": "\(socketPath)" },
              "pools": { "blue": { "servers": ["\(blue.address)"] }, "canary": { "servers": ["\(canary.address)"] } },
              "splits": { "web": { "blue": \(blueWeight), "canary": \(canaryWeight) } },
              "routes": [ { "split": "web" } ] }
            """.write(toFile: configPath, atomically: true, encoding: .utf8)
        }

        func ctl(_ words: String...) -> (status: Int32?, output: String, error: String) {
            guard let process = try? ChildProcess(["ctl", "--socket", socketPath] + words) else { return (nil, "", "did not start") }
            let status = process.waitForExit()
            return (status, process.standardOutput(), process.standardError)
        }

        /// Which pools answer `count` requests on one keep-alive connection.
        func answers(port: UInt16, _ count: Int = 10) throws -> [String: Int] {
            let client = try TestClient(port: port)
            var seen: [String: Int] = [:]
            for _ in 0..<count { seen[try client.request("GET", "/").text, default: 0] += 1 }
            return seen
        }

        func stop() {
            blue.stop()
            canary.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    @Test func ctlChangesTrafficAndSpeaksPlainlyWithExitCodes() throws {
        let setup = try Setup("ctl")
        defer { setup.stop() }
        let proxy = try ChildProcess(["run", "-c", setup.configPath])
        let port = try proxy.waitForListeningPort()

        let status = setup.ctl("status")
        #expect(status.status == 0)
        #expect(status.output.contains("web    config  blue=100 canary=0"), "\(status.output)")
        let set = setup.ctl("weights", "web", "blue=0", "canary=100")
        #expect(set.status == 0)
        #expect(set.output.contains("split web (runtime)"), "\(set.output)")
        #expect(try setup.answers(port: port) == ["canary\n": 10])

        let refused = setup.ctl("weights", "web", "blue=-1")
        #expect(refused.status == 1)
        #expect(refused.error.contains("non-negative"), "\(refused.error)")
        let unknown = setup.ctl("switch", "web", "purple")
        #expect(unknown.status == 1)
        #expect(unknown.error.contains("purple"), "\(unknown.error)")
        #expect(setup.ctl("frobnicate").status == 1)
        #expect(try setup.answers(port: port) == ["canary\n": 10], "refused calls changed nothing")

        let json = setup.ctl("--json", "weights", "web")
        let document = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
        #expect(document?["weights"] as? [String: Int] == ["blue": 0, "canary": 100])
        let history = setup.ctl("history")
        #expect(history.output.contains("weights web"), "\(history.output)")
        #expect(history.output.contains("blue=100 canary=0 -> blue=0 canary=100"), "\(history.output)")

        kill(proxy.pid, SIGTERM)
        #expect(proxy.waitForExit() == 0)
        let gone = setup.ctl("status")
        #expect(gone.status == 2, "turnout is not running: \(gone.error)")
        #expect(!FileManager.default.fileExists(atPath: setup.socketPath), "a clean stop removes the socket file")
    }

    @Test func killNineThenRestartResumesRuntimeWeightsPastTheStaleSocket() throws {
        let setup = try Setup("restart")
        defer { setup.stop() }
        let first = try ChildProcess(["run", "-c", setup.configPath])
        let firstPort = try first.waitForListeningPort()
        #expect(setup.ctl("weights", "web", "blue=0", "canary=100").status == 0)
        #expect(try setup.answers(port: firstPort) == ["canary\n": 10])

        kill(first.pid, SIGKILL)
        #expect(first.waitForExit() != nil)
        #expect(FileManager.default.fileExists(atPath: setup.socketPath), "kill -9 leaves the socket file behind")

        let second = try ChildProcess(["run", "-c", setup.configPath])
        let secondPort = try second.waitForListeningPort()
        _ = try second.waitForErrorLine(containing: "split web resumes at blue 0, canary 100")
        #expect(try setup.answers(port: secondPort) == ["canary\n": 10])
        let json = setup.ctl("--json", "status")
        let status = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
        let web = (status?["splits"] as? [String: Any])?["web"] as? [String: Any]
        #expect(web?["source"] as? String == "runtime")
        #expect(web?["weights"] as? [String: Int] == ["blue": 0, "canary": 100])
        kill(second.pid, SIGTERM)
        #expect(second.waitForExit() == 0)
    }

    @Test func sighupWithABrokenConfigKeepsServingThenAValidOneApplies() throws {
        let setup = try Setup("reload")
        defer { setup.stop() }
        let proxy = try ChildProcess(["run", "-c", setup.configPath])
        let port = try proxy.waitForListeningPort()
        let client = try TestClient(port: port)
        #expect(try client.request("GET", "/").text == "blue\n")

        try #"{ "listen": ["127.0.0.1:0"], "pools": { "blue": { "servers": ["127.0.0.1:99999"] } } "#
            .write(toFile: setup.configPath, atomically: true, encoding: .utf8)
        kill(proxy.pid, SIGHUP)
        _ = try proxy.waitForErrorLine(containing: setup.configPath + ":")
        #expect(try client.request("GET", "/").text == "blue\n", "the running configuration stays")
        #expect(try setup.answers(port: port) == ["blue\n": 10])

        try setup.writeConfig(blue: 0, canary: 100)
        kill(proxy.pid, SIGHUP)
        _ = try proxy.waitForErrorLine(containing: "reloaded")
        #expect(try client.request("GET", "/").text == "canary\n", "the same keep-alive connection follows the new config")
        let history = setup.ctl("history")
        #expect(history.output.contains("reload"), "\(history.output)")
        kill(proxy.pid, SIGTERM)
        #expect(proxy.waitForExit() == 0)
    }
}
