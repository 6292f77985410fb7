import Testing
@testable import TurnoutCore

/// Bodies in both directions (Content-Length, chunked with trailers, close-delimited), bodiless
/// responses, 100-continue, 1xx relay and upgrade tunnels.
@Suite struct BodyEndToEndTests {
    func harness() throws -> ProxyHarness {
        try ProxyHarness(fixtures: ["blue"], config: ProxyHarness.config(pools: ["blue": ["{{blue}}"]], routes: #"[{ "pool": "blue" }]"#))
    }

    static func pattern(_ count: Int, seed: Int = 7) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: ($0 &* 31) ^ seed ^ ($0 >> 9)) }
    }

    @Test func eightMegabyteBodiesPassBothWaysByteExact() throws {
        let proxy = try harness()
        defer { proxy.stop() }
        let client = try TestClient(port: proxy.port, timeoutSeconds: 30)
        let body = Self.pattern(8 << 20)
        let echoed = try client.request("POST", "/echo", body: body)
        #expect(echoed.status == 200)
        #expect(echoed.body.count == body.count)
        #expect(echoed.body == body)
        // And a large download on the same connection.
        let download = try client.request("GET", "/bytes/\(8 << 20)")
        #expect(download.body.count == 8 << 20)
        #expect(download.body == (0..<(8 << 20)).map { UInt8($0 % 251) })
    }

    @Test func chunkedRequestAndResponseBodiesWithTrailers() throws {
        let proxy = try harness()
        defer { proxy.stop() }
        let client = try TestClient(port: proxy.port, timeoutSeconds: 30)
        // A chunked upload of odd-sized chunks, echoed back chunked.
        let body = Self.pattern(300_001, seed: 3)
        var chunks = "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
        var wire = Array(chunks.utf8)
        var offset = 0
        var size = 1
        while offset < body.count {
            let n = min(size, body.count - offset)
            wire += Array((String(n, radix: 16) + ";ext=1\r\n").utf8) + body[offset..<offset + n] + [13, 10]
            offset += n
            size = size * 3 + 7
        }
        chunks = "0\r\nX-Upload-Trailer: yes\r\n\r\n"
        wire += Array(chunks.utf8)
        try client.send(wire)
        let echoed = try client.readResponse()
        #expect(echoed.status == 200)
        #expect(echoed.body == body)
        // A chunked download keeps its trailer through the proxy.
        let download = try client.request("GET", "/bytes/100000?chunked=1")
        #expect(download.header("transfer-encoding")?.lowercased() == "chunked")
        #expect(download.body == (0..<100_000).map { UInt8($0 % 251) })
        let checksum = download.body.reduce(UInt32(0)) { $0 &+ UInt32($1) }
        #expect(download.trailers.first { $0.name.lowercased() == "x-checksum" }?.value == String(checksum))
    }

    /// A close-delimited upstream response is re-chunked so an HTTP/1.1 client keeps its
    /// connection.
    @Test func closeDelimitedResponseKeepsTheClientConnection() throws {
        let proxy = try harness()
        defer { proxy.stop() }
        let client = try TestClient(port: proxy.port)
        for _ in 0..<3 {
            let response = try client.request("GET", "/bytes/50000?close=1")
            #expect(response.header("transfer-encoding")?.lowercased() == "chunked")
            #expect(response.body == (0..<50_000).map { UInt8($0 % 251) })
        }
    }

    @Test func bodilessResponses() throws {
        let proxy = try harness()
        defer { proxy.stop() }
        let client = try TestClient(port: proxy.port)
        let head = try client.request("HEAD", "/bytes/1234")
        #expect(head.status == 200)
        #expect(head.header("content-length") == "1234")
        #expect(head.body.isEmpty)
        for status in [204, 304] {
            let response = try client.request("GET", "/status/\(status)")
            #expect(response.status == status)
            #expect(response.body.isEmpty)
        }
        // The connection is still in step after the bodiless responses.
        #expect(try client.request("GET", "/bytes/5").body.count == 5)
    }

    @Test func expectContinueWaitsForTheInterimResponse() throws {
        let proxy = try harness()
        defer { proxy.stop() }
        let client = try TestClient(port: proxy.port)
        try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n")
        let interim = try client.readResponse(keepInformational: true)
        #expect(interim.status == 100)
        try client.send("hello world")
        let final = try client.readResponse(method: "POST")
        #expect(final.status == 200)
        #expect(final.text == "hello world")
    }

    @Test func earlyHintsReachHTTP11Clients() throws {
        let proxy = try harness()
        defer { proxy.stop() }
        let client = try TestClient(port: proxy.port)
        try client.send("GET /early-hints HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse(keepInformational: true).status == 103)
        #expect(try client.readResponse().status == 200)
    }

    @Test func upgradeBecomesATwoWayTunnel() throws {
        let proxy = try harness()
        defer { proxy.stop() }
        let client = try TestClient(port: proxy.port)
        try client.send("GET /chat HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
        let switching = try client.readResponse()
        #expect(switching.status == 101)
        #expect(switching.header("upgrade")?.lowercased() == "echo")
        for message in ["ping", String(repeating: "x", count: 100_000), "last"] {
            try client.send(message)
            var received: [UInt8] = []
            while received.count < message.utf8.count {
                received += try client.readChunk()
            }
            #expect(received == Array(message.utf8))
        }
    }
}
