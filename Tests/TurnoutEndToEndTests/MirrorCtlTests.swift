import Foundation
import Testing
import TurnoutFixture

/// `turnout ctl mirror` against `turnout run` as real processes: the readable table of the
/// shadow comparison and its last mismatches, `--json` as the API's body, and its usage errors.
@Suite struct MirrorCtlTests {
    @Test func ctlMirrorShowsCountsMismatchesAndTheRawJSON() throws {
        let directory = ChildProcess.temporaryPath("ctl-mirror")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let blue = try FixtureUpstream(name: "blue")
        // The shadow answers like blue except under /v2: "blue (diverged)\n", and /v2/status is a 500.
        let green = try FixtureUpstream(name: "green", behavior: FixtureBehavior(bodyName: "blue", divergePrefix: "/v2"))
        blue.start()
        green.start()
        defer { blue.stop(); green.stop() }
        let socket = directory + "/admin.sock"
        let configPath = directory + "/turnout.json"
        try """
        { "listen": ["127.0.0.1:0"], "workers": 1, "state_file": null, "admin": { "socket": "\(socket)" },
          "pools": { "blue": { "servers": ["\(blue.address)"] }, "green": { "servers": ["\(green.address)"] } },
          "splits": { "web": { "blue": 100 } },
          "routes": [ { "split": "web" } ],
          "mirror": { "pool": "green", "percent": 100, "compare": true } }
        """.write(toFile: configPath, atomically: true, encoding: .utf8)
        let proxy = try ChildProcess(["run", "-c", configPath])
        defer { kill(proxy.pid, SIGTERM); _ = proxy.waitForExit() }
        let port = try proxy.waitForListeningPort()
        func ctl(_ words: String...) -> (status: Int32?, output: String, error: String) {
            guard let process = try? ChildProcess(["ctl", "--socket", socket] + words) else { return (nil, "", "did not start") }
            let status = process.waitForExit()
            return (status, process.standardOutput(), process.standardError)
        }

        let empty = ctl("mirror")
        #expect(empty.status == 0)
        #expect(empty.output.contains("no shadow traffic yet"), "\(empty.output)")

        let client = try TestClient(port: port)
        for _ in 0..<7 { #expect(try client.request("GET", "/").status == 200) }
        for _ in 0..<2 { #expect(try client.request("GET", "/v2/status").status == 200) }
        #expect(try client.request("GET", "/v2/a-rather-long-page-name").status == 200)
        // Bounded: the comparisons finish off the client's path, within 5 s here.
        var json: [String: Any] = [:]
        var raw = ""
        let deadline = Date().addingTimeInterval(5)
        repeat {
            raw = ctl("--json", "mirror").output
            json = (try? JSONSerialization.jsonObject(with: Data(raw.utf8))) as? [String: Any] ?? [:]
            if (json["totals"] as? [String: Any])?["compared"] as? Int == 10 { break }
            usleep(50_000)
        } while Date() < deadline
        #expect((json["totals"] as? [String: Any])?["compared"] as? Int == 10, "--json is GET /mirror's body: \(raw.prefix(400))")
        #expect((json["mismatches"] as? [Any])?.count == 3)

        let shown = ctl("mirror")
        #expect(shown.status == 0)
        let lines = shown.output.split(separator: "\n").map(String.init)
        let header = try #require(lines.first { $0.hasPrefix("ROUTE") }, "\(shown.output)")
        #expect(header.contains("POOL → SHADOW") && header.contains("MIRRORED") && header.contains("P99 DIFF MS"))
        let row = try #require(lines.first { $0.hasPrefix("routes[0]") }, "\(shown.output)")
        let cells = row.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        // routes[0] blue → green MIRRORED MATCHED STATUS BODY NOISE ERRORS DROPPED TOO-LARGE P50 P99
        #expect(Array(cells.prefix(12).dropFirst(4).prefix(8)) == ["10", "7", "2", "1", "0", "0", "0", "0"], "\(row)")
        #expect(cells[1] == "blue" && cells[3] == "green")
        #expect(shown.output.contains("last mismatches, newest first"))
        // Newest first: the body mismatch, then the two status mismatches with both statuses.
        let requests = lines.filter { $0.contains(" GET /v2/") }
        #expect(requests.count == 3, "\(shown.output)")
        #expect(requests.first?.contains("GET /v2/a-rather-long-page-name  body") == true, "\(requests)")
        let statusRows = lines.filter { $0.contains("GET /v2/status") }
        #expect(statusRows.allSatisfy { $0.contains("status  primary  blue") && $0.contains("200") }, "\(statusRows)")
        let shadowRows = lines.filter { $0.contains("  shadow   green") }
        #expect(shadowRows.count == 3)
        #expect(shadowRows.filter { $0.contains("  500  ") }.count == 2, "\(shadowRows)")
        #expect(shadowRows.allSatisfy { $0.contains("blue (diverged)\\n") }, "the bodies' first bytes, escaped")
        #expect(!shown.output.contains("noisy paths"), "no noise filter, no noisy paths")

        let misused = ctl("mirror", "routes[0]")
        #expect(misused.status == 1)
        #expect(misused.error.contains("usage: turnout ctl mirror"), "\(misused.error)")
        let help = try ChildProcess(["ctl", "--help"])
        #expect(help.waitForExit() == 0)
        #expect(help.standardOutput().contains("  mirror  "), "the usage lists the verb")
    }
}
