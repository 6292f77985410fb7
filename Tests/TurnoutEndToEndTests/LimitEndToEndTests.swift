import Glibc
import Testing
import TurnoutPosix

/// Timeouts and connection limits: idle clients are closed, an upstream that never completes the
/// handshake costs a 504 after `upstream_connect_ms`, and `max_connections` makes accepting wait
/// instead of refusing or crashing.
@Suite struct LimitEndToEndTests {
    @Test func idleKeepAliveClientIsClosedAfterClientIdle() throws {
        let proxy = try ProxyHarness(fixtures: ["blue"], config: ProxyHarness.config(
            pools: ["blue": ["{{blue}}"]], routes: #"[{ "pool": "blue" }]"#,
            extra: #""timeouts": { "client_idle_ms": 300 }"#))
        defer { proxy.stop() }
        let client = try TestClient(port: proxy.port, timeoutSeconds: 5)
        #expect(try client.request("GET", "/").status == 200)
        let started = monotonicSeconds()
        #expect(try client.readsEndOfFile(), "an idle keep-alive connection is closed")
        let waited = monotonicSeconds() - started
        #expect(waited >= 0.25 && waited < 2.0, "closed after \(waited) s")
    }

    /// A connection that never sends a byte is held for client_header_ms from its accept, not
    /// for the (much longer) idle timeout; after a first answer the idle timeout applies.
    @Test func silentNewConnectionIsClosedAfterClientHeaderTime() throws {
        let proxy = try ProxyHarness(fixtures: ["blue"], config: ProxyHarness.config(
            pools: ["blue": ["{{blue}}"]], routes: #"[{ "pool": "blue" }]"#,
            extra: #""timeouts": { "client_header_ms": 300, "client_idle_ms": 5000 }"#))
        defer { proxy.stop() }
        let silent = try TestClient(port: proxy.port, timeoutSeconds: 5)
        let started = monotonicSeconds()
        #expect(try silent.readsEndOfFile(), "a silent connection is closed")
        let waited = monotonicSeconds() - started
        #expect(waited >= 0.25 && waited < 2.0, "closed after \(waited) s")

        let served = try TestClient(port: proxy.port, timeoutSeconds: 5)
        #expect(try served.request("GET", "/").status == 200)
        served.setReceiveTimeout(milliseconds: 1_000)
        #expect(throws: (any Error).self, "after an answer the 5 s idle timeout applies, not the 300 ms header one") {
            _ = try served.readsEndOfFile()
        }
    }

    @Test func upstreamThatNeverAcceptsGets504AfterTheConnectTimeout() throws {
        // A listener whose accept queue is full and never drained: further SYNs are dropped,
        // so a connect to it neither succeeds nor fails.
        var blackHole = try Socket.listen(on: SocketAddress(host: "127.0.0.1", port: 0)!, reusePort: false, backlog: 0)
        defer { blackHole.close() }
        let address = "127.0.0.1:\(blackHole.localAddress()!.port)"
        // Non-blocking connects fill the queue (their descriptors stay raw: Socket is ~Copyable).
        var fillers: [Int32] = []
        defer { for descriptor in fillers { close(descriptor) } }
        for _ in 0..<4 {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            _ = blackHole.localAddress()!.withSockaddr { connect(descriptor, $0, $1) }
            fillers.append(descriptor)
        }
        usleep(100_000)
        let proxy = try ProxyHarness(fixtures: [], config: ProxyHarness.config(
            pools: ["hole": [address]], routes: #"[{ "pool": "hole" }]"#,
            extra: #""timeouts": { "upstream_connect_ms": 300 }, "retries": { "attempts": 0 }"#))
        defer { proxy.stop() }
        let client = try TestClient(port: proxy.port, timeoutSeconds: 5)
        let started = monotonicSeconds()
        let response = try client.request("GET", "/")
        let waited = monotonicSeconds() - started
        #expect(response.status == 504)
        #expect(response.text.contains("connecting to the upstream timed out"))
        #expect(waited >= 0.25 && waited < 2.0, "504 after \(waited) s")
    }

    @Test func maxConnectionsMakesAcceptingWaitNotFail() throws {
        let proxy = try ProxyHarness(fixtures: ["blue"], config: ProxyHarness.config(
            pools: ["blue": ["{{blue}}"]], routes: #"[{ "pool": "blue" }]"#, workers: 1,
            extra: #""limits": { "max_connections": 2 }"#))
        defer { proxy.stop() }
        var first: TestClient? = try TestClient(port: proxy.port)
        let second = try TestClient(port: proxy.port)
        #expect(try first?.request("GET", "/").status == 200)
        #expect(try second.request("GET", "/").status == 200)

        // The third connection completes in the kernel backlog but is not served yet.
        let third = try TestClient(port: proxy.port, timeoutSeconds: 5)
        try third.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        third.setReceiveTimeout(milliseconds: 300)
        #expect(throws: TestClient.Failure.self) { _ = try third.readResponse() }

        // A slot frees: the waiting connection is accepted and answered.
        first = nil
        third.setReceiveTimeout(milliseconds: 3_000)
        let answer = try third.readResponse()
        #expect(answer.status == 200)
        #expect(try second.request("GET", "/").status == 200)
    }
}
