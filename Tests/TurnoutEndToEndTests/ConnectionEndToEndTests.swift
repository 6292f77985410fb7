import Testing
@testable import TurnoutCore

/// Keep-alive on both sides, pipelining, HTTP/1.0 clients, hop-by-hop and forwarding headers.
@Suite struct ConnectionEndToEndTests {
    func harness() throws -> ProxyHarness {
        try ProxyHarness(fixtures: ["blue"], config: ProxyHarness.config(pools: ["blue": ["{{blue}}"]], routes: #"[{ "pool": "blue" }]"#))
    }

    /// A steady keep-alive load must reuse upstream connections, not open one per request.
    @Test func upstreamConnectionsAreReused() throws {
        let proxy = try harness()
        defer { proxy.stop() }
        let client = try TestClient(port: proxy.port)
        for i in 0..<1_000 {
            #expect(try client.request("GET", "/r/\(i)").status == 200)
        }
        let opened = proxy.fixtures["blue"]!.acceptedConnections
        #expect(opened <= 2, "the fixture accepted \(opened) connections for 1,000 keep-alive requests")
        #expect(proxy.fixtures["blue"]!.requestsServed == 1_000)
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let proxy = try harness()
        defer { proxy.stop() }
        let client = try TestClient(port: proxy.port)
        let sizes = [3, 70_000, 1, 0, 5]
        try client.send(sizes.map { "GET /bytes/\($0) HTTP/1.1\r\nHost: t\r\n\r\n" }.joined())
        for size in sizes {
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.body.count == size)
            #expect(response.body == (0..<size).map { UInt8($0 % 251) })
        }
    }

    @Test func http10ClientGetsNoChunkingAndAClose() throws {
        let proxy = try harness()
        defer { proxy.stop() }
        // A chunked upstream response reaches a 1.0 client unchunked and close-delimited.
        let client = try TestClient(port: proxy.port)
        try client.send("GET /bytes/20000?chunked=1 HTTP/1.0\r\nHost: t\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.header("transfer-encoding") == nil)
        #expect(response.body == (0..<20_000).map { UInt8($0 % 251) })
        #expect(try client.readsEndOfFile())
        // A 1.0 client asking for keep-alive keeps its connection.
        let keepAlive = try TestClient(port: proxy.port)
        for _ in 0..<3 {
            try keepAlive.send("GET /bytes/10 HTTP/1.0\r\nHost: t\r\nConnection: keep-alive\r\n\r\n")
            let reply = try keepAlive.readResponse()
            #expect(reply.body.count == 10)
            #expect(reply.header("connection")?.lowercased() == "keep-alive")
        }
    }

    @Test func connectionCloseIsHonoured() throws {
        let proxy = try harness()
        defer { proxy.stop() }
        let client = try TestClient(port: proxy.port)
        let response = try client.request("GET", "/", headers: ["Connection: close"])
        #expect(response.status == 200)
        #expect(response.header("connection")?.lowercased() == "close")
        #expect(try client.readsEndOfFile())
    }

    @Test func hopByHopFieldsAreRemovedAndForwardingFieldsSet() throws {
        let proxy = try harness()
        defer { proxy.stop() }
        let client = try TestClient(port: proxy.port)
        let response = try client.request("GET", "/headers", headers: [
            "Connection: keep-alive, X-Secret-Hop", "X-Secret-Hop: 1", "Keep-Alive: timeout=5", "Proxy-Connection: keep-alive",
            "TE: trailers", "X-Forwarded-For: 203.0.113.7", "X-End-To-End: kept",
        ])
        let seen = response.text.lowercased()
        for removed in ["x-secret-hop", "keep-alive:", "proxy-connection", "\r\nte:"] {
            #expect(!seen.contains(removed), "\(removed) reached the upstream:\n\(seen)")
        }
        #expect(seen.contains("x-end-to-end: kept"))
        #expect(seen.contains("x-forwarded-for: 203.0.113.7, 127.0.0.1"))
        #expect(seen.contains("x-forwarded-proto: http"))
        #expect(seen.contains("x-forwarded-host: test.local"))
    }
}
