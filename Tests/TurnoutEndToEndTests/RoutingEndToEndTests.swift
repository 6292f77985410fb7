import Testing
@testable import TurnoutCore

/// Splits, header/cookie routes, stickiness and the 404 of an unmatched request, through a
/// real proxy in front of real fixture upstreams.
@Suite struct RoutingEndToEndTests {
    static let routes = """
        [ { "match": { "header": { "x-turnout-pool": "canary" } }, "pool": "canary" },
          { "match": { "cookie": { "canary": "1" } }, "pool": "canary" },
          { "match": { "path_prefix": "/" }, "split": "web", "sticky": { "cookie": "session_id" } } ]
        """

    func harness(blue: Int, canary: Int) throws -> ProxyHarness {
        try ProxyHarness(fixtures: ["blue", "canary"], config: ProxyHarness.config(
            pools: ["blue": ["{{blue}}"], "canary": ["{{canary}}"]], split: ["blue": blue, "canary": canary], routes: Self.routes))
    }

    @Test func ninetyTenSplitHoldsWithinAStatisticalBound() throws {
        let proxy = try harness(blue: 90, canary: 10)
        defer { proxy.stop() }
        var counts: [String: Int] = [:]
        for _ in 0..<4 {
            let client = try TestClient(port: proxy.port)
            for i in 0..<1_000 {
                let response = try client.request("GET", "/item/\(i)")
                #expect(response.status == 200)
                let pool = response.header("x-turnout-pool") ?? "none"
                // The pool header and the upstream that answered agree.
                #expect(response.text == pool + "\n")
                counts[pool, default: 0] += 1
            }
        }
        // 4,000 requests at 10 %: mean 400, standard deviation 19; five deviations either side.
        let canary = counts["canary", default: 0]
        #expect(counts["blue", default: 0] + canary == 4_000)
        #expect(abs(canary - 400) <= 95, "canary got \(canary) of 4000")
    }

    @Test func headerAndCookieRoutesReachTheCanary() throws {
        let proxy = try harness(blue: 100, canary: 0)
        defer { proxy.stop() }
        let client = try TestClient(port: proxy.port)
        #expect(try client.request("GET", "/").header("x-turnout-pool") == "blue")
        for _ in 0..<20 {
            #expect(try client.request("GET", "/", headers: ["X-Turnout-Pool: canary"]).text == "canary\n")
            #expect(try client.request("GET", "/", headers: ["Cookie: theme=dark; canary=1"]).text == "canary\n")
            // A cookie with a similar name is not the canary cookie.
            #expect(try client.request("GET", "/", headers: ["Cookie: xcanary=1"]).text == "blue\n")
        }
    }

    /// SPEC §2: raising the canary weight moves users only from baseline to canary, never back;
    /// and the same user lands in the same pool on every request.
    @Test func stickyUsersOnlyMoveTowardsTheCanary() throws {
        let proxy = try harness(blue: 90, canary: 10)
        defer { proxy.stop() }
        let client = try TestClient(port: proxy.port)
        func poolOf(_ user: Int) throws -> String {
            try client.request("GET", "/", headers: ["Cookie: session_id=user-\(user)"]).header("x-turnout-pool") ?? "none"
        }
        let users = 0..<600
        let before = try users.map(poolOf)
        #expect(try users.prefix(50).map(poolOf) == Array(before.prefix(50)), "stickiness must hold without changes")
        try proxy.setWeights(["web": ["blue": 50, "canary": 50]])
        let after = try users.map(poolOf)
        for user in users where before[user] == "canary" {
            #expect(after[user] == "canary", "user-\(user) moved from canary back to blue")
        }
        let canaryBefore = before.filter { $0 == "canary" }.count
        let canaryAfter = after.filter { $0 == "canary" }.count
        #expect(canaryBefore > 30 && canaryBefore < 100, "canary users at 10 %: \(canaryBefore)")
        #expect(canaryAfter > 240 && canaryAfter < 360, "canary users at 50 %: \(canaryAfter)")
    }

    @Test func unmatchedRequestGets404AndTheConnectionStays() throws {
        let proxy = try ProxyHarness(fixtures: ["blue"], config: ProxyHarness.config(
            pools: ["blue": ["{{blue}}"]], routes: #"[{ "match": { "path_prefix": "/api/" }, "pool": "blue" }]"#))
        defer { proxy.stop() }
        let client = try TestClient(port: proxy.port)
        #expect(try client.request("GET", "/elsewhere").status == 404)
        #expect(try client.request("GET", "/api/x").status == 200)
        #expect(try #require(proxy.server.counters()).notRouted == 1)
    }

    @Test func methodHostAndQueryMatches() throws {
        let routes = """
            [ { "match": { "method": "POST", "host": "api.example.com" }, "pool": "canary" },
              { "match": { "query": { "beta": "1" } }, "pool": "canary" },
              { "pool": "blue" } ]
            """
        let proxy = try ProxyHarness(fixtures: ["blue", "canary"], config: ProxyHarness.config(
            pools: ["blue": ["{{blue}}"], "canary": ["{{canary}}"]], routes: routes))
        defer { proxy.stop() }
        let client = try TestClient(port: proxy.port)
        try client.send("POST / HTTP/1.1\r\nHost: API.example.com:8080\r\nContent-Length: 2\r\n\r\nhi")
        #expect(try client.readResponse().text == "canary\n")
        try client.send("POST / HTTP/1.1\r\nHost: other.example.com\r\nContent-Length: 2\r\n\r\nhi")
        #expect(try client.readResponse().text == "blue\n")
        #expect(try client.request("GET", "/?a=2&beta=1").text == "canary\n")
        #expect(try client.request("GET", "/?beta=10").text == "blue\n")
    }
}
