import Glibc
import Synchronization
import Testing

/// RFC 9112 §2.3: a request with a higher minor version of HTTP/1 is processed as HTTP/1.1;
/// another major version is answered with 505 and never reaches an upstream.
@Suite struct VersionEndToEndTests {
    /// What the upstream saw on its request line, shared with the scripted upstream's threads.
    private final class Lines: Sendable { let seen = Mutex<[String]>([]) }

    @Test func higherMinorVersionIsProxiedAsHTTP11() throws {
        let lines = Lines()
        let upstream = try ScriptedUpstream { connection, _ in
            while true {
                var head: [UInt8] = []
                var byte: UInt8 = 0
                while recv(connection, &byte, 1, 0) == 1 {
                    head.append(byte)
                    if head.count >= 4 && head.suffix(4) == [13, 10, 13, 10] { break }
                }
                guard head.suffix(4) == [13, 10, 13, 10] else { return }
                let line = String(decoding: head.prefix { $0 != 13 }, as: UTF8.self)
                lines.seen.withLock { $0.append(line) }
                ScriptedUpstream.write(connection, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            }
        }
        defer { upstream.stop() }
        let proxy = try ProxyHarness(fixtures: [], config: ProxyHarness.config(
            pools: ["blue": [upstream.address]], routes: #"[{ "pool": "blue" }]"#))
        defer { proxy.stop() }

        let client = try TestClient(port: proxy.port)
        // Two requests on one connection: HTTP/1.2 keeps the connection alive as 1.1 does.
        for path in ["/a", "/b"] {
            try client.send("GET \(path) HTTP/1.2\r\nHost: t\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "ok")
        }
        #expect(lines.seen.withLock { $0 } == ["GET /a HTTP/1.1", "GET /b HTTP/1.1"])

        for version in ["HTTP/2.0", "HTTP/3.1"] {
            let rejected = try TestClient(port: proxy.port)
            try rejected.send("GET /c \(version)\r\nHost: t\r\n\r\n")
            #expect(try rejected.readResponse().status == 505, "\(version)")
            #expect(try rejected.readsEndOfFile(), "the connection closes after a 505")
        }
        #expect(lines.seen.withLock { $0.count } == 2, "a 505 reaches no upstream")
    }
}
