import Foundation
import Testing
import TurnoutAdmin
import TurnoutConfig
import TurnoutControl
import TurnoutCore
import TurnoutTestSupport

/// Traffic recorded on the data path, read back through `/stats` and `/metrics` (parsed by a
/// strict exposition parser), and exact deltas between two readings for the analyzer.
@Suite struct MetricsEndToEndTests {
    @Test func statsCountResponsesErrorsAndLatencyPerPoolAndServer() throws {
        let admin = try AdminEndToEndTests.Admin()
        defer { admin.stop() }
        let client = try TestClient(port: admin.setup.server.listenAddresses[0].port)
        for _ in 0..<30 { #expect(try client.request("GET", "/").status == 200) }
        for _ in 0..<5 { #expect(try client.request("GET", "/status/503").status == 503) }
        for _ in 0..<4 { #expect(try client.request("GET", "/delay/20").status == 200) }
        admin.monitor.sample()

        let stats = try admin.call("GET", "/stats")
        #expect(stats.status == 200)
        let blue = (stats.json["pools"] as? [String: Any])?["blue"] as? [String: Any]
        for window in ["10s", "1m", "5m", "since_start"] {
            let traffic = (blue?["windows"] as? [String: Any])?[window] as? [String: Any]
            #expect(traffic?["requests"] as? Int == 39, "window \(window)")
            #expect((traffic?["responses"] as? [String: Int])?["2xx"] == 34)
            #expect((traffic?["errors"] as? [String: Int])?["5xx"] == 5)
            let latency = traffic?["latency_ms"] as? [String: Double]
            #expect((latency?["max"] ?? 0) >= 20, "the /delay/20 requests show in the maximum")
            #expect((latency?["p50"] ?? 99) < 20)
        }
        let address = admin.setup.fixtures["blue"]!.address
        let server = ((blue?["servers"] as? [String: Any])?[address] as? [String: Any])?["windows"] as? [String: Any]
        #expect((server?["since_start"] as? [String: Any])?["requests"] as? Int == 39)
        let canary = ((stats.json["pools"] as? [String: Any])?["canary"] as? [String: Any])?["windows"] as? [String: Any]
        #expect((canary?["1m"] as? [String: Any])?["requests"] as? Int == 0)
        #expect((canary?["1m"] as? [String: Any])?["latency_ms"] is NSNull)
    }

    @Test func metricsParseStrictlyAndAgreeWithTheTraffic() throws {
        let admin = try AdminEndToEndTests.Admin()
        defer { admin.stop() }
        // A pool whose server refuses connections: connect errors, then 502 to the client.
        #expect(try admin.call("PUT", "/splits/web", #"{"canary": 100}"#).status == 200)
        admin.setup.fixtures["canary"]!.stop()
        let client = try TestClient(port: admin.setup.server.listenAddresses[0].port)
        for _ in 0..<3 { #expect(try client.request("GET", "/").status == 502) }
        #expect(try admin.call("PUT", "/splits/web", #"{"blue": 100}"#).status == 200)
        for _ in 0..<25 { #expect(try client.request("GET", "/bytes/1000").status == 200) }

        let answer = try admin.client.send("GET", "/metrics")
        #expect(answer.status == 200)
        let families = Dictionary(uniqueKeysWithValues: try PrometheusParser.parse(answer.body).map { ($0.name, $0) })
        let blue = admin.setup.fixtures["blue"]!.address
        let canary = admin.setup.fixtures["canary"]!.address
        func value(_ family: String, _ sample: String? = nil, _ labels: [String: String]) -> Double? {
            families[family]?.value(sample ?? family, labels)
        }
        #expect(families["turnout_upstream_latency_seconds"]?.type == "histogram")
        #expect(value("turnout_upstream_responses_total", nil, ["pool": "blue", "server": blue, "class": "2xx"]) == 25)
        #expect(value("turnout_upstream_errors_total", nil, ["pool": "canary", "server": canary, "kind": "connect"]) == 3)
        #expect(value("turnout_upstream_latency_seconds", "turnout_upstream_latency_seconds_count", ["pool": "blue", "server": blue]) == 25)
        #expect(value("turnout_upstream_latency_seconds", "turnout_upstream_latency_seconds_bucket", ["pool": "blue", "server": blue, "le": "+Inf"]) == 25)
        #expect((value("turnout_upstream_received_bytes_total", nil, ["pool": "blue", "server": blue]) ?? 0) > 25_000)
        #expect(value("turnout_split_weight", nil, ["split": "web", "pool": "blue"]) == 100)
        #expect(value("turnout_split_runtime_weights", nil, ["split": "web"]) == 1)
        #expect(value("turnout_upstream_in_flight", nil, ["pool": "blue", "server": blue]) == 0)
        for family in families.values { #expect(family.name.hasPrefix("turnout_")); #expect(family.help != nil) }
    }

    /// A caller snapshots the totals when a step starts and later reads exactly what happened
    /// since, per pool: the canary analyzer's reading.
    @Test func totalsSubtractToExactDeltas() throws {
        let setup = try ControlPlaneTests.Setup()
        defer { setup.stop() }
        let client = try TestClient(port: setup.server.listenAddresses[0].port)
        for _ in 0..<10 { _ = try client.request("GET", "/") }
        let start = TrafficMonitor.poolTotals(try #require(setup.server.trafficTotals()))
        _ = try setup.control.setWeights(split: "web", to: ["blue": 1, "canary": 1], origin: ControlPlaneTests.admin)
        var seen: [String: Int] = [:]
        for _ in 0..<40 { seen[try client.request("GET", "/").text, default: 0] += 1 }
        let end = TrafficMonitor.poolTotals(try #require(setup.server.trafficTotals()))
        for pool in ["blue", "canary"] {
            let delta = end[pool]!.subtracting(start[pool] ?? .init())
            #expect(delta.requests == UInt64(seen["\(pool)\n"] ?? 0), "\(pool): \(seen)")
            #expect(delta.latency.count == delta.requests)
        }
    }
}
