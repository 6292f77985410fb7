import Foundation
import Synchronization
import Testing
import TurnoutConfig
import TurnoutControl
import TurnoutCore
import TurnoutFixture

/// The control plane over a running proxy and real fixtures: every change takes effect for the
/// next request, a refused change changes nothing, and the state file carries decisions across
/// a restart.
@Suite struct ControlPlaneTests {
    /// A proxy with pools blue and canary (and green for three-pool splits) behind a control
    /// plane whose configuration and state file live in a fresh temporary directory.
    final class Setup {
        let directory: String
        let configPath: String
        let statePath: String
        let fixtures: [String: FixtureUpstream]
        var server: ProxyServer
        var control: ControlPlane
        var notices: [String] { noticeLog.withLock { $0 } }
        private let noticeLog = NoticeLog()

        init(stateFile: Bool = true) throws {
            directory = NSTemporaryDirectory() + "turnout-control-\(getpid())-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            configPath = directory + "/turnout.json"
            statePath = directory + "/state/turnout-state.json"
            var fixtures: [String: FixtureUpstream] = [:]
            for name in ["blue", "canary", "green"] {
                let fixture = try FixtureUpstream(name: name)
                fixture.start()
                fixtures[name] = fixture
            }
            self.fixtures = fixtures
            try Self.configText(fixtures: fixtures, statePath: stateFile ? statePath : nil).write(toFile: configPath, atomically: true, encoding: .utf8)
            (server, control) = try Self.start(configPath: configPath, notices: noticeLog)
        }

        static func configText(fixtures: [String: FixtureUpstream], statePath: String?, extraPool: Bool = false) -> String {
            """
            { "listen": ["127.0.0.1:0"], "workers": 2,
              "state_file": \(statePath.map { "\"\($0)\"" } ?? "null"),
              "pools": { "blue": { "servers": ["\(fixtures["blue"]!.address)"] },
                         "canary": { "servers": ["\(fixtures["canary"]!.address)"] },
                         "green": { "servers": ["\(fixtures["green"]!.address)"] } },
              "splits": { "web": { "blue": 100, "canary": 0 }\(extraPool ? #", "all": { "blue": 1, "green": 1 }"# : "") },
              "routes": [ { "split": "web" } ] }
            """
        }

        static func start(configPath: String, notices: NoticeLog) throws -> (ProxyServer, ControlPlane) {
            let config = try ConfigLoader.load(path: configPath)
            let store = ControlPlane.store(for: config)
            let runtime = ControlPlane.loadRuntimeState(config: config, store: store) { notices.append($0) }
            let server = try ProxyServer(config: config, weights: runtime.state.weights, unavailable: runtime.state.drained)
            server.start()
            let control = ControlPlane(server: server, config: config, runtime: runtime.state, revision: runtime.revision, store: store,
                                       configPath: configPath,
                                       version: "test", notice: { notices.append($0) })
            return (server, control)
        }

        /// Stops the proxy and starts a new one from the same files, as a restart would.
        func restart() throws {
            server.stop(graceful: false)
            (server, control) = try Self.start(configPath: configPath, notices: noticeLog)
        }

        /// Which pools answer `count` fresh requests.
        func answers(_ count: Int) throws -> [String: Int] {
            let client = try TestClient(port: server.listenAddresses[0].port)
            var seen: [String: Int] = [:]
            for _ in 0..<count { seen[try client.request("GET", "/").text, default: 0] += 1 }
            return seen
        }

        func stop() {
            server.stop(graceful: false)
            for fixture in fixtures.values { fixture.stop() }
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    final class NoticeLog: Sendable {
        private let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        func withLock<T>(_ body: ([String]) -> T) -> T { lines.withLock { body($0) } }
    }

    static let admin = ChangeOrigin(source: .admin, caller: .process(uid: 0, pid: 1))

    @Test func weightsTakeEffectForTheNextRequestAndAreRecorded() throws {
        let setup = try Setup()
        defer { setup.stop() }
        #expect(try setup.answers(20) == ["blue\n": 20])
        let new = try setup.control.setWeights(split: "web", to: ["canary": 100], origin: Self.admin)
        #expect(new == ["blue": 0, "canary": 100])
        #expect(try setup.answers(20) == ["canary\n": 20])
        #expect(setup.control.weights(of: "web")?.source == "runtime")
        let history = setup.control.historyDocument().entries
        #expect(history.count == 1)
        #expect(history.first?.action.name == "weights")
        #expect(history.first?.old == ["blue": 100, "canary": 0])
        #expect(history.first?.caller == .process(uid: 0, pid: 1))
    }

    @Test func refusedChangesChangeNothing() throws {
        let setup = try Setup()
        defer { setup.stop() }
        let attempts: [(Int, () throws(ControlError) -> Void)] = [
            (404, { () throws(ControlError) in _ = try setup.control.setWeights(split: "nope", to: ["blue": 1], origin: Self.admin) }),
            (400, { () throws(ControlError) in _ = try setup.control.setWeights(split: "web", to: ["green": 1], origin: Self.admin) }),
            (400, { () throws(ControlError) in _ = try setup.control.setWeights(split: "web", to: ["blue": -1, "canary": 5], origin: Self.admin) }),
            (400, { () throws(ControlError) in _ = try setup.control.setWeights(split: "web", to: ["blue": 0], origin: Self.admin) }),
            (409, { () throws(ControlError) in _ = try setup.control.rollback(split: "web", origin: Self.admin) }),
            (404, { () throws(ControlError) in _ = try setup.control.setDrained(pool: "blue", server: "10.0.0.1:1", drained: true, origin: Self.admin) }),
            (404, { () throws(ControlError) in _ = try setup.control.switchSplit("nope", to: "blue", force: false, origin: Self.admin) }),
        ]
        for (status, attempt) in attempts {
            do throws(ControlError) {
                try attempt()
                Issue.record("expected a \(status)")
            } catch {
                #expect(error.status == status, "\(error.message)")
                #expect(!error.message.isEmpty)
            }
        }
        #expect(setup.control.weights(of: "web")?.weights == ["blue": 100, "canary": 0])
        #expect(setup.control.weights(of: "web")?.source == "config")
        #expect(setup.control.historyDocument().entries.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: setup.statePath), "a refused change writes no state")
        #expect(try setup.answers(10) == ["blue\n": 10])
    }

    @Test func switchRefusesAPoolWithNoServerUpUnlessForced() throws {
        let setup = try Setup()
        defer { setup.stop() }
        let canary = setup.fixtures["canary"]!.address
        #expect(try setup.control.setDrained(pool: "canary", server: canary, drained: true, origin: Self.admin))
        #expect(throws: ControlError.self) { try setup.control.switchSplit("web", to: "canary", force: false, origin: Self.admin) }
        #expect(setup.control.weights(of: "web")?.weights == ["blue": 100, "canary": 0])
        // Forced, the split moves, and a pool with every server drained answers 503.
        try setup.control.switchSplit("web", to: "canary", force: true, origin: Self.admin)
        let client = try TestClient(port: setup.server.listenAddresses[0].port)
        #expect(try client.request("GET", "/").status == 503)
        #expect(try setup.control.setDrained(pool: "canary", server: canary, drained: false, origin: Self.admin))
        #expect(try client.request("GET", "/").text == "canary\n")
        // Enabling twice is not a change.
        #expect(try !setup.control.setDrained(pool: "canary", server: canary, drained: false, origin: Self.admin))
    }

    @Test func rollbackWalksBackThroughEarlierWeights() throws {
        let setup = try Setup()
        defer { setup.stop() }
        try setup.control.setWeights(split: "web", to: ["blue": 90, "canary": 10], origin: Self.admin)
        try setup.control.switchSplit("web", to: "canary", force: false, origin: Self.admin)
        #expect(try setup.control.rollback(split: "web", origin: Self.admin) == ["blue": 90, "canary": 10])
        #expect(try setup.control.rollback(split: "web", origin: Self.admin) == ["blue": 100, "canary": 0])
        #expect(throws: ControlError.self) { try setup.control.rollback(split: "web", origin: Self.admin) }
        #expect(try setup.answers(10) == ["blue\n": 10])
    }

    @Test func aRestartResumesRuntimeWeightsAndDrainedServers() throws {
        let setup = try Setup()
        defer { setup.stop() }
        try setup.control.switchSplit("web", to: "canary", force: false, origin: Self.admin)
        try setup.control.setDrained(pool: "blue", server: setup.fixtures["blue"]!.address, drained: true, origin: Self.admin)
        #expect(FileManager.default.fileExists(atPath: setup.statePath))
        try setup.restart()
        #expect(setup.control.weights(of: "web")?.weights == ["blue": 0, "canary": 100])
        #expect(setup.control.weights(of: "web")?.source == "runtime")
        #expect(try setup.answers(10) == ["canary\n": 10])
        // The rollback stack survived too.
        #expect(try setup.control.rollback(split: "web", origin: Self.admin) == ["blue": 100, "canary": 0])
        let status = try setup.control.statusDocument()
        let blue = status.pools["blue"]?.servers
        #expect(blue?.first?.state.rawValue == "drain")
    }

    @Test func aCorruptStateFileIsReportedAndIgnored() throws {
        let setup = try Setup()
        defer { setup.stop() }
        try setup.control.setWeights(split: "web", to: ["canary": 1], origin: Self.admin)
        try "{ not json".write(toFile: setup.statePath, atomically: true, encoding: .utf8)
        try setup.restart()
        #expect(setup.control.weights(of: "web")?.source == "config")
        #expect(setup.notices.contains { $0.contains("state ignored") && $0.contains(setup.statePath) })
        #expect(try setup.answers(5) == ["blue\n": 5])
    }

    @Test func reloadValidatesFirstAndKeepsRuntimeWeights() throws {
        let setup = try Setup()
        defer { setup.stop() }
        try setup.control.setWeights(split: "web", to: ["blue": 0, "canary": 1], origin: Self.admin)
        try "{ \"listen\": [] ".write(toFile: setup.configPath, atomically: true, encoding: .utf8)
        #expect(throws: ControlError.self) { try setup.control.reload(origin: ChangeOrigin(source: .admin)) }
        #expect(try setup.answers(5) == ["canary\n": 5], "the running configuration stays")

        // A valid file with a new split: swapped in, the runtime weights of "web" kept.
        try Setup.configText(fixtures: setup.fixtures, statePath: setup.statePath, extraPool: true)
            .write(toFile: setup.configPath, atomically: true, encoding: .utf8)
        let summary = try setup.control.reload(origin: ChangeOrigin(source: .signal))
        #expect(summary.contains("reloaded"))
        #expect(setup.control.config.split(named: "all") != nil)
        #expect(setup.control.weights(of: "web")?.weights == ["blue": 0, "canary": 1])
        #expect(try setup.answers(5) == ["canary\n": 5])
    }
}
