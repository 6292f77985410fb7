import Glibc
import Testing
import TurnoutFixture
import TurnoutMirror
@testable import TurnoutCore

/// Shadow traffic (SPEC §10) over real sockets: the client never waits for the shadow, copies
/// carry the marker and their bodies byte for byte within the limits, the in-flight bound
/// drops instead of queueing, shadow failures stay counts, and the sampling share is what the
/// report says. The comparison's verdicts are in MirrorEndToEndTests+Comparison.swift.
/// One worker everywhere, so every count is exact.
@Suite(.serialized) struct MirrorEndToEndTests {
    /// A mirror block as JSON, with the defaults of SPEC §10 unless given.
    static func mirror(pool: String, percent: Double = 100, methods: [String] = ["GET", "HEAD"], compare: Bool = false,
                       noise: Bool = false, maxBodyBytes: Int = 65_536, maxInFlight: Int = 64,
                       compareBodyBytes: Int = 1_048_576) -> String {
        let methodList = methods.map { "\"\($0)\"" }.joined(separator: ", ")
        return """
            { "pool": "\(pool)", "percent": \(percent), "methods": [\(methodList)], "compare": \(compare), \
            "noise": \(noise), "max_body_bytes": \(maxBodyBytes), "max_in_flight": \(maxInFlight), \
            "compare_body_bytes": \(compareBodyBytes) }
            """
    }

    /// Reads the report until `done` holds or `seconds` pass; returns the last report read.
    static func report(of proxy: ProxyHarness, within seconds: Double = 5,
                       until done: (MirrorReport) -> Bool) throws -> MirrorReport {
        let deadline = monotonicSeconds() + seconds
        var last = try #require(proxy.server.mirrorReport())
        while !done(last) && monotonicSeconds() < deadline {
            usleep(10_000)
            last = try #require(proxy.server.mirrorReport())
        }
        return last
    }

    static func key(_ route: Int, pool: String, shadow: String) -> MirrorKey {
        MirrorKey(route: "routes[\(route)]", pool: pool, shadow: shadow)
    }

    // MARK: 1. The client never waits for the shadow

    @Test func slowShadowAddsNoLatencyAndCopiesCarryTheMarker() throws {
        // The shadow answers like the primary ("blue\n"), 800 ms later.
        let shadow = try RecordingUpstream(delayMilliseconds: 800, body: "blue\n")
        defer { shadow.stop() }
        let proxy = try ProxyHarness(fixtures: ["blue"], config: ProxyHarness.config(
            pools: ["blue": ["{{blue}}"], "shadow": [shadow.address]], routes: #"[{ "pool": "blue" }]"#, workers: 1,
            extra: #""mirror": \#(Self.mirror(pool: "shadow", compare: true))"#))
        defer { proxy.stop() }
        let client = try TestClient(port: proxy.port)
        let started = monotonicSeconds()
        for index in 0..<5 {
            let before = monotonicSeconds()
            let response = try client.request("GET", "/seq/\(index)")
            let elapsed = monotonicSeconds() - before
            #expect(response.status == 200)
            #expect(response.text == "blue\n")
            #expect(elapsed < 0.3, "request \(index) took \(elapsed) s behind an 800 ms shadow")
        }
        let total = monotonicSeconds() - started
        #expect(total < 1.5, "5 keep-alive requests took \(total) s")

        // Two requests in one write: both answered without waiting for either copy.
        let pipelinedAt = monotonicSeconds()
        try client.send("GET /pipe/a HTTP/1.1\r\nHost: test.local\r\n\r\nGET /pipe/b HTTP/1.1\r\nHost: test.local\r\n\r\n")
        let first = try client.readResponse()
        let second = try client.readResponse()
        let pipelined = monotonicSeconds() - pipelinedAt
        #expect(first.status == 200 && second.status == 200)
        #expect(first.text == "blue\n" && second.text == "blue\n")
        #expect(pipelined < 0.3, "the pipelined pair took \(pipelined) s")
        // And the connection is still usable at once.
        let afterAt = monotonicSeconds()
        #expect(try client.request("GET", "/after").status == 200)
        #expect(monotonicSeconds() - afterAt < 0.3)

        let copies = shadow.waitForRequests(8)
        #expect(copies.count == 8, "copies seen by the shadow: \(copies.map(\.requestLine))")
        let lines = Set(copies.map(\.requestLine))
        for path in ["/seq/0", "/seq/1", "/seq/2", "/seq/3", "/seq/4", "/pipe/a", "/pipe/b", "/after"] {
            #expect(lines.contains("GET \(path) HTTP/1.1"), "no copy of \(path): \(lines.sorted())")
        }
        for copy in copies {
            #expect(copy.header("x-turnout-shadow") == "1", "copy without the marker: \(copy.head)")
            #expect(copy.head.hasSuffix("\r\n\r\n"))
        }
        // Every copy is counted and, the shadow answering like the primary, matched.
        let report = try Self.report(of: proxy) { $0.totals.compared >= 8 }
        let counts = report.counts[Self.key(0, pool: "blue", shadow: "shadow")] ?? MirrorCounts()
        #expect(counts.mirrored == 8)
        #expect(counts.dropped == 0)
        #expect(counts.compared == 8)
        #expect(counts.matched == 8, "verdicts: \(counts)")
        #expect(report.inFlight == 0)
    }

    // MARK: 2. Methods and bodies

    @Test func onlyListedMethodsAndBodiesWithinTheLimitAreMirroredByteExact() throws {
        let shadow = try RecordingUpstream(body: "ok\n")
        defer { shadow.stop() }
        let routes = """
            [{ "match": { "path_prefix": "/echo" }, "pool": "blue",
               "mirror": \(Self.mirror(pool: "shadow", methods: ["POST", "PUT"], maxBodyBytes: 1000)) },
             { "pool": "blue", "mirror": \(Self.mirror(pool: "shadow", methods: ["GET"])) }]
            """
        let proxy = try ProxyHarness(fixtures: ["blue"], config: ProxyHarness.config(
            pools: ["blue": ["{{blue}}"], "shadow": [shadow.address]], routes: routes, workers: 1))
        defer { proxy.stop() }
        let client = try TestClient(port: proxy.port)

        // routes[1] mirrors GET only: the POST goes to the primary alone, the GET after it is copied.
        #expect(try client.request("POST", "/form", body: Array("a=1".utf8)).status == 200)
        #expect(try client.request("GET", "/page").status == 200)
        var seen = shadow.waitForRequests(1)
        #expect(seen.map(\.requestLine) == ["GET /page HTTP/1.1"])
        var report = try #require(proxy.server.mirrorReport())
        #expect(report.counts[Self.key(1, pool: "blue", shadow: "shadow")]?.mirrored == 1)

        // A Content-Length body over max_body_bytes: answered, not copied, counted.
        let large = BodyEndToEndTests.pattern(2000, seed: 5)
        let echoedLarge = try client.request("POST", "/echo", body: large)
        #expect(echoedLarge.status == 200 && echoedLarge.body == large)
        report = try #require(proxy.server.mirrorReport())
        #expect(report.counts[Self.key(0, pool: "blue", shadow: "shadow")]?.tooLarge == 1)

        // A chunked body that grows past the limit: the copy is abandoned and counted.
        let growing = BodyEndToEndTests.pattern(1800, seed: 9)
        try client.send(Self.chunked("POST", "/echo", growing, sizes: [600, 600, 600]))
        let echoedGrowing = try client.readResponse()
        #expect(echoedGrowing.status == 200 && echoedGrowing.body == growing)
        report = try Self.report(of: proxy) { $0.counts[Self.key(0, pool: "blue", shadow: "shadow")]?.tooLarge == 2 }
        #expect(report.counts[Self.key(0, pool: "blue", shadow: "shadow")]?.tooLarge == 2)

        // Bodies within the limit arrive whole, chunked (decoded) and with Content-Length.
        let chunkedBody = BodyEndToEndTests.pattern(777, seed: 11)
        try client.send(Self.chunked("POST", "/echo/chunked", chunkedBody, sizes: [1, 10, 100, 300]))
        let echoedChunked = try client.readResponse()
        #expect(echoedChunked.status == 200)
        let putBody = BodyEndToEndTests.pattern(999, seed: 13)
        #expect(try client.request("PUT", "/echo/put", body: putBody).status == 200)

        seen = shadow.waitForRequests(3)
        #expect(seen.count == 3, "requests at the shadow: \(seen.map(\.requestLine))")
        let chunkedCopy = seen.first { $0.requestLine.hasPrefix("POST /echo/chunked ") }
        #expect(chunkedCopy?.body == chunkedBody, "chunked copy: \(chunkedCopy?.body.count ?? -1) bytes")
        #expect(chunkedCopy?.header("transfer-encoding")?.lowercased() == "chunked")
        #expect(chunkedCopy?.header("x-turnout-shadow") == "1")
        let putCopy = seen.first { $0.requestLine.hasPrefix("PUT /echo/put ") }
        #expect(putCopy?.body == putBody, "PUT copy: \(putCopy?.body.count ?? -1) bytes")
        #expect(putCopy?.header("content-length") == "999")
        #expect(putCopy?.header("x-turnout-shadow") == "1")
        // Neither the POST of routes[1] nor an over-limit body ever reached the shadow whole.
        #expect(!seen.contains { $0.requestLine.hasPrefix("POST /form") })
        #expect(!seen.contains { $0.body == large || $0.body == growing })

        report = try Self.report(of: proxy) { $0.inFlight == 0 }
        let echo = report.counts[Self.key(0, pool: "blue", shadow: "shadow")] ?? MirrorCounts()
        #expect(echo.tooLarge == 2)
        #expect(echo.dropped == 0)
        // The abandoned chunked copy was started before its body grew too large.
        #expect(echo.mirrored == 3, "routes[0]: \(echo)")
        #expect(report.counts[Self.key(1, pool: "blue", shadow: "shadow")]?.mirrored == 1)
        #expect(report.inFlight == 0)
    }

    /// A chunked request of `body` cut into chunks of `sizes` (the last size repeats).
    static func chunked(_ method: String, _ path: String, _ body: [UInt8], sizes: [Int]) -> [UInt8] {
        var wire = Array("\(method) \(path) HTTP/1.1\r\nHost: test.local\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        var offset = 0
        var index = 0
        while offset < body.count {
            let n = min(sizes[min(index, sizes.count - 1)], body.count - offset)
            wire += Array((String(n, radix: 16) + "\r\n").utf8) + body[offset..<(offset + n)] + [13, 10]
            offset += n
            index += 1
        }
        return wire + Array("0\r\n\r\n".utf8)
    }

    // MARK: 3. The in-flight bound

    @Test func copiesBeyondMaxInFlightAreDroppedAndTimeOut() throws {
        let shadow = try RecordingUpstream(silent: true)
        defer { shadow.stop() }
        let proxy = try ProxyHarness(fixtures: ["blue"], config: ProxyHarness.config(
            pools: ["blue": ["{{blue}}"], "shadow": [shadow.address]], routes: #"[{ "pool": "blue" }]"#, workers: 1,
            extra: #""mirror": \#(Self.mirror(pool: "shadow", maxInFlight: 4)), "timeouts": { "upstream_response_ms": 1000 }"#))
        defer { proxy.stop() }
        let client = try TestClient(port: proxy.port)
        let started = monotonicSeconds()
        for index in 0..<50 {
            let before = monotonicSeconds()
            let response = try client.request("GET", "/n/\(index)")
            #expect(response.status == 200)
            let elapsed = monotonicSeconds() - before
            #expect(elapsed < 0.3, "request \(index) took \(elapsed) s behind a silent shadow")
        }
        let total = monotonicSeconds() - started
        #expect(total < 0.9, "50 requests took \(total) s: the first copies may have timed out already")
        var report = try #require(proxy.server.mirrorReport())
        var counts = report.totals
        #expect(counts.mirrored == 4)
        #expect(counts.dropped == 46)
        #expect(report.inFlight == 4)
        #expect(shadow.waitForRequests(4, seconds: 2).count == 4)

        // After upstream_response_ms the four copies end as timeouts and free their places.
        report = try Self.report(of: proxy) { $0.inFlight == 0 && $0.totals.errors(.timeout) == 4 }
        counts = report.totals
        #expect(report.inFlight == 0)
        #expect(counts.errors(.timeout) == 4, "errors: \(counts.shadowErrors)")
        // Places are free again: the next request is copied.
        #expect(try client.request("GET", "/again").status == 200)
        report = try #require(proxy.server.mirrorReport())
        #expect(report.totals.mirrored == 5)
        #expect(report.inFlight == 1)
    }

    // MARK: 4. Shadow failures never reach the client

    @Test func refusingResettingAndGarbageShadowsAreCountedOnly() throws {
        let resetting = try ScriptedUpstream { _, _ in }
        defer { resetting.stop() }
        let garbage = try ScriptedUpstream { connection, _ in
            guard ScriptedUpstream.readHead(connection) else { return }
            ScriptedUpstream.write(connection, "SSH-2.0-OpenSSH_9.6\r\nnot http at all\r\n\r\n")
            var byte: UInt8 = 0
            while recv(connection, &byte, 1, 0) == 1 {}
        }
        defer { garbage.stop() }
        let routes = """
            [{ "match": { "path_prefix": "/refused" }, "pool": "blue", "mirror": \(Self.mirror(pool: "refused")) },
             { "match": { "path_prefix": "/reset" }, "pool": "blue", "mirror": \(Self.mirror(pool: "resetting")) },
             { "match": { "path_prefix": "/garbage" }, "pool": "blue", "mirror": \(Self.mirror(pool: "garbage")) }]
            """
        let proxy = try ProxyHarness(fixtures: ["blue"], config: ProxyHarness.config(
            pools: ["blue": ["{{blue}}"], "refused": ["{{refused}}"], "resetting": [resetting.address], "garbage": [garbage.address]],
            routes: routes, workers: 1))
        defer { proxy.stop() }
        let client = try TestClient(port: proxy.port)
        for index in 0..<5 {
            for prefix in ["/refused", "/reset", "/garbage"] {
                let response = try client.request("GET", "\(prefix)/\(index)")
                #expect(response.status == 200, "\(prefix)/\(index)")
                #expect(response.text == "blue\n")
            }
        }
        let report = try Self.report(of: proxy) { $0.inFlight == 0 && $0.totals.shadowErrors.reduce(0, +) >= 15 }
        let refused = report.counts[Self.key(0, pool: "blue", shadow: "refused")] ?? MirrorCounts()
        let reset = report.counts[Self.key(1, pool: "blue", shadow: "resetting")] ?? MirrorCounts()
        let invalid = report.counts[Self.key(2, pool: "blue", shadow: "garbage")] ?? MirrorCounts()
        #expect(refused.mirrored == 5 && reset.mirrored == 5 && invalid.mirrored == 5)
        #expect(refused.errors(.connect) == 5, "refused: \(refused.shadowErrors)")
        #expect(reset.errors(.reset) == 5, "resetting: \(reset.shadowErrors)")
        #expect(invalid.errors(.invalid) == 5, "garbage: \(invalid.shadowErrors)")
        #expect(report.totals.shadowErrors.reduce(0, +) == 15, "every copy fails once: \(report.totals.shadowErrors)")
        #expect(report.inFlight == 0)
    }

    // MARK: Beyond the list: bodies in pieces, a client leaving, opting out

    /// Bodies that arrive in several writes reach the copy as they come (the leg writes again
    /// when the copy grows); a client that leaves mid-body abandons the copy.
    @Test func bodiesArrivingInPiecesAreCopiedWholeAndAClientLeavingAbandonsTheCopy() throws {
        let shadow = try RecordingUpstream(body: "ok\n")
        defer { shadow.stop() }
        let proxy = try ProxyHarness(fixtures: ["blue"], config: ProxyHarness.config(
            pools: ["blue": ["{{blue}}"], "shadow": [shadow.address]], routes: #"[{ "pool": "blue" }]"#, workers: 1,
            extra: #""mirror": \#(Self.mirror(pool: "shadow", methods: ["POST"]))"#))
        defer { proxy.stop() }
        let client = try TestClient(port: proxy.port)
        // Content-Length, 60,000 bytes in three writes 100 ms apart.
        let body = BodyEndToEndTests.pattern(60_000, seed: 21)
        try client.send("POST /echo HTTP/1.1\r\nHost: test.local\r\nContent-Length: 60000\r\n\r\n")
        for part in 0..<3 {
            usleep(100_000)
            try client.send(Array(body[(part * 20_000)..<((part + 1) * 20_000)]))
        }
        let echoed = try client.readResponse()
        #expect(echoed.status == 200 && echoed.body == body)
        // Chunked, one chunk per write.
        let chunkedBody = BodyEndToEndTests.pattern(3000, seed: 22)
        let wire = Self.chunked("POST", "/echo/chunked", chunkedBody, sizes: [1000])
        let headEnd = wire.count - (3 * (5 + 1000 + 2) + 5)
        try client.send(Array(wire[..<headEnd]))
        var offset = headEnd
        while offset < wire.count {
            usleep(50_000)
            let next = min(offset + 1007, wire.count)
            try client.send(Array(wire[offset..<next]))
            offset = next
        }
        // (Not the fixture's /echo route: it answers with its name.)
        #expect(try client.readResponse().status == 200)
        let seen = shadow.waitForRequests(2)
        #expect(seen.count == 2)
        #expect(seen.first { $0.requestLine == "POST /echo HTTP/1.1" }?.body == body)
        #expect(seen.first { $0.requestLine == "POST /echo/chunked HTTP/1.1" }?.body == chunkedBody)

        // A client that sends half its body and leaves: no whole copy reaches the shadow, and
        // the copy's place is freed.
        let leaving = try TestClient(port: proxy.port)
        try leaving.send("POST /echo HTTP/1.1\r\nHost: test.local\r\nContent-Length: 1000\r\n\r\n" + String(repeating: "x", count: 500))
        usleep(100_000)
        shutdown(leaving.fd, Int32(SHUT_RDWR))
        let report = try Self.report(of: proxy) { $0.inFlight == 0 && $0.totals.mirrored == 3 && $0.totals.dropped == 1 }
        #expect(report.totals.mirrored == 3)
        #expect(report.totals.dropped == 1, "the abandoned copy: \(report.totals)")
        #expect(report.inFlight == 0)
        usleep(100_000)
        #expect(shadow.requests.count == 2)
    }
    /// A route with `"mirror": null` is not copied; a route with its own block uses it.
    @Test func routesOptOutWithNullOrOverrideTheTopLevelBlock() throws {
        let proxy = try ProxyHarness(fixtures: ["blue", "green", "red"], config: ProxyHarness.config(
            pools: ["blue": ["{{blue}}"], "green": ["{{green}}"], "red": ["{{red}}"]],
            routes: """
                [{ "match": { "path_prefix": "/private" }, "pool": "blue", "mirror": null },
                 { "match": { "path_prefix": "/own" }, "pool": "blue", "mirror": \(Self.mirror(pool: "red")) },
                 { "pool": "blue" }]
                """, workers: 1, extra: #""mirror": \#(Self.mirror(pool: "green"))"#))
        defer { proxy.stop() }
        let client = try TestClient(port: proxy.port)
        for path in ["/private/a", "/private/b", "/own/a", "/x", "/y", "/z"] {
            #expect(try client.request("GET", path).status == 200)
        }
        let report = try Self.report(of: proxy) { $0.inFlight == 0 }
        #expect(report.counts[Self.key(0, pool: "blue", shadow: "green")] == nil)
        #expect(report.counts[Self.key(1, pool: "blue", shadow: "red")]?.mirrored == 1)
        #expect(report.counts[Self.key(2, pool: "blue", shadow: "green")]?.mirrored == 3)
        #expect(report.totals.mirrored == 4)
        let deadline = monotonicSeconds() + 5
        while proxy.fixtures["green"]!.requestsServed < 3 && monotonicSeconds() < deadline { usleep(10_000) }
        #expect(proxy.fixtures["green"]!.requestsServed == 3)
        #expect(proxy.fixtures["red"]!.requestsServed == 1)
    }

    // MARK: 7. Sampling

    @Test func percentCopiesItsShareOfRequests() throws {
        let proxy = try ProxyHarness(fixtures: ["blue", "green"], config: ProxyHarness.config(
            pools: ["blue": ["{{blue}}"], "green": ["{{green}}"]], routes: #"[{ "pool": "blue" }]"#, workers: 1,
            extra: #""mirror": \#(Self.mirror(pool: "green", percent: 20))"#))
        defer { proxy.stop() }
        let client = try TestClient(port: proxy.port)
        let started = monotonicSeconds()
        for index in 0..<3000 {
            let response = try client.request("GET", "/p/\(index)")
            if response.status != 200 { Issue.record("request \(index): \(response.status)"); break }
        }
        let elapsed = monotonicSeconds() - started
        let report = try Self.report(of: proxy, within: 10) { $0.inFlight == 0 }
        let counts = report.totals
        // Binomial(3000, 0.2): mean 600, sd 21.9; 5 sd either side.
        let sampled = counts.mirrored + counts.dropped
        #expect(abs(sampled - 600) <= 110, "sampled \(sampled) of 3000 in \(elapsed) s")
        #expect(counts.dropped == 0)
        // Every copy reached the shadow.
        let green = proxy.fixtures["green"]!
        let deadline = monotonicSeconds() + 5
        while green.requestsServed < counts.mirrored && monotonicSeconds() < deadline { usleep(10_000) }
        #expect(green.requestsServed == counts.mirrored)
    }
}
