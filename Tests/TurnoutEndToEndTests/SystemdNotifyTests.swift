import Glibc
import Testing
import TurnoutAdmin
import TurnoutFixture

/// `turnout run` under a stand-in for systemd: `$NOTIFY_SOCKET` names a datagram socket the test
/// owns. READY=1 must mean what it says: the moment it arrives, the proxy serves a request and
/// the admin socket answers. A start that fails sends nothing.
@Suite struct SystemdNotifyTests {
    @Test func readyOnlyOnceServingThenReloadingAndStopping() throws {
        let fixture = try FixtureUpstream(name: "blue")
        fixture.start()
        defer { fixture.stop() }
        let socketPath = ChildProcess.temporaryPath("notify-run.sock")
        let config = try ChildProcess.temporaryFile("""
            { "listen": ["127.0.0.1:0"], "workers": 2, "state_file": null,
              "admin": { "socket": "\(socketPath)" },
              "pools": { "blue": { "servers": ["\(fixture.address)"] } },
              "routes": [ { "pool": "blue" } ] }
            """, name: "notify-run.json")
        defer { unlink(config) }
        let notify = try NotifySocket(abstract: false)
        let proxy = try ChildProcess(["run", "-c", config], environment: ["NOTIFY_SOCKET": notify.name])

        let ready = try #require(notify.receive(seconds: 20), "no datagram; stderr: \(proxy.standardError)")
        // Nothing else is asked of the process before these checks: READY=1 alone says it serves.
        let admin = AdminClient(endpoint: .unix(path: socketPath), timeout: 5)
        #expect(try admin.send("GET", "/status").status == 200)
        let port = try proxy.waitForListeningPort()
        #expect(try TestClient(port: port).request("GET", "/").status == 200)
        #expect(ready.contains("READY=1"))
        #expect(ready.contains("MAINPID=\(proxy.pid)"))
        #expect(ready.contains("STATUS=listening on 127.0.0.1:\(port)"))

        kill(proxy.pid, SIGHUP)
        let reloading = try #require(notify.receive(seconds: 10))
        #expect(reloading.hasPrefix("RELOADING=1\nMONOTONIC_USEC="))
        let reloaded = try #require(notify.receive(seconds: 10))
        #expect(reloaded.contains("READY=1"))
        #expect(reloaded.contains("STATUS=configuration re-read on SIGHUP"))

        kill(proxy.pid, SIGTERM)
        let stopping = try #require(notify.receive(seconds: 10))
        #expect(stopping.hasPrefix("STOPPING=1"))
        #expect(proxy.waitForExit() == 0)
        #expect(notify.receive(seconds: 0.2) == nil)
    }

    /// An abstract-namespace `@name` works, and a turnout that cannot start (its admin socket
    /// belongs to a running turnout) exits 2 without a READY=1.
    @Test func abstractNameAndNoReadyWhenTheStartFails() throws {
        let fixture = try FixtureUpstream(name: "blue")
        fixture.start()
        defer { fixture.stop() }
        let socketPath = ChildProcess.temporaryPath("notify-abstract.sock")
        let config = try ChildProcess.temporaryFile("""
            { "listen": ["127.0.0.1:0"], "workers": 1, "state_file": null,
              "admin": { "socket": "\(socketPath)" },
              "pools": { "blue": { "servers": ["\(fixture.address)"] } },
              "routes": [ { "pool": "blue" } ] }
            """, name: "notify-abstract.json")
        defer { unlink(config) }
        let first = try NotifySocket(abstract: true)
        #expect(first.name.hasPrefix("@"))
        let running = try ChildProcess(["run", "-c", config], environment: ["NOTIFY_SOCKET": first.name])
        let ready = try #require(first.receive(seconds: 20), "no datagram; stderr: \(running.standardError)")
        #expect(ready.contains("READY=1"))

        let second = try NotifySocket(abstract: true)
        let refused = try ChildProcess(["run", "-c", config], environment: ["NOTIFY_SOCKET": second.name])
        #expect(refused.waitForExit() == 2)
        #expect(refused.standardError.contains("in use by a running process"))
        #expect(second.receive(seconds: 0.2) == nil, "a turnout that did not start must not say READY=1")

        kill(running.pid, SIGTERM)
        #expect(running.waitForExit() == 0)
    }
}

/// A datagram socket standing in for systemd's notification socket: a file path, or an
/// abstract-namespace name (`@…` in `$NOTIFY_SOCKET`, a leading NUL on the wire).
final class NotifySocket {
    let name: String
    private let descriptor: Int32
    private let path: String?

    init(abstract: Bool) throws {
        let unique = "turnout-test-\(getpid())-notify-\(UInt32.random(in: 0...UInt32.max))"
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes: [UInt8]
        if abstract {
            name = "@" + unique
            path = nil
            bytes = [0] + Array(unique.utf8)
        } else {
            let file = ChildProcess.temporaryPath("\(UInt32.random(in: 0...UInt32.max)).notify")
            name = file
            path = file
            bytes = Array(file.utf8) + [0]
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard descriptor >= 0, bound == 0 else {
            throw ChildProcess.Failure(description: "cannot bind the notification socket \(name): errno \(errno)")
        }
    }

    deinit {
        close(descriptor)
        if let path { unlink(path) }
    }

    /// The next datagram, or nil when none arrives within `seconds`.
    func receive(seconds: Double) -> String? {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(seconds * 1000)) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : nil
    }
}
