import Foundation
import Testing
import TurnoutAdmin
import TurnoutConfig
import TurnoutControl
import TurnoutCore
import TurnoutFixture
import TurnoutMirror
import TurnoutPosix
import TurnoutTestSupport

/// The shadow traffic where an operator looks (SPEC §10, §6): `GET /mirror`, the `mirror`
/// section of `/stats`, the mirror families of `/metrics` and the mirror blocks of `/status`,
/// read from a real proxy whose shadow pool answers like the primary except under `/v2`.
@Suite struct MirrorAdminTests {
    /// Pool blue serves the split; pool green gets every GET copied and answers "blue\n" too,
    /// except that `/v2…` says "blue (diverged)\n" and `/v2/status` is a 500.
    final class Setup {
        let harness: ProxyHarness
        let control: ControlPlane
        let api: AdminAPI

        static let mirrored = ProxyHarness.config(pools: ["blue": ["{{blue}}"], "green": ["{{green}}"]], split: ["blue": 100],
                                                  extra: #""mirror": {"pool": "green", "percent": 100, "compare": true}"#)

        init(config: String = Setup.mirrored) throws {
            harness = try ProxyHarness(fixtures: ["blue", "green"],
                                       behaviors: ["green": FixtureBehavior(bodyName: "blue", divergePrefix: "/v2")], config: config)
            control = ControlPlane(server: harness.server, config: harness.config, runtime: RuntimeState(), store: nil, configPath: nil,
                                   version: "test", notice: { _ in })
            let monitor = TrafficMonitor(server: harness.server)
            api = AdminAPI(control: control, monitor: monitor, rollouts: RolloutController(control: control, monitor: monitor))
        }

        func call(_ method: String, _ path: String, query: String = "") -> (status: Int, json: [String: Any], text: String) {
            let answer = api.handle(AdminRequest(method: method, path: path, query: query, caller: .unix(uid: 0, pid: 1)))
            let text = String(decoding: answer.body, as: UTF8.self)
            let json = (try? JSONSerialization.jsonObject(with: Data(answer.body))) as? [String: Any] ?? [:]
            return (answer.status, json, text)
        }

        /// Sends `plain` GET /, `statusDiffs` GET /v2/status and `bodyDiffs` GET /v2/page, then
        /// waits (5 s at most) until the mirror has compared every copy; the report then.
        func traffic(plain: Int, statusDiffs: Int, bodyDiffs: Int) throws -> MirrorReport {
            let client = try TestClient(port: harness.port)
            for _ in 0..<plain { #expect(try client.request("GET", "/").text == "blue\n") }
            for _ in 0..<statusDiffs { #expect(try client.request("GET", "/v2/status").status == 200, "the client gets the primary's answer") }
            for _ in 0..<bodyDiffs { #expect(try client.request("GET", "/v2/page").text == "blue\n") }
            let total = plain + statusDiffs + bodyDiffs
            let deadline = Date().addingTimeInterval(5)
            var report = harness.server.mirrorReport()
            while (report?.totals.compared ?? 0) < total && Date() < deadline {
                Thread.sleep(forTimeInterval: 0.02)
                report = harness.server.mirrorReport()
            }
            let final = try #require(report)
            #expect(final.totals.compared == total, "the mirror compared every copy within 5 s")
            return final
        }

        func stop() { harness.stop() }
    }

    static let key = ["route": "routes[0]", "pool": "blue", "shadow": "green"]

    @Test func mirrorEndpointReportsCountsAndMismatchesInSnakeCase() throws {
        let setup = try Setup()
        defer { setup.stop() }
        _ = try setup.traffic(plain: 6, statusDiffs: 3, bodyDiffs: 2)
        let (status, json, text) = setup.call("GET", "/mirror")
        #expect(status == 200)
        #expect(!text.contains("Mismatch\""), "no camelCase key: \(text.prefix(300))")
        #expect(json["in_flight"] as? Int == 0)
        let counts = try #require(json["counts"] as? [[String: Any]])
        #expect(counts.count == 1)
        let entry = try #require(counts.first)
        for (name, value) in Self.key { #expect(entry[name] as? String == value) }
        let expected: [String: Int] = ["mirrored": 11, "dropped": 0, "too_large": 0, "compared": 11, "matched": 6, "status_mismatch": 3,
                                       "status_class_mismatch": 3, "body_mismatch": 2, "not_compared": 0, "noise": 0]
        for (name, value) in expected { #expect(entry[name] as? Int == value, "\(name)") }
        #expect(entry["shadow_errors"] as? [String: Int] == ["connect": 0, "reset": 0, "timeout": 0, "invalid": 0])
        #expect((entry["noisy_paths"] as? [String: Int])?.isEmpty == true)
        let latency = try #require(entry["latency_difference_ms"] as? [String: Any])
        #expect(latency["count"] as? Int == 11)
        for quantile in ["p50", "p90", "p99"] { #expect(latency[quantile] is Double || latency[quantile] is Int, "\(quantile): \(latency)") }
        // One key, so the totals are its counts.
        let totals = try #require(json["totals"] as? [String: Any])
        for (name, value) in expected { #expect(totals[name] as? Int == value, "totals \(name)") }
        #expect(totals["route"] == nil, "totals carry no key")

        let mismatches = try #require(json["mismatches"] as? [[String: Any]])
        #expect(mismatches.count == 5)
        // Newest first: the body mismatches were sent last.
        #expect(mismatches.map { $0["kind"] as? String } == ["body", "body", "status", "status", "status"])
        #expect(mismatches.map { $0["path"] as? String } == ["/v2/page", "/v2/page", "/v2/status", "/v2/status", "/v2/status"])
        let first = try #require(mismatches.last)
        #expect(first["method"] as? String == "GET")
        #expect(first["route"] as? String == "routes[0]")
        #expect(first["pool"] as? String == "blue")
        #expect((first["at"] as? String)?.hasSuffix("Z") == true)
        let primary = try #require(first["primary"] as? [String: Any])
        let shadow = try #require(first["shadow"] as? [String: Any])
        #expect(primary["pool"] as? String == "blue" && shadow["pool"] as? String == "green")
        #expect(primary["status"] as? Int == 200 && shadow["status"] as? Int == 500)
        #expect(primary["prefix"] as? String == "blue\\n")
        #expect(shadow["prefix"] as? String == "blue (diverged)\\n")
        #expect(primary["body_bytes"] as? Int == 5 && shadow["body_bytes"] as? Int == 16)
        #expect(primary["complete"] as? Bool == true)
        for answer in [primary, shadow] {
            let digest = answer["digest"] as? String ?? ""
            #expect(digest.count == 16 && digest.allSatisfy(\.isHexDigit), "\(digest)")
            #expect(answer["latency_ms"] is Double || answer["latency_ms"] is Int)
        }
        #expect(primary["digest"] as? String != shadow["digest"] as? String)
        // The same body has the same digest on both sides of every mismatch's primary.
        #expect(Set(mismatches.compactMap { ($0["primary"] as? [String: Any])?["digest"] as? String }).count == 1)
    }

    @Test func mirrorEndpointRefusesWrongMethodsAndParameters() throws {
        let setup = try Setup()
        defer { setup.stop() }
        for (method, query, status) in [("POST", "", 405), ("PUT", "", 405), ("DELETE", "", 405), ("GET", "limit=5", 400), ("GET", "x", 400)] {
            let answer = setup.call(method, "/mirror", query: query)
            #expect(answer.status == status, "\(method) /mirror?\(query)")
            #expect((answer.json["error"] as? String)?.contains("/mirror") == true, "\(answer.text)")
        }
        #expect(setup.call("GET", "/mirror/routes").status == 404)
    }

    /// Every worker busy past the 5 s deadline: the reading would be short of one, so 503.
    @Test func mirrorEndpointAnswers503WhenAWorkerIsSilent() throws {
        let setup = try Setup()
        defer { setup.stop() }
        let release = Latch()
        #expect(setup.harness.server.onEveryWorker(timeout: 0.01) { _ = release.wait(seconds: 15) } == nil)
        let answer = setup.call("GET", "/mirror")
        for _ in 0..<setup.harness.server.workerCount { release.signal() }
        #expect(answer.status == 503)
        #expect((answer.json["error"] as? String)?.contains("worker") == true, "\(answer.text)")
        #expect(setup.call("GET", "/mirror").status == 200, "answers again once the workers do")
    }

    @Test func statsHaveAMirrorSectionOnlyWhenARouteMirrors() throws {
        let setup = try Setup()
        defer { setup.stop() }
        _ = try setup.traffic(plain: 4, statusDiffs: 1, bodyDiffs: 0)
        let stats = setup.call("GET", "/stats")
        #expect(stats.status == 200)
        let mirror = try #require(stats.json["mirror"] as? [String: Any])
        #expect(mirror["mismatches"] == nil, "/stats has the counts, /mirror the mismatches")
        #expect((mirror["totals"] as? [String: Any])?["mirrored"] as? Int == 5)
        let entry = try #require((mirror["counts"] as? [[String: Any]])?.first)
        #expect(entry["shadow"] as? String == "green")
        #expect(entry["matched"] as? Int == 4 && entry["status_mismatch"] as? Int == 1)

        let plain = try Setup(config: ProxyHarness.config(pools: ["blue": ["{{blue}}"], "green": ["{{green}}"]], split: ["blue": 100]))
        defer { plain.stop() }
        let unmirrored = plain.call("GET", "/stats")
        #expect(unmirrored.status == 200 && unmirrored.json["pools"] != nil)
        #expect(unmirrored.json["mirror"] == nil)
        let empty = plain.call("GET", "/mirror")
        #expect(empty.status == 200)
        #expect((empty.json["counts"] as? [Any])?.isEmpty == true && (empty.json["mismatches"] as? [Any])?.isEmpty == true)
        #expect(((empty.json["totals"] as? [String: Any])?["latency_difference_ms"] as? [String: Any])?["p50"] is NSNull)
    }

    @Test func metricsHaveTheMirrorFamilies() throws {
        let setup = try Setup()
        defer { setup.stop() }
        let report = try setup.traffic(plain: 5, statusDiffs: 2, bodyDiffs: 3)
        let answer = setup.call("GET", "/metrics")
        #expect(answer.status == 200)
        let families = Dictionary(uniqueKeysWithValues: try PrometheusParser.parse(answer.text).map { ($0.name, $0) })
        func value(_ family: String, _ sample: String? = nil, _ extra: [String: String] = [:]) -> Double? {
            families[family]?.value(sample ?? family, Self.key.merging(extra) { $1 })
        }
        let results: [String: Double] = ["mirrored": 10, "dropped": 0, "too_large": 0, "matched": 5, "status_mismatch": 2,
                                         "body_mismatch": 3, "not_compared": 0, "noise": 0]
        for (result, count) in results {
            #expect(value("turnout_mirror_requests_total", nil, ["result": result]) == count, "\(result)")
        }
        #expect(families["turnout_mirror_requests_total"]?.samples.count == results.count)
        #expect(value("turnout_mirror_status_class_mismatch_total") == 2)
        for kind in ["connect", "reset", "timeout", "invalid"] {
            #expect(value("turnout_mirror_shadow_errors_total", nil, ["kind": kind]) == 0, "\(kind)")
        }
        let histogram = "turnout_mirror_latency_difference_seconds"
        #expect(families[histogram]?.type == "histogram")
        let counts = ["slower", "faster"].map { value(histogram, histogram + "_count", ["direction": $0]) ?? -1 }
        #expect(counts[0] + counts[1] == 10)
        #expect(counts[0] == Double(report.totals.slower.count))
        #expect(value(histogram, histogram + "_bucket", ["direction": "slower", "le": "+Inf"]) == counts[0])
        #expect(families["turnout_mirror_in_flight"]?.type == "gauge")
        #expect(families["turnout_mirror_in_flight"]?.value("turnout_mirror_in_flight") == 0)
        for name in ["turnout_mirror_requests_total", "turnout_mirror_shadow_errors_total", "turnout_mirror_status_class_mismatch_total"] {
            #expect(families[name]?.type == "counter", "\(name)")
            #expect(families[name]?.help?.isEmpty == false, "\(name)")
        }

        let plain = try Setup(config: ProxyHarness.config(pools: ["blue": ["{{blue}}"]], split: ["blue": 100]))
        defer { plain.stop() }
        let unmirrored = try PrometheusParser.parse(plain.call("GET", "/metrics").text)
        #expect(!unmirrored.contains { $0.name.hasPrefix("turnout_mirror_") }, "no mirror families without a mirror")
    }

    /// `/status` shows the top-level block and the mirror each route is under: inherited, its
    /// own, or none (`"mirror": null`).
    @Test func statusShowsTheMirrorInForcePerRoute() throws {
        let routes = #"""
            [{ "match": { "path_prefix": "/private" }, "split": "web", "mirror": null },
             { "match": { "path_prefix": "/api" }, "split": "web",
               "mirror": { "pool": "green", "percent": 2.5, "methods": ["GET", "POST"], "max_body_bytes": 1024, "max_in_flight": 8 } },
             { "split": "web" }]
            """#
        let setup = try Setup(config: ProxyHarness.config(pools: ["blue": ["{{blue}}"], "green": ["{{green}}"]], split: ["blue": 100], routes: routes,
                                                          extra: #""mirror": {"pool": "green", "percent": 100, "compare": true, "compare_body_bytes": 4096}"#))
        defer { setup.stop() }
        let (status, json, _) = setup.call("GET", "/status")
        #expect(status == 200)
        let top = try #require(json["mirror"] as? [String: Any])
        #expect(top["pool"] as? String == "green")
        #expect(top["percent"] as? Double == 100)
        #expect(top["methods"] as? [String] == ["GET", "HEAD"])
        #expect(top["compare"] as? Bool == true && top["noise"] as? Bool == false)
        #expect(top["max_body_bytes"] as? Int == MirrorConfig.defaultMaxBodyBytes)
        #expect(top["max_in_flight"] as? Int == MirrorConfig.defaultMaxInFlight)
        #expect(top["compare_body_bytes"] as? Int == 4096)
        let routeMirrors = (json["routes"] as? [[String: Any]] ?? []).map { $0["mirror"] }
        #expect(routeMirrors.count == 3)
        #expect(routeMirrors.first is NSNull, "opted out")
        let own = try #require(routeMirrors[1] as? [String: Any])
        #expect(own["percent"] as? Double == 2.5)
        #expect(own["methods"] as? [String] == ["GET", "POST"])
        #expect(own["compare"] as? Bool == false, "a route's own block replaces the top level's as a whole")
        #expect(own["max_body_bytes"] as? Int == 1024 && own["max_in_flight"] as? Int == 8)
        let inherited = try #require(routeMirrors[2] as? [String: Any])
        func canonical(_ object: [String: Any]) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }
        #expect(try canonical(inherited) == canonical(top), "the last route inherits the top level's block")

        let plain = try Setup(config: ProxyHarness.config(pools: ["blue": ["{{blue}}"]], split: ["blue": 100]))
        defer { plain.stop() }
        let unmirrored = plain.call("GET", "/status").json
        #expect(unmirrored["mirror"] is NSNull)
        #expect((unmirrored["routes"] as? [[String: Any]])?.first?["mirror"] is NSNull)
    }
}
