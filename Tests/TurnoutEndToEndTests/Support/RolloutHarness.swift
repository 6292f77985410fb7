import Foundation
import TurnoutAdmin
import TurnoutConfig
import TurnoutControl
import TurnoutCore
import TurnoutFixture
import TurnoutPosix

/// A proxy with its whole control side in this process, as `turnout run` wires it: fixtures
/// blue (baseline) and two canary servers, the control plane on a state file, the stats
/// timeline, the rollout controller, health checks, and the admin API on a Unix socket.
final class RolloutHarness {
    let directory: String
    let configPath: String
    let statePath: String
    let blue: FixtureUpstream
    let canaries: [FixtureUpstream]
    let server: ProxyServer
    let control: ControlPlane
    let monitor: TrafficMonitor
    let rollouts: RolloutController
    let watcher: ServerMonitor
    let admin: AdminServer
    let client: AdminClient
    /// The configuration's `notify`, delivering every history entry.
    let notifications: Notifications?
    let notices = ControlPlaneTests.NoticeLog()

    /// `extra` is spliced into the configuration's top level (`"analysis": {…}, "health": …`).
    init(_ name: String, extra: String = "", canaryBehavior: FixtureBehavior = FixtureBehavior(),
         baselineBehavior: FixtureBehavior = FixtureBehavior()) throws {
        directory = ChildProcess.temporaryPath(name)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        configPath = directory + "/turnout.json"
        statePath = directory + "/state.json"
        blue = try FixtureUpstream(name: "blue", behavior: baselineBehavior)
        canaries = try (1...2).map { _ in try FixtureUpstream(name: "canary", behavior: canaryBehavior) }
        blue.start()
        for canary in canaries { canary.start() }
        try Self.configText(blue: blue, canaries: canaries, statePath: statePath, extra: extra).write(toFile: configPath, atomically: true, encoding: .utf8)
        let config = try ConfigLoader.load(path: configPath)
        let store = StateFileStore(path: statePath)
        server = try ProxyServer(config: config)
        server.start()
        let notices = self.notices
        notifications = try config.notify.map { try Notifications(config: $0, notice: { notices.append($0) }) }
        notifications?.start()
        control = ControlPlane(server: server, config: config, runtime: RuntimeState(), store: store, configPath: configPath,
                               version: "test", deliver: notifications?.deliver, notice: { notices.append($0) })
        monitor = TrafficMonitor(server: server)
        rollouts = RolloutController(control: control, monitor: monitor)
        watcher = try ServerMonitor(control: control)
        let socketPath = directory + "/admin.sock"
        var counts: (@Sendable () -> NotificationCounts)?
        if let notifications { counts = { notifications.counts } }
        let api = AdminAPI(control: control, monitor: monitor, rollouts: rollouts, notificationCounts: counts)
        admin = try AdminServer(socketPath: socketPath, tcp: nil, token: nil) { api.handle($0) }
        admin.start()
        monitor.start()
        watcher.start()
        rollouts.start()
        client = AdminClient(endpoint: .unix(path: socketPath), timeout: 10)
    }

    static func configText(blue: FixtureUpstream, canaries: [FixtureUpstream], statePath: String, extra: String,
                           withCanary: Bool = true) -> String {
        let canaryPool = withCanary ? #", "canary": { "servers": [\#(canaries.map { "\"\($0.address)\"" }.joined(separator: ", "))] }"# : ""
        return """
        { "listen": ["127.0.0.1:0"], "workers": 2, "state_file": "\(statePath)",
          "pools": { "blue": { "servers": ["\(blue.address)"] }\(canaryPool) },
          "splits": { "web": { "blue": 100\(withCanary ? ", \"canary\": 0" : "") } },
          "routes": [ { "split": "web" } ],
          "pool_header": "X-Turnout-Pool"\(extra.isEmpty ? "" : ", " + extra) }
        """
    }

    var port: UInt16 { server.listenAddresses[0].port }

    /// An admin call; the answer's status and JSON object.
    @discardableResult
    func call(_ method: String, _ path: String, _ body: String? = nil) throws -> (status: Int, json: [String: Any]) {
        let answer = try client.send(method, path, body: body)
        let json = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any] ?? [:]
        return (answer.status, json)
    }

    /// The rollout report.
    func report() throws -> [String: Any] { try call("GET", "/splits/web/rollout").json }

    /// Waits (bounded) until the rollout's state is one of `states`; the last report.
    func waitForState(_ states: Set<String>, seconds: Double) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(seconds)
        var last: [String: Any] = [:]
        while Date() < deadline {
            last = try report()
            if let state = last["state"] as? String, states.contains(state) { return last }
            usleep(100_000)
        }
        return last
    }

    /// History entries about the split, oldest first.
    func history() throws -> [[String: Any]] {
        ((try call("GET", "/history").json["entries"] as? [[String: Any]]) ?? []).reversed()
    }

    /// Sends `count` requests quickly over a few keep-alive connections (baseline latency for
    /// the analyzer's thresholds before a rollout).
    func warmUp(_ count: Int) throws {
        let clients = try (0..<4).map { _ in try TestClient(port: port) }
        for i in 0..<count { _ = try clients[i % clients.count].request("GET", "/") }
    }

    func stop() {
        rollouts.stop()
        admin.stop()
        watcher.stop()
        monitor.stop()
        server.stop(graceful: false)
        notifications?.stop(seconds: 1)
        blue.stop()
        for canary in canaries { canary.stop() }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
