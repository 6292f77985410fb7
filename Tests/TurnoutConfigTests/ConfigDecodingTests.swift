import Testing
@testable import TurnoutConfig
import TurnoutRollout

@Test func minimalDocumentTakesEveryDefault() throws {
    let text = #"{"listen": ["127.0.0.1:8080"], "pools": {"blue": {"servers": ["127.0.0.1:9001"]}}, "routes": [{"pool": "blue"}]}"#
    let config = try #require(decoded(text))
    #expect(config.workers == 0)
    #expect(config.admin == AdminConfig(socket: "run/turnout-admin.sock", listen: nil, tokenFile: nil))
    #expect(config.stateFile == "run/turnout-state.json")
    #expect(config.splits == [])
    #expect(config.health == HealthConfig(path: "/healthz", intervalMs: 2000, timeoutMs: 1000, rise: 2, fall: 3))
    #expect(config.outlier == OutlierConfig(consecutiveFailures: 5, ejectMs: 30_000))
    #expect(config.retries == RetryConfig(attempts: 2, on: [.connectFailure, .resetBeforeResponse]))
    #expect(config.mirror == nil)
    #expect(config.analysis == AnalysisSettings(confidence: 0.99, maxErrorRateIncrease: 0.005, maxLatencyIncrease: 0.10,
        latencyQuantile: 0.99, minRequests: 500))
    #expect(config.timeouts == TimeoutConfig(clientHeaderMs: 10_000, clientIdleMs: 60_000, upstreamConnectMs: 2_000,
        upstreamResponseMs: 30_000, drainMs: 15_000))
    #expect(config.limits == LimitConfig(maxConnections: 20_000, maxHeaderBytes: 32_768, maxBodyBytes: 104_857_600))
    #expect(config.accessLog == nil)
    #expect(config.poolHeader == "X-Turnout-Pool")
    #expect(config.pools == [PoolConfig(name: "blue", servers: [ServerConfig(address: ServerAddress(host: "127.0.0.1", port: 9001), weight: 1)], balance: .roundRobin)])
    #expect(config.routes == [RouteConfig(match: RouteMatch(), target: .pool("blue"), sticky: nil)])
    // The code-built default equals the decoded one.
    #expect(config == Config(listen: [ServerAddress(host: "127.0.0.1", port: 8080)], pools: config.pools, routes: config.routes))
}

@Test func explicitNullsDisableOptionalFeatures() throws {
    let config = try #require(decoded(document([
        "state_file": "null", "pool_header": "null", "access_log": #""stdout""#,
        "admin": #"{"socket": null, "listen": "127.0.0.1:9900", "token_file": "run/token"}"#,
    ])))
    #expect(config.stateFile == nil)
    #expect(config.poolHeader == nil)
    #expect(config.accessLog == "stdout")
    #expect(config.admin == AdminConfig(socket: nil, listen: ServerAddress(host: "127.0.0.1", port: 9900), tokenFile: "run/token"))
}

@Test func poolsAndSplitsAreSortedByNameRoutesKeepFileOrder() throws {
    let config = try #require(decoded(document([
        "pools": #"{"zeta": {"servers": ["127.0.0.1:3"]}, "alpha": {"servers": ["127.0.0.1:1", {"address": "[::1]:2", "weight": 5}], "balance": "least_request"}, "mid": {"servers": ["localhost:4"]}}"#,
        "splits": #"{"b": {"zeta": 1}, "a": {"alpha": 3, "mid": 0}}"#,
        "routes": #"[{"pool": "zeta"}, {"split": "a"}, {"pool": "alpha"}]"#,
    ])))
    #expect(config.pools.map(\.name) == ["alpha", "mid", "zeta"])
    #expect(config.pools[0].balance == .leastRequest)
    #expect(config.pools[0].servers == [
        ServerConfig(address: ServerAddress(host: "127.0.0.1", port: 1), weight: 1),
        ServerConfig(address: ServerAddress(host: "::1", port: 2), weight: 5),
    ])
    #expect(config.splits == [SplitConfig(name: "a", weights: ["alpha": 3, "mid": 0]), SplitConfig(name: "b", weights: ["zeta": 1])])
    #expect(config.splits[0].poolNames == ["alpha", "mid"])
    #expect(config.routes.map(\.target) == [.pool("zeta"), .split("a"), .pool("alpha")])
    #expect(config.pool(named: "mid")?.servers.first?.address.description == "localhost:4")
    #expect(config.split(named: "b")?.weights == ["zeta": 1])
}

@Test func routeMatchesAreNormalised() throws {
    let config = try #require(decoded(document([
        "routes": #"""
        [{"match": {"host": "Example.COM", "method": "PURGE", "path_prefix": "/api/",
                    "header": {"X-Canary": "*", "Accept": "text/html"}, "cookie": {"Beta": "yes", "a": "*"},
                    "query": {"v": "2"}},
          "split": "web", "sticky": {"header": "X-User"}},
         {"match": {"host": "[0::1]"}, "split": "web", "sticky": {"cookie": "Session_ID"}},
         {"pool": "canary"}]
        """#,
    ])))
    #expect(config.routes[0] == RouteConfig(
        match: RouteMatch(
            host: "example.com", pathPrefix: "/api/", method: "PURGE",
            headers: [FieldMatch(name: "accept", value: .exact("text/html")), FieldMatch(name: "x-canary", value: .present)],
            cookies: [FieldMatch(name: "Beta", value: .exact("yes")), FieldMatch(name: "a", value: .present)],
            query: [FieldMatch(name: "v", value: .exact("2"))]),
        target: .split("web"), sticky: .header("x-user")))
    #expect(config.routes[1] == RouteConfig(match: RouteMatch(host: "[::1]"), target: .split("web"), sticky: .cookie("Session_ID")))
    #expect(config.routes[2].match.isEmpty)
    #expect(!config.routes[0].match.isEmpty)
}

@Test func mirrorAndRetriesDecode() throws {
    let config = try #require(decoded(document([
        "mirror": #"{"pool": "canary", "percent": 2.5, "compare": true}"#,
        "retries": #"{"attempts": 3, "on": ["5xx", "timeout"]}"#,
        "analysis": #"{"max_latency_increase": 1}"#,
    ])))
    #expect(config.mirror == MirrorConfig(pool: "canary", percent: 2.5, methods: ["GET", "HEAD"], compare: true))
    #expect(config.retries == RetryConfig(attempts: 3, on: [.status5xx, .timeout]))
    #expect(config.analysis.maxLatencyIncrease == 1.0)
}
