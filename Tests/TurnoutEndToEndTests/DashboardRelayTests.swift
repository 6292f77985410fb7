import Foundation
import Testing
import TurnoutAdmin
import TurnoutControl
import TurnoutPosix

/// `turnout ctl dashboard` as a real child process relaying to an admin socket that needs a
/// token: the browser's side has no token and reaches the page, the API and its refusals.
@Suite struct DashboardRelayTests {
    private func freePort() throws -> UInt16 {
        var socket = try Socket.listen(on: SocketAddress(host: "127.0.0.1", port: 0)!, reusePort: false, backlog: 1)
        defer { socket.close() }
        return socket.localAddress()!.port
    }

    /// Status, content type and body of one request through the relay.
    private func call(_ client: AdminClient, _ method: String, _ target: String, _ body: String? = nil) throws -> (status: Int, type: String, body: String) {
        let bytes = try client.exchange(method, target, body: body.map { Array($0.utf8) })
        let text = String(decoding: bytes, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        let head = parts[0].lowercased()
        let status = Int(head.split(separator: " ")[1]) ?? 0
        let type = head.split(separator: "\r\n").first { $0.hasPrefix("content-type:") }
            .map { String($0.dropFirst("content-type:".count)).trimmingCharacters(in: .whitespaces) } ?? ""
        return (status, type, parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    @Test func ctlDashboardRelaysPageAndCallsWithTheToken() throws {
        let admin = try AdminEndToEndTests.Admin(tcpToken: "relay-token")
        defer { admin.stop() }
        let tokenFile = ChildProcess.temporaryPath("relay-token")
        try "relay-token\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: tokenFile) }
        let port = try freePort()
        let relay = try ChildProcess(["ctl", "--socket", admin.socketPath, "--token-file", tokenFile, "dashboard", "--port", String(port)])
        defer { kill(relay.pid, SIGKILL) }
        let browser = AdminClient(endpoint: .tcp(SocketAddress(host: "127.0.0.1", port: port)!), timeout: 5)

        var page: (status: Int, type: String, body: String)?
        let deadline = Date().addingTimeInterval(15)
        while page == nil && Date() < deadline {
            page = try? call(browser, "GET", "/")
            if page == nil { usleep(50_000) }
        }
        #expect(page?.status == 200)
        #expect(page?.type == "text/html; charset=utf-8")
        #expect(page?.body == DashboardPage.html)

        let status = try call(browser, "GET", "/status")
        #expect(status.status == 200 && status.type == "application/json" && status.body.contains("\"splits\""))
        #expect(try call(browser, "PUT", "/splits/web", #"{"blue": 70, "canary": 30}"#).status == 200)
        let weights = (try admin.call("GET", "/splits/web").json["weights"]) as? [String: Int]
        #expect(weights == ["blue": 70, "canary": 30])
        let refused = try call(browser, "POST", "/splits/web/switch", #"{"to": "purple"}"#)
        let direct = try admin.client.send("POST", "/splits/web/switch", body: #"{"to": "purple"}"#)
        #expect(refused.status == direct.status && refused.status >= 400)
        #expect(refused.body == direct.body && refused.body.contains("purple"))
        // The query is relayed: nothing after a time in the future.
        let series = try call(browser, "GET", "/stats/series?since=99999999999999")
        #expect(series.status == 200 && !series.body.contains("[["))
        // An empty POST is relayed without a body, as /reload (which takes none) wants it.
        #expect(try call(browser, "POST", "/reload").status == admin.client.send("POST", "/reload").status)

        kill(relay.pid, SIGINT)
        #expect(relay.waitForExit(seconds: 10) == 0)
        #expect(relay.standardOutput().contains("dashboard: http://127.0.0.1:\(port)/"))
    }

    @Test func relayAnswers502WhenTurnoutIsGone() {
        let relay = AdminRelay(client: AdminClient(endpoint: .unix(path: ChildProcess.temporaryPath("no-such.sock")), timeout: 2))
        let answer = relay.handle(AdminRequest(method: "GET", path: "/status", caller: .tcp(address: "127.0.0.1:1")))
        #expect(answer.status == 502)
        #expect(String(decoding: answer.body, as: UTF8.self).contains("could not reach"))
    }

    @Test func demoPrintsADashboardURLThatAnswers() throws {
        let directory = ChildProcess.temporaryPath("demo-dashboard")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let demo = Process()
        demo.executableURL = URL(fileURLWithPath: ChildProcess.binary)
        demo.arguments = ["demo", "--port", "0", "--traffic", "50"]
        demo.currentDirectoryURL = URL(fileURLWithPath: directory)
        let output = Pipe()
        demo.standardOutput = output
        demo.standardError = FileHandle.nullDevice
        try demo.run()
        defer { if demo.isRunning { kill(demo.processIdentifier, SIGKILL) } }

        // The banner's "Dashboard: http://127.0.0.1:PORT/" line, read within 15 s.
        let descriptor = output.fileHandleForReading.fileDescriptor
        var text = ""
        var port: UInt16?
        let deadline = Date().addingTimeInterval(15)
        while port == nil && Date() < deadline {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = read(descriptor, &chunk, chunk.count)
            if n <= 0 { break }
            text += String(decoding: chunk[0..<n], as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Dashboard: http://127.0.0.1:") }) {
                port = UInt16(line.dropFirst("Dashboard: http://127.0.0.1:".count).prefix { $0.isNumber })
            }
        }
        let dashboard = try #require(port, "no dashboard URL in: \(text)")
        let page = try call(AdminClient(endpoint: .tcp(SocketAddress(host: "127.0.0.1", port: dashboard)!), timeout: 5), "GET", "/")
        #expect(page.status == 200 && page.type == "text/html; charset=utf-8" && page.body == DashboardPage.html)
        // The demo's shadow release: within 15 s its traffic shows every verdict it is built to
        // show (the same path answered alike, /counter as noise, /v2/beta as status and body
        // mismatches) and none of the copies failing.
        let admin = AdminClient(endpoint: .tcp(SocketAddress(host: "127.0.0.1", port: dashboard)!), timeout: 5)
        var totals: [String: Any] = [:]
        let mirrorDeadline = Date().addingTimeInterval(15)
        repeat {
            usleep(200_000)
            let mirror = try call(admin, "GET", "/mirror")
            let document = try JSONSerialization.jsonObject(with: Data(mirror.body.utf8)) as? [String: Any]
            totals = document?["totals"] as? [String: Any] ?? [:]
        } while ["matched", "noise", "status_mismatch", "body_mismatch"].contains(where: { (totals[$0] as? Int ?? 0) == 0 })
            && Date() < mirrorDeadline
        for verdict in ["matched", "noise", "status_mismatch", "body_mismatch"] {
            #expect((totals[verdict] as? Int ?? 0) > 0, "no \(verdict) in the demo's GET /mirror totals: \(totals)")
        }
        let errors = totals["shadow_errors"] as? [String: Int] ?? [:]
        #expect(errors.values.reduce(0, +) == 0, "shadow errors in the demo: \(errors)")
        kill(demo.processIdentifier, SIGINT)
        let stopBy = Date().addingTimeInterval(15)
        while demo.isRunning && Date() < stopBy { usleep(20_000) }
        #expect(!demo.isRunning && demo.terminationStatus == 0)
    }
}
