import Foundation
import Glibc
import TurnoutAdmin
import TurnoutFixture
import TurnoutTestSupport

/// A fleet on one machine for the tests: a real etcd (one member or three) started on free
/// loopback ports, two fixture pools (blue, canary), and `turnout run` instances as real
/// processes, each with its own admin socket and state file, sharing one prefix.
final class FleetHarness {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// One `turnout run` of the fleet.
    final class Instance {
        let name: String
        let configPath: String
        let socketPath: String
        let statePath: String
        var process: ChildProcess?
        /// Processes that ended, kept until the harness stops: releasing a `Process` closes its
        /// pipes, and a descriptor closed twice can be another thread's socket by then.
        var ended: [ChildProcess] = []
        var port: UInt16 = 0

        init(name: String, directory: String) {
            self.name = name
            configPath = "\(directory)/\(name).json"
            socketPath = "\(directory)/\(name).sock"
            statePath = "\(directory)/\(name)-state.json"
        }

        var admin: AdminClient { AdminClient(endpoint: .unix(path: socketPath), timeout: 10) }

        /// An admin call and its JSON answer.
        func call(_ method: String, _ path: String, _ body: String? = nil) throws -> (status: Int, json: [String: Any]) {
            let answer = try admin.send(method, path, body: body)
            let json = (try? JSONSerialization.jsonObject(with: Data(answer.body.utf8))) as? [String: Any] ?? [:]
            return (answer.status, json)
        }

        /// The split's weights as `/status` shows them.
        func weights(_ split: String = "web") throws -> [String: Int]? {
            let splits = try call("GET", "/status").json["splits"] as? [String: Any]
            return (splits?[split] as? [String: Any])?["weights"] as? [String: Int]
        }

        /// The history's entries, oldest first.
        func history() throws -> [[String: Any]] {
            ((try call("GET", "/history").json["entries"] as? [[String: Any]]) ?? []).reversed()
        }

        /// The pool that answers one fresh request, with `headers`.
        func pool(headers: [String] = []) throws -> String {
            let client = try TestClient(port: port, timeoutSeconds: 5)
            return try client.request("GET", "/", headers: headers).header("x-turnout-pool") ?? "-"
        }
    }

    let directory: String
    let prefix: String
    let etcd: EtcdCluster
    let blue: FixtureUpstream
    let canary: FixtureUpstream
    let instances: [Instance]
    let extra: String

    /// Starts etcd with `members` members and `count` instances (`edge-1`…), each listening.
    init(_ name: String, members: Int = 1, count: Int = 3, extra: String = "") throws {
        let directory = ChildProcess.temporaryPath("fleet-\(name)")
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        prefix = "/turnout/test-\(name)/"
        self.extra = extra
        etcd = try EtcdCluster.start(members: members)
        blue = try FixtureUpstream(name: "blue")
        canary = try FixtureUpstream(name: "canary")
        blue.start()
        canary.start()
        instances = (1...count).map { Instance(name: "edge-\($0)", directory: directory) }
        for instance in instances {
            try config(for: instance).write(toFile: instance.configPath, atomically: true, encoding: .utf8)
            try start(instance)
        }
    }

    func config(for instance: Instance) -> String {
        let endpoints = etcd.clientURLs.map { "\"\($0)\"" }.joined(separator: ", ")
        return """
        { "listen": ["127.0.0.1:0"], "workers": 1, "state_file": "\(instance.statePath)",
          "admin": { "socket": "\(instance.socketPath)" },
          "cluster": { "etcd": [\(endpoints)], "prefix": "\(prefix)", "instance": "\(instance.name)", "lease_s": 2 },
          "health": { "interval_ms": 200 },
          "pools": { "blue": { "servers": ["\(blue.address)"] }, "canary": { "servers": ["\(canary.address)"] } },
          "splits": { "web": { "blue": 100, "canary": 0 } },
          "routes": [ { "split": "web", "sticky": { "cookie": "session_id" } } ]\(extra.isEmpty ? "" : ", " + extra) }
        """
    }

    /// Starts (or restarts) `instance` and waits for its listener.
    func start(_ instance: Instance) throws {
        let process = try ChildProcess(["run", "-c", instance.configPath])
        instance.process = process
        instance.port = try process.waitForListeningPort()
    }

    /// `kill -9`.
    func kill9(_ instance: Instance) {
        guard let process = instance.process else { return }
        kill(process.pid, SIGKILL)
        _ = process.waitForExit(seconds: 10)
        instance.ended.append(process)
        instance.process = nil
    }

    /// Polls `condition` every 20 ms until it holds or `seconds` pass; whether it held.
    @discardableResult
    static func waitUntil(seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(20_000)
        }
        return try condition()
    }

    func stop() {
        for instance in instances where instance.process != nil {
            kill(instance.process!.pid, SIGTERM)
            if instance.process!.waitForExit(seconds: 20) == nil { kill9(instance) }
        }
        blue.stop()
        canary.stop()
        etcd.stopAll()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
