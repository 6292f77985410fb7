import Glibc
import Testing
import TurnoutFixture

/// `turnout check` and `turnout run` as real processes: exit codes, error paths, bounded memory
/// under large bodies, and a graceful stop on SIGTERM.
@Suite struct ProcessEndToEndTests {
    @Test func checkNamesEveryErrorByItsJSONPathAndExitsOne() throws {
        let path = try ChildProcess.temporaryFile("""
            { "listen": ["127.0.0.1:0"],
              "pools": { "blue": { "servers": ["127.0.0.1:99999"], "balance": "fastest" } },
              "routes": [ { "pool": "green" } ], "colour": 1 }
            """, name: "broken.json")
        defer { unlink(path) }
        let check = try ChildProcess(["check", "-c", path])
        #expect(check.waitForExit() == 1)
        for expected in ["colour: unknown key", "pools.blue.balance:", "pools.blue.servers[0]:", "routes[0].pool: no pool named \"green\""] {
            #expect(check.standardError.contains("\(path): \(expected)"), "missing \(expected) in \(check.standardError)")
        }

        let valid = try ChildProcess(["check", "-c", "conf/turnout.json"])
        #expect(valid.waitForExit() == 0)
        #expect(valid.standardOutput().contains("conf/turnout.json: ok"))
    }

    @Test func runStreamsEightMegabytesWithoutGrowingAndDrainsOnSigterm() throws {
        let fixture = try FixtureUpstream(name: "blue")
        fixture.start()
        defer { fixture.stop() }
        let path = try ChildProcess.temporaryFile("""
            { "listen": ["127.0.0.1:0"], "workers": 1, "state_file": null,
              "admin": { "socket": "\(ChildProcess.temporaryPath("run.sock"))" },
              "pools": { "blue": { "servers": ["\(fixture.address)"] } },
              "routes": [ { "pool": "blue" } ] }
            """, name: "run.json")
        defer { unlink(path) }
        let proxy = try ChildProcess(["run", "-c", path])
        let port = try proxy.waitForListeningPort()

        let client = try TestClient(port: port, timeoutSeconds: 30)
        // Warm up: the loop's buffer pool and the allocator reach their working size.
        let small = [UInt8](repeating: 7, count: 1 << 20)
        #expect(try client.request("POST", "/echo", body: small).body == small)
        let before = try proxy.residentBytes()

        let body = (0..<(8 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7 ^ $0 >> 11) }
        let echoed = try client.request("POST", "/echo", body: body)
        #expect(echoed.body == body)
        let download = try client.request("GET", "/bytes/\(8 << 20)")
        #expect(download.body.count == 8 << 20)
        let after = try proxy.residentBytes()
        // Bounded buffers: 16 MiB went through, the process grew by far less than 8 MiB.
        #expect(after - before < 2 << 20, "resident set grew from \(before) to \(after) bytes")

        // A request in flight when SIGTERM arrives still gets its answer.
        let slow = try TestClient(port: port, timeoutSeconds: 10)
        try slow.send("GET /delay/300 HTTP/1.1\r\nHost: t\r\n\r\n")
        usleep(100_000)
        kill(proxy.pid, SIGTERM)
        let answer = try slow.readResponse()
        #expect(answer.status == 200)
        #expect(answer.text == "blue\n")
        #expect(proxy.waitForExit() == 0)
        #expect(proxy.standardError.contains("stopped"))
    }

    /// With few descriptors, clients beyond what the process can hold wait in the backlog and are
    /// served as others finish: none gets a 502 for an upstream connect that found no descriptor,
    /// and the process never dies of it.
    @Test func runningOutOfDescriptorsDelaysClientsAndNeverCrashes() throws {
        let fixture = try FixtureUpstream(name: "blue")
        fixture.start()
        defer { fixture.stop() }
        let path = try ChildProcess.temporaryFile("""
            { "listen": ["127.0.0.1:0"], "workers": 1, "state_file": null,
              "admin": { "socket": "\(ChildProcess.temporaryPath("emfile.sock"))" },
              "pools": { "blue": { "servers": ["\(fixture.address)"] } },
              "routes": [ { "pool": "blue" } ] }
            """, name: "emfile.json")
        defer { unlink(path) }
        let proxy = try ChildProcess(["run", "-c", path], descriptorLimit: 32)
        let port = try proxy.waitForListeningPort()

        // Twice as many clients as the process has descriptors, all at once.
        let clients = try (0..<64).map { _ in try TestClient(port: port, timeoutSeconds: 15) }
        for client in clients { try client.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n") }
        let statuses = clients.map { (try? $0.readResponse())?.status ?? -1 }
        #expect(statuses.allSatisfy { $0 == 200 }, "statuses in order of connection: \(statuses)")
        // The limit was lowered up front and said so, rather than 502s when upstream connects fail.
        _ = try proxy.waitForErrorLine(containing: "limits.max_connections 20000 lowered to")
        #expect(proxy.waitForExit(seconds: 0.1) == nil, "the proxy exited: \(proxy.standardError)")
        let after = try TestClient(port: port)
        #expect(try after.request("GET", "/").status == 200)
        kill(proxy.pid, SIGTERM)
        #expect(proxy.waitForExit() == 0)
    }
}
