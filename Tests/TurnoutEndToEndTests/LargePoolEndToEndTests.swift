import Testing
import TurnoutFixture

/// A pool of 200 real upstreams behind the proxy, server 0 drained: every other server still
/// gets traffic. Servers 64, 128 and 192 are the ones that lost theirs when the unavailable
/// servers were one 64-bit word indexed by `i & 63`.
@Suite struct LargePoolEndToEndTests {
    @Test func poolOf200WithServer0Drained() throws {
        let upstreams = try (0..<200).map { i in try FixtureUpstream(name: "s\(i)") }
        for upstream in upstreams { upstream.start() }
        defer { for upstream in upstreams { upstream.stop() } }
        let proxy = try ProxyHarness(fixtures: [], config: ProxyHarness.config(
            pools: ["big": upstreams.map(\.address)], routes: #"[{ "pool": "big" }]"#, workers: 1))
        defer { proxy.stop() }
        try proxy.setDrained(["big": [upstreams[0].address]])

        let client = try TestClient(port: proxy.port)
        // One worker's smooth round robin over 199 equal servers: two full cycles.
        for _ in 0..<(2 * 199) { #expect(try client.request("GET", "/").status == 200) }
        let served = upstreams.map(\.requestsServed)
        #expect(served[0] == 0, "the drained server got \(served[0]) requests")
        for server in [64, 128, 192] { #expect(served[server] == 2, "server \(server) served \(served[server])") }
        #expect(served[1...].allSatisfy { $0 == 2 }, "every server up gets its share: \(served)")

        // Enabled again, server 0 rejoins and servers 64, 128 and 192 keep theirs.
        try proxy.setDrained([:])
        for _ in 0..<200 { #expect(try client.request("GET", "/").status == 200) }
        #expect(upstreams[0].requestsServed >= 1)
        for server in [64, 128, 192] { #expect(upstreams[server].requestsServed >= 3) }
    }
}
