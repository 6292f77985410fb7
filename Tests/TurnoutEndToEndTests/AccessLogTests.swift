import Foundation
import Testing
import TurnoutConfig
import TurnoutCore
import TurnoutFixture

/// The access log: one JSON line per request with the documented fields, written by its own
/// thread, flushed at stop, reopened after rotation.
@Suite struct AccessLogTests {
    @Test func everyRequestGetsOneJSONLine() throws {
        let blue = try FixtureUpstream(name: "blue")
        blue.start()
        defer { blue.stop() }
        let path = ChildProcess.temporaryPath("access-\(UUID().uuidString.prefix(8)).log")
        defer { unlink(path); unlink(path + ".1") }
        let config = try ConfigLoader.decode(Array("""
            { "listen": ["127.0.0.1:0"], "workers": 2, "state_file": null, "admin": { "socket": null },
              "access_log": "\(path)",
              "pools": { "blue": { "servers": ["\(blue.address)"] } },
              "routes": [ { "match": { "path_prefix": "/app" }, "pool": "blue" } ] }
            """.utf8), source: "test")
        let server = try ProxyServer(config: config)
        server.start()
        let client = try TestClient(port: server.listenAddresses[0].port)
        #expect(try client.request("GET", "/app/one?x=1").status == 200)
        #expect(try client.request("POST", "/app/echo", body: Array("hello".utf8)).status == 200)
        #expect(try client.request("GET", "/elsewhere\\%22").status == 404)

        // Lines reach the file within a quarter second or so, not at once: the workers hand
        // them over in batches.
        #expect(waitForLines(path, 3), "three lines were written")
        // Rotation: the file is moved away and a reload asks for a fresh one.
        rename(path, path + ".1")
        // The writer reopens before it writes anything queued after this call.
        server.accessLog?.reopen()
        #expect(try client.request("GET", "/app/after-rotation").status == 200)
        server.stop(graceful: true)

        let rotated = try String(contentsOfFile: path + ".1", encoding: .utf8)
        let lines = rotated.split(separator: "\n").map(String.init)
        try #require(lines.count == 3, "\(rotated)")
        let entries = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
        #expect(entries.map { $0["path"] as? String } == ["/app/one?x=1", "/app/echo", "/elsewhere\\%22"])
        #expect(entries.map { $0["status"] as? Int } == [200, 200, 404])
        #expect(entries.map { $0["method"] as? String } == ["GET", "POST", "GET"])
        #expect(entries[0]["pool"] as? String == "blue")
        #expect(entries[0]["server"] as? String == blue.address)
        #expect(entries[2]["pool"] is NSNull && entries[2]["upstream_ms"] is NSNull)
        #expect(entries[0]["client"] as? String == "127.0.0.1")
        #expect((entries[1]["bytes_sent"] as? Int ?? 0) > 5, "the request head and body went upstream")
        #expect((entries[0]["bytes_received"] as? Int ?? 0) > 0)
        #expect((entries[0]["upstream_ms"] as? Double ?? -1) >= 0)
        #expect((entries[0]["total_ms"] as? Double ?? -1) >= (entries[0]["upstream_ms"] as? Double ?? 0))
        let time = entries[0]["time"] as? String ?? ""
        #expect(time.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"#, options: .regularExpression) != nil, "\(time)")

        let fresh = try String(contentsOfFile: path, encoding: .utf8)
        #expect(fresh.split(separator: "\n").count == 1, "after reopening, new lines go to the new file: \(fresh)")
        #expect(fresh.contains("/app/after-rotation"))
    }

    /// Polls until `path` holds `count` lines; bounded to five seconds.
    private func waitForLines(_ path: String, _ count: Int) -> Bool {
        for _ in 0..<500 {
            if let text = try? String(contentsOfFile: path, encoding: .utf8), text.split(separator: "\n").count >= count { return true }
            usleep(10_000)
        }
        return false
    }
}
