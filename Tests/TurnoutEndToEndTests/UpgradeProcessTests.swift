import Foundation
import Glibc
import Synchronization
import Testing
import TurnoutAdmin
import TurnoutFixture
import TurnoutPosix

/// A binary upgrade under load, with real processes: a second `turnout run` on the same ports
/// (`--takeover`, or started by the first on SIGUSR2) takes the admin socket and the state file
/// over, and once it serves the first drains and exits. Clients keep sending throughout, opening
/// new connections as they go: not one request may fail.
@Suite(.serialized) struct UpgradeProcessTests {
    @Test func takeoverUnderLoadLosesNoRequest() throws {
        let setup = try UpgradeSetup(name: "takeover")
        let notify = try NotifySocket(abstract: true)
        let first = try ChildProcess(["run", "-c", setup.config], environment: ["NOTIFY_SOCKET": notify.name])
        let firstReady = try #require(notify.receive(seconds: 20), "first turnout not ready: \(first.standardError)")
        #expect(firstReady.contains("MAINPID=\(first.pid)"))
        // A runtime change: the second process must route by it from its first request.
        #expect(try setup.admin.send("PUT", "/splits/web", body: #"{"green": 100}"#).status == 200)

        let load = HandoverLoad(port: setup.port)
        load.start(threads: 4)
        load.waitForRequests(1_000)
        load.phase.store(1, ordering: .relaxed)
        let second = try ChildProcess(["run", "-c", setup.config, "--takeover"], environment: ["NOTIFY_SOCKET": notify.name])
        let secondReady = try #require(notify.receive(seconds: 20), "second turnout not ready: \(second.standardError)")
        #expect(secondReady.contains("READY=1"))
        #expect(secondReady.contains("MAINPID=\(second.pid)"))
        load.phase.store(2, ordering: .relaxed)
        #expect(first.waitForExit(seconds: 20) == 0, "the first turnout did not drain and exit: \(first.standardError)")
        load.phase.store(3, ordering: .relaxed)
        _ = try second.waitForErrorLine(containing: "took over from pid \(first.pid)")
        let before = load.snapshot().ok
        load.waitForRequests(before + 2_000)
        let result = load.stop()

        print("takeover under load: \(result.ok) requests answered 200, \(result.failures.count) failed, "
            + "\(result.resent) re-sent after a reused keep-alive connection closed, \(result.connections) connections")
        #expect(result.failures.isEmpty, "failed: \(result.failures.prefix(5))")
        #expect(result.ok >= 3_000)
        #expect(result.pools == ["green"], "every answer came from the runtime weights: \(result.pools)")
        // The admin socket at its usual path is the second process's now, and it still serves.
        #expect(setup.socketOwner() == second.pid)
        #expect(try setup.admin.send("GET", "/status").status == 200)
        #expect(try setup.tcpAdmin.send("GET", "/status").status == 200)
        kill(second.pid, SIGTERM)
        #expect(second.waitForExit() == 0)
    }

    @Test func sigusr2StartsTheInstalledBinaryWhichTakesOverUnderLoad() throws {
        let setup = try UpgradeSetup(name: "usr2")
        let notify = try NotifySocket(abstract: true)
        let first = try ChildProcess(["run", "-c", setup.config], environment: ["NOTIFY_SOCKET": notify.name])
        _ = try #require(notify.receive(seconds: 20), "first turnout not ready: \(first.standardError)")

        let load = HandoverLoad(port: setup.port)
        load.start(threads: 4)
        load.waitForRequests(1_000)
        load.phase.store(1, ordering: .relaxed)
        kill(first.pid, SIGUSR2)
        let ready = try #require(notify.receive(seconds: 20), "no successor ready: \(first.standardError)")
        let successor = try #require(ready.split(separator: "\n").first { $0.hasPrefix("MAINPID=") }
            .flatMap { Int32($0.dropFirst("MAINPID=".count)) })
        defer { kill(successor, SIGKILL) }
        #expect(successor != first.pid)
        load.phase.store(2, ordering: .relaxed)
        // The successor writes to the first process's stderr too, so the pipe stays open: wait
        // for the exit itself rather than for the end of the pipe.
        #expect(exitStatus(of: first, seconds: 20) == 0, "the first turnout did not drain and exit")
        load.phase.store(3, ordering: .relaxed)
        _ = try first.waitForErrorLine(containing: "took over from pid \(first.pid)")
        let before = load.snapshot().ok
        load.waitForRequests(before + 2_000)
        let result = load.stop()

        print("SIGUSR2 upgrade under load: \(result.ok) requests answered 200, \(result.failures.count) failed, "
            + "\(result.resent) re-sent after a reused keep-alive connection closed, \(result.connections) connections")
        #expect(result.failures.isEmpty, "failed: \(result.failures.prefix(5))")
        #expect(result.ok >= 3_000)
        #expect(setup.socketOwner() == successor)
        #expect(try setup.tcpAdmin.send("GET", "/status").status == 200)
        kill(successor, SIGTERM)
        let stopped = try #require(notify.receive(seconds: 10))
        #expect(stopped.hasPrefix("STOPPING=1"))
    }
}

/// The exit status of `child` once it has exited, from /proc while it is a zombie (Foundation
/// reaps it only once its output pipes close); nil if it still runs after `seconds`.
private func exitStatus(of child: ChildProcess, seconds: Double) -> Int32? {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if !child.process.isRunning { return child.process.terminationStatus }
        if let stat = try? String(contentsOfFile: "/proc/\(child.pid)/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")") {
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            // Field 3 is the state; the last (52, exit_code) is the status as waitpid reports it.
            if fields.first == "Z", let code = fields.last.flatMap({ Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) {
                return (code >> 8) & 0xff
            }
        }
        usleep(10_000)
    }
    return nil
}

/// Two fixture pools, a fixed free port (both processes bind it), an admin socket and a state file.
private struct UpgradeSetup {
    let blue: FixtureUpstream
    let green: FixtureUpstream
    let port: UInt16
    /// The admin API's TCP port, which the new process binds while the old one still holds it.
    let adminPort: UInt16
    let socketPath: String
    let config: String
    var admin: AdminClient { AdminClient(endpoint: .unix(path: socketPath), timeout: 5) }
    var tcpAdmin: AdminClient { AdminClient(endpoint: .tcp(SocketAddress(host: "127.0.0.1", port: adminPort)!), timeout: 5) }

    init(name: String) throws {
        blue = try FixtureUpstream(name: "blue", threads: 2)
        green = try FixtureUpstream(name: "green", threads: 2)
        blue.start()
        green.start()
        port = ProxyHarness.refusedPort()
        adminPort = ProxyHarness.refusedPort()
        socketPath = ChildProcess.temporaryPath("\(name).sock")
        let statePath = ChildProcess.temporaryPath("\(name)-state.json")
        unlink(statePath)
        config = try ChildProcess.temporaryFile("""
            { "listen": ["127.0.0.1:\(port)"], "workers": 2, "state_file": "\(statePath)",
              "admin": { "socket": "\(socketPath)", "listen": "127.0.0.1:\(adminPort)" },
              "pools": { "blue": { "servers": ["\(blue.address)"] }, "green": { "servers": ["\(green.address)"] } },
              "splits": { "web": { "blue": 100, "green": 0 } },
              "routes": [ { "split": "web" } ],
              "timeouts": { "drain_ms": 5000 } }
            """, name: "\(name).json")
    }

    /// The pid of the process accepting on the admin socket's path (SO_PEERCRED).
    func socketOwner() -> Int32? {
        guard let address = SocketAddress(unixPath: socketPath) else { return nil }
        var socket = Socket(adopting: Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0))
        defer { socket.close() }
        guard address.withSockaddr({ connect(socket.descriptor, $0, $1) }) == 0 else { return nil }
        return socket.peerCredentials()?.pid
    }
}

/// Clients sending GET / in a loop on keep-alive connections; every 20th request asks for
/// `Connection: close`, so new connections are opened all through the handover. A request on a
/// reused connection that closes before any response byte is sent again once on a new
/// connection, as HTTP clients do with idempotent requests (RFC 9112 §9.3.1); any other error or
/// a status other than 200 is a failure. Bounded: at most 50,000 requests per thread, 60 s.
private final class HandoverLoad: @unchecked Sendable {
    struct Result {
        var ok = 0
        var resent = 0
        var connections = 0
        var failures: [String] = []
        var pools: Set<String> = []
    }

    private let port: UInt16
    private let result = Mutex(Result())
    private let stopping = Atomic<Bool>(false)
    private let running = Atomic<Int>(0)
    /// Where the handover is (set by the test: 0 before, 1 new process starting, 2 old one
    /// draining, 3 old one gone), recorded with each failure.
    let phase = Atomic<Int>(0)

    init(port: UInt16) { self.port = port }

    func start(threads: Int) {
        for _ in 0..<threads {
            running.add(1, ordering: .relaxed)
            Thread.detachNewThread { [self] in
                clientLoop()
                running.subtract(1, ordering: .relaxed)
            }
        }
    }

    func snapshot() -> Result { result.withLock { $0 } }

    /// Waits (at most 30 s) until `count` requests were answered.
    func waitForRequests(_ count: Int) {
        let deadline = Date().addingTimeInterval(30)
        while snapshot().ok < count && Date() < deadline && snapshot().failures.count < 100 { usleep(5_000) }
    }

    func stop() -> Result {
        stopping.store(true, ordering: .relaxed)
        let deadline = Date().addingTimeInterval(30)
        while running.load(ordering: .relaxed) > 0 && Date() < deadline { usleep(5_000) }
        return snapshot()
    }

    private func clientLoop() {
        let deadline = Date().addingTimeInterval(60)
        var client: TestClient?
        var answeredOnConnection = 0
        for i in 0..<50_000 where !stopping.load(ordering: .relaxed) && Date() < deadline {
            let close = i % 20 == 19
            var attempt = 0
            while true {
                attempt += 1
                do {
                    if client == nil {
                        client = try TestClient(port: port, timeoutSeconds: 10)
                        answeredOnConnection = 0
                        result.withLock { $0.connections += 1 }
                    }
                    let response = try client!.request("GET", "/", headers: close ? ["Connection: close"] : [])
                    answeredOnConnection += 1
                    result.withLock {
                        if response.status == 200 { $0.ok += 1 } else { $0.failures.append("status \(response.status)") }
                        if let pool = response.header("x-turnout-pool") { $0.pools.insert(pool) }
                    }
                    if close || response.header("connection")?.lowercased() == "close" { client = nil }
                    break
                } catch {
                    let reused = answeredOnConnection > 0
                    client = nil
                    if reused && attempt == 1 {
                        result.withLock { $0.resent += 1 }
                        continue
                    }
                    let phase = phase.load(ordering: .relaxed)
                    result.withLock { $0.failures.append("\(reused ? "re-sent request" : "new connection") in phase \(phase): \(error)") }
                    break
                }
            }
        }
    }
}
