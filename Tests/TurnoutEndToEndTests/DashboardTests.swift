import Foundation
import Testing
import TurnoutAdmin
import TurnoutControl
import TurnoutMetrics
import TurnoutPosix

/// The dashboard page on both admin transports, and the per-second series behind its charts.
@Suite struct DashboardTests {
    @Test func pageIsServedOnTheSocketAndOnTCPSelfContained() throws {
        let admin = try AdminEndToEndTests.Admin(tcpToken: "page-token")
        defer { admin.stop() }
        let tcp = AdminClient(endpoint: .tcp(admin.server.tcpAddress!), token: BearerToken("page-token"), timeout: 5)
        let unix = AdminClient(endpoint: .unix(path: admin.socketPath), token: BearerToken("page-token"), timeout: 5)
        for client in [unix, tcp] {
            let answer = try client.send("GET", "/")
            #expect(answer.status == 200)
            #expect(answer.body == DashboardPage.html)
        }
        // The page is served without the token (a browser opening a URL cannot send one; the
        // page carries no data and asks for it); everything else still needs it.
        let anonymous = AdminClient(endpoint: .tcp(admin.server.tcpAddress!), timeout: 5)
        #expect(try anonymous.send("GET", "/").body == DashboardPage.html)
        #expect(try anonymous.send("GET", "/status").status == 401)
        #expect(try anonymous.send("GET", "/stats/series").status == 401)
        #expect(try anonymous.send("POST", "/").status == 401)
        #expect(try anonymous.send("GET", "//status").status == 401)
        #expect(try tcp.send("POST", "/").status == 405)
        #expect(DashboardPage.response.contentType == "text/html; charset=utf-8")

        let page = DashboardPage.html
        #expect(page.utf8.count > 5_000 && page.utf8.count < 64_000, "a few tens of KB: \(page.utf8.count) bytes")
        let lower = page.lowercased()
        #expect(!lower.contains("@import"))
        #expect(!lower.contains("url(http"))
        #expect(!lower.contains("url(//"))
        // Every src= and href= stays on this origin (relative), and no script or stylesheet is loaded.
        for attribute in ["src=", "href="] {
            var rest = Substring(lower)
            while let range = rest.range(of: attribute) {
                let value = rest[range.upperBound...].prefix(12)
                #expect(!(value.contains("http") || value.contains("//")), "\(attribute)\(value)")
                rest = rest[range.upperBound...]
            }
        }
        // The one <link> is the empty icon, so the browser does not ask for /favicon.ico.
        #expect(lower.components(separatedBy: "<link").count == 2)
        #expect(lower.contains(#"<link rel="icon" href="data:,">"#))
        #expect(!lower.contains("<script src"))
        #expect(lower.contains("<script>") && lower.contains("<style>"))
    }

    /// The Shadow panel starts hidden and is filled from GET /mirror only while a route mirrors
    /// (its behaviour in a browser is Tests/browser/dashboard_test.py's).
    @Test func shadowPanelIsHiddenUntilAMirrorIsConfigured() {
        let page = DashboardPage.html
        #expect(page.contains(#"<section class="wide" id="mirror-section" hidden>"#))
        #expect(page.contains(#"mirrorConfigured(status) ? await api("GET", "/mirror") : null"#))
        #expect(!page.contains("does not mirror yet"))
    }

    /// The Fleet panel starts hidden and is shown only when /status carries a fleet (null for a
    /// Turnout alone), so a single instance's page looks as it did before fleets.
    @Test func fleetPanelIsHiddenOutsideAFleet() {
        let page = DashboardPage.html
        #expect(page.contains(#"<section class="wide" id="fleet-section" hidden>"#))
        #expect(page.contains("section.hidden = !fleet;"))
    }

    /// A split's Guard block is fetched from GET /splits/NAME/guard only when /status says the
    /// split has (or had) a guarded switch (its behaviour in a browser is dashboard_test.py's).
    @Test func guardReportIsFetchedOnlyWhenStatusHasOne() {
        let page = DashboardPage.html
        #expect(page.contains(#"if (split.guard && guardReportStale(split.guard, state.guards[name])) {"#))
        #expect(page.contains(#"box.hidden = !split.guard || !report;"#))
        #expect(page.contains(#"{ to, guard: { watch_s: seconds } }"#))
    }

    @Test func seriesEndpointAnswersPerPoolAndServer() throws {
        let admin = try AdminEndToEndTests.Admin()
        defer { admin.stop() }
        admin.monitor.sample()
        Thread.sleep(forTimeInterval: 0.05)
        admin.monitor.sample()
        let (status, json) = try admin.call("GET", "/stats/series")
        #expect(status == 200)
        #expect(json["columns"] as? [String] == ["time_ms", "requests_per_s", "error_rate", "p50_ms", "p99_ms"])
        let pools = json["pools"] as? [String: Any] ?? [:]
        for (_, value) in pools {
            let pool = value as? [String: Any]
            let points = pool?["points"] as? [[Any]] ?? []
            #expect(points.count == 1)
            #expect(points.first?.count == 5)
            let servers = pool?["servers"] as? [String: Any] ?? [:]
            #expect(!servers.isEmpty)
        }
        let time = ((pools.values.first as? [String: Any])?["points"] as? [[Any]])?.first?.first as? Double
        if let time {
            #expect(abs(time / 1000 - Date().timeIntervalSince1970) < 60)
            let later = try admin.call("GET", "/stats/series?since=\(Int(time))").json["pools"] as? [String: Any] ?? [:]
            for (_, value) in later { #expect(((value as? [String: Any])?["points"] as? [[Any]])?.isEmpty == true) }
        }
        for bad in ["since=soon", "from=5", "since="] {
            let refused = try admin.call("GET", "/stats/series?\(bad)")
            #expect(refused.status == 400, "\(bad)")
        }
    }

    private func stats(ok: Int, failed: Int, latencyMs: UInt64) -> TrafficStats {
        var stats = TrafficStats()
        for _ in 0..<ok { stats.recordResponse(status: 200, latencyNanoseconds: latencyMs * 1_000_000, firstByteNanoseconds: 1000) }
        for _ in 0..<failed { stats.recordResponse(status: 503, latencyNanoseconds: latencyMs * 1_000_000, firstByteNanoseconds: 1000) }
        return stats
    }

    @Test func seriesHoldsExactPerSecondDeltasInABoundedRing() throws {
        var series = TrafficSeries(capacity: 3)
        var blue = TrafficStats()
        let key = "blue\u{0}127.0.0.1:1"
        series.add([key: blue], wallTime: 1000, monotonic: 10)
        #expect(series.seconds.isEmpty, "the first reading only sets the start")
        for second in 1...5 {
            blue.merge(stats(ok: 90 * second, failed: 10 * second, latencyMs: UInt64(second)))
            series.add([key: blue, "canary\u{0}127.0.0.1:2": TrafficStats()], wallTime: 1000 + Double(second), monotonic: 10 + Double(second))
        }
        let kept = series.seconds
        #expect(kept.map(\.time) == [1003, 1004, 1005])
        let last = try #require(kept.last?.pools["blue"])
        #expect(last.requestsPerSecond == 500)
        #expect(last.errorRate == 0.1)
        #expect(try #require(last.p50Milliseconds) > 4.5 && last.p50Milliseconds! < 5.5)
        #expect(kept.last?.servers["blue"]?["127.0.0.1:1"] == last)
        let idle = try #require(kept.last?.pools["canary"])
        #expect(idle.requestsPerSecond == 0 && idle.errorRate == 0 && idle.p50Milliseconds == nil)

        let document = series.document(sinceMilliseconds: 1_004_000)
        let rows = document.pools["blue"]?.points
        #expect(rows?.count == 1)
        #expect(rows?.first?.timeMilliseconds == 1_005_000)
        #expect(rows?.first?.point.requestsPerSecond == 500)
        #expect(rows?.first?.point.p99Milliseconds != nil)
        let idleRow = document.pools["canary"]?.points.first
        #expect(idleRow != nil && idleRow?.point.p50Milliseconds == nil)
    }

    @Test func seriesCountsATotalThatWentBackwardsFromZero() {
        var series = TrafficSeries(capacity: 10)
        let key = "blue\u{0}a"
        series.add([key: stats(ok: 100, failed: 0, latencyMs: 1)], wallTime: 1, monotonic: 1)
        series.add([key: stats(ok: 7, failed: 0, latencyMs: 1)], wallTime: 3, monotonic: 3)
        #expect(series.seconds.first?.pools["blue"]?.requestsPerSecond == 3.5)
    }
}
