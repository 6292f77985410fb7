import Glibc
import Testing
import TurnoutFixture
@testable import TurnoutCore

/// What a client gets when upstreams refuse, stall, vanish, die mid-response or answer
/// nonsense, and when another client misbehaves.
@Suite struct FailureEndToEndTests {
    @Test func refusedServerIsRetriedOnAnotherThen502() throws {
        let proxy = try ProxyHarness(fixtures: ["blue"], config: ProxyHarness.config(
            pools: ["mixed": ["{{refused}}", "{{blue}}"], "dead": ["{{refused}}"]],
            routes: #"[{ "match": { "path_prefix": "/dead" }, "pool": "dead" }, { "pool": "mixed" }]"#))
        defer { proxy.stop() }
        let client = try TestClient(port: proxy.port)
        for _ in 0..<20 {
            let response = try client.request("GET", "/")
            #expect(response.status == 200)
            #expect(response.text == "blue\n")
        }
        let counters = try #require(proxy.server.counters())
        #expect(counters.connectFailures >= 5, "round robin sends half the first attempts to the refusing server")
        #expect(try client.request("GET", "/dead").status == 502)
        // The 502 leaves the client connection usable.
        #expect(try client.request("GET", "/").status == 200)
    }

    /// `retries.on: ["5xx"]`: an idempotent request that met a 500 is answered by another server;
    /// a POST is not sent twice, so its 500 reaches the client.
    @Test func serverErrorsAreRetriedForIdempotentRequestsOnly() throws {
        let proxy = try ProxyHarness(fixtures: ["failing", "blue"], behaviors: ["failing": FixtureBehavior(errorRate: 1)],
            config: ProxyHarness.config(pools: ["mixed": ["{{failing}}", "{{blue}}"]], routes: #"[{ "pool": "mixed" }]"#,
                                        extra: #""retries": { "attempts": 1, "on": ["5xx"] }"#))
        defer { proxy.stop() }
        let client = try TestClient(port: proxy.port)
        for _ in 0..<10 {
            let response = try client.request("GET", "/")
            #expect(response.status == 200)
            #expect(response.text == "blue\n")
        }
        let posts = try (0..<4).map { _ in try client.request("POST", "/", body: Array("x".utf8)).status }
        #expect(posts.contains(500), "round robin sends POSTs to the failing server too: \(posts)")
        #expect(posts.contains(200))
        #expect(try #require(proxy.server.counters()).retries >= 5)
    }

    @Test func slowUpstreamGets504() throws {
        let proxy = try ProxyHarness(fixtures: ["blue"], config: ProxyHarness.config(
            pools: ["blue": ["{{blue}}"]], routes: #"[{ "pool": "blue" }]"#,
            extra: #""timeouts": { "upstream_response_ms": 300 }, "retries": { "attempts": 0 }"#))
        defer { proxy.stop() }
        let client = try TestClient(port: proxy.port)
        let started = monotonicSeconds()
        let response = try client.request("GET", "/delay/3000")
        let elapsed = monotonicSeconds() - started
        #expect(response.status == 504)
        #expect(elapsed >= 0.29 && elapsed < 2.0, "504 after \(elapsed) s")
        #expect(try client.request("GET", "/").status == 200)
    }

    @Test func poolWithNoAvailableServerGets503() throws {
        let proxy = try ProxyHarness(fixtures: ["blue"], config: ProxyHarness.config(
            pools: ["blue": ["{{blue}}"]], routes: #"[{ "pool": "blue" }]"#))
        defer { proxy.stop() }
        let address = proxy.fixtures["blue"]!.address
        try proxy.setDrained(["blue": [address]])
        let client = try TestClient(port: proxy.port)
        #expect(try client.request("GET", "/").status == 503)
        try proxy.setDrained([:])
        #expect(try client.request("GET", "/").status == 200)
    }

    /// An upstream dying mid-response: the client sees its connection close before the
    /// declared length, never a made-up status.
    @Test func upstreamDyingMidResponseClosesTheClient() throws {
        let proxy = try ProxyHarness(fixtures: ["blue"], config: ProxyHarness.config(
            pools: ["blue": ["{{blue}}"]], routes: #"[{ "pool": "blue" }]"#))
        defer { proxy.stop() }
        let client = try TestClient(port: proxy.port)
        #expect(throws: TestClient.Failure.self) { _ = try client.request("GET", "/die") }
        #expect(try #require(proxy.server.counters()).upstreamResets >= 1)
    }

    @Test func invalidUpstreamResponseGets502() throws {
        let upstream = try ScriptedUpstream { connection, _ in
            guard ScriptedUpstream.readHead(connection) else { return }
            ScriptedUpstream.write(connection, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        }
        defer { upstream.stop() }
        let proxy = try ProxyHarness(fixtures: [], config: ProxyHarness.config(
            pools: ["odd": [upstream.address]], routes: #"[{ "pool": "odd" }]"#))
        defer { proxy.stop() }
        let client = try TestClient(port: proxy.port)
        #expect(try client.request("GET", "/").status == 502)
        #expect(try #require(proxy.server.counters()).invalidResponses >= 1)
    }

    /// A pooled connection the server dropped is found dead before any response byte: the
    /// request goes out again on a fresh connection and the client never notices.
    @Test func deadPooledConnectionIsReplayedOnAFreshOne() throws {
        let upstream = try ScriptedUpstream { connection, _ in
            // Answer one request, then wait for the next and drop it unanswered.
            guard ScriptedUpstream.readHead(connection) else { return }
            ScriptedUpstream.write(connection, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            _ = ScriptedUpstream.readHead(connection)
            var reset = linger(l_onoff: 1, l_linger: 0)
            setsockopt(connection, SOL_SOCKET, SO_LINGER, &reset, socklen_t(MemoryLayout<linger>.size))
        }
        defer { upstream.stop() }
        let proxy = try ProxyHarness(fixtures: [], config: ProxyHarness.config(
            pools: ["flaky": [upstream.address]], routes: #"[{ "pool": "flaky" }]"#,
            extra: #""retries": { "attempts": 0 }"#))
        defer { proxy.stop() }
        let client = try TestClient(port: proxy.port)
        for _ in 0..<4 {
            let response = try client.request("GET", "/")
            #expect(response.status == 200)
            #expect(response.text == "ok")
        }
        #expect(upstream.acceptedConnections >= 2)
    }

    /// A client that trickles a request head neither blocks other clients nor keeps its
    /// connection past client_header_ms.
    @Test func slowlorisDoesNotStopOtherClients() throws {
        let proxy = try ProxyHarness(fixtures: ["blue"], config: ProxyHarness.config(
            pools: ["blue": ["{{blue}}"]], routes: #"[{ "pool": "blue" }]"#,
            extra: #""timeouts": { "client_header_ms": 500 }"#))
        defer { proxy.stop() }
        let slow = try (0..<20).map { _ in try TestClient(port: proxy.port) }
        for client in slow { try client.send("GET / HTTP/1.1\r\nHost: t\r\nX-Slow: ") }
        let fast = try TestClient(port: proxy.port)
        for _ in 0..<100 { #expect(try fast.request("GET", "/").status == 200) }
        let started = monotonicSeconds()
        let timedOut = try slow[0].readResponse()
        #expect(timedOut.status == 408)
        #expect(monotonicSeconds() - started < 2.0)
        #expect(try slow[0].readsEndOfFile())
    }

    /// A chunked body that crosses limits.max_body_bytes only after longer than
    /// upstream_response_ms is answered 413: the upstream's deadline starts again as the body
    /// moves, so the server is not timed while the client is still sending (it once ran from the
    /// attempt's start, and a 504 won whenever the crossing came late).
    @Test func aSlowChunkedBodyOverTheLimitIs413NotA504() throws {
        let proxy = try ProxyHarness(fixtures: ["blue"], config: ProxyHarness.config(
            pools: ["blue": ["{{blue}}"]], routes: #"[{ "pool": "blue" }]"#,
            extra: #""timeouts": { "upstream_response_ms": 300 }, "limits": { "max_body_bytes": 1000 }"#))
        defer { proxy.stop() }
        let client = try TestClient(port: proxy.port)
        try client.send("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
        let chunk = "64\r\n" + String(repeating: "x", count: 100) + "\r\n"
        let started = monotonicSeconds()
        // 11 chunks of 100 bytes, 60 ms apart: the 11th crosses 1,000 bytes after about 600 ms.
        for _ in 0..<11 {
            try client.send(chunk)
            usleep(60_000)
        }
        let response = try client.readResponse()
        #expect(response.status == 413)
        #expect(monotonicSeconds() - started > 0.3, "the body took longer than upstream_response_ms")
        #expect(try client.readsEndOfFile())
    }

    @Test func malformedRequestsGetTheirStatusAndAClose() throws {
        let proxy = try ProxyHarness(fixtures: ["blue"], config: ProxyHarness.config(
            pools: ["blue": ["{{blue}}"]], routes: #"[{ "pool": "blue" }]"#,
            extra: #""limits": { "max_header_bytes": 16384, "max_body_bytes": 1000 }"#))
        defer { proxy.stop() }
        let cases: [(String, Int)] = [
            ("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost : t\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: t\r\nX: a\r\n  folded\r\n\r\n", 400),
            ("GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505),
            ("GET / HTTP/1.1\r\nHost: t\r\nX-Big: \(String(repeating: "a", count: 17000))\r\n\r\n", 431),
            ("GET /\(String(repeating: "a", count: 9000)) HTTP/1.1\r\nHost: t\r\n\r\n", 414),
            ("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n", 413),
            ("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        ]
        for (request, status) in cases {
            let client = try TestClient(port: proxy.port)
            try client.send(request)
            let response = try client.readResponse()
            #expect(response.status == status, "\(request.prefix(60))")
            #expect(try client.readsEndOfFile(), "the connection closes after a \(status)")
        }
        let counters = try #require(proxy.server.counters())
        #expect(counters.rejectedByStatus.values.reduce(0, +) >= cases.count)
    }
}

func monotonicSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}
