import Testing
import TurnoutFixture
import TurnoutMirror
@testable import TurnoutCore

/// The comparison (SPEC §10): matched answers, status and body differences, bodies over the
/// compare limit, the noise filter, and answers of every framing read whole by the shadow leg.
extension MirrorEndToEndTests {
    /// Sends GETs one after another, each answered 200 by the primary, and waits (bounded) for
    /// its verdict before the next: the mismatch list's order is then the requests' order.
    static func requestOneVerdictAtATime(_ paths: [String], client: TestClient, proxy: ProxyHarness) throws {
        let before = try #require(proxy.server.mirrorReport()).totals.compared
        for (index, path) in paths.enumerated() {
            #expect(try client.request("GET", path).status == 200, "\(path): the client sees the primary")
            _ = try report(of: proxy) { $0.totals.compared >= before + index + 1 }
        }
    }

    // MARK: 5. Comparison

    @Test func comparisonCountsMatchesStatusBodyAndUncomparedDifferences() throws {
        // The shadow says "blue" too, except under /v2.
        let proxy = try ProxyHarness(fixtures: ["blue", "green"],
            behaviors: ["green": FixtureBehavior(bodyName: "blue", divergePrefix: "/v2")],
            config: ProxyHarness.config(pools: ["blue": ["{{blue}}"], "green": ["{{green}}"]], routes: #"[{ "pool": "blue" }]"#,
                                        workers: 1, extra: #""mirror": \#(Self.mirror(pool: "green", compare: true, compareBodyBytes: 100))"#))
        defer { proxy.stop() }
        let client = try TestClient(port: proxy.port)
        try Self.requestOneVerdictAtATime(["/same", "/same", "/same", "/v2/status", "/v2/x", "/bytes/1000", "/bytes/50"],
                                          client: client, proxy: proxy)

        let report = try Self.report(of: proxy) { $0.inFlight == 0 }
        let counts = report.counts[Self.key(0, pool: "blue", shadow: "green")] ?? MirrorCounts()
        #expect(counts.mirrored == 7)
        #expect(counts.compared == 7)
        #expect(counts.matched == 4, "/same ×3 and /bytes/50: \(counts)")
        #expect(counts.statusMismatch == 1)
        #expect(counts.statusClassMismatch == 1)
        #expect(counts.bodyMismatch == 1)
        #expect(counts.notCompared == 1)
        #expect(counts.noise == 0)

        let seen = report.mismatches.map { "\($0.kind.rawValue) \($0.method) \($0.path)" }
        #expect(seen == ["not_compared GET /bytes/1000", "body GET /v2/x", "status GET /v2/status"], "newest first: \(seen)")
        if let status = report.mismatches.first(where: { $0.kind == .status }) {
            #expect(status.primary.status == 200)
            #expect(status.shadow.status == 500)
            #expect(status.shadow.prefix == Array("blue (diverged)\n".utf8))
            #expect(status.key == Self.key(0, pool: "blue", shadow: "green"))
        }
        if let body = report.mismatches.first(where: { $0.kind == .body }) {
            #expect(body.primary.status == 200 && body.shadow.status == 200)
            #expect(body.primary.prefix == Array("blue\n".utf8))
            #expect(body.shadow.prefix == Array("blue (diverged)\n".utf8))
            #expect(body.primary.digest != body.shadow.digest)
        }
        if let uncompared = report.mismatches.first(where: { $0.kind == .notCompared }) {
            #expect(uncompared.primary.bodyBytes == 1000 && uncompared.shadow.bodyBytes == 1000)
            #expect(!uncompared.primary.complete && !uncompared.shadow.complete)
        }
    }

    // MARK: 6. The noise filter

    @Test func noiseFilterSeparatesNonDeterministicPathsFromRealDifferences() throws {
        let proxy = try ProxyHarness(fixtures: ["blue", "blue2", "green"],
            behaviors: ["blue2": FixtureBehavior(bodyName: "blue"), "green": FixtureBehavior(bodyName: "blue", divergePrefix: "/v2")],
            config: ProxyHarness.config(pools: ["blue": ["{{blue}}", "{{blue2}}"], "green": ["{{green}}"]], routes: #"[{ "pool": "blue" }]"#,
                                        workers: 1, extra: #""mirror": \#(Self.mirror(pool: "green", compare: true, noise: true))"#))
        defer { proxy.stop() }
        // The primaries' counters must not run in step (round robin would keep them equal):
        // move blue's ahead directly.
        let direct = try TestClient(port: proxy.fixtures["blue"]!.port)
        for _ in 0..<3 { _ = try direct.request("GET", "/counter") }

        let client = try TestClient(port: proxy.port)
        try Self.requestOneVerdictAtATime(["/counter", "/counter", "/counter", "/counter", "/v2/x", "/same"], client: client, proxy: proxy)

        let report = try Self.report(of: proxy) { $0.inFlight == 0 }
        let counts = report.counts[Self.key(0, pool: "blue", shadow: "green")] ?? MirrorCounts()
        #expect(counts.mirrored == 6)
        #expect(counts.compared == 6)
        #expect(counts.noise == 4, "\(counts)")
        #expect(counts.noisyPaths == ["/counter": 4])
        #expect(counts.bodyMismatch == 1)
        #expect(counts.matched == 1)
        #expect(counts.statusMismatch == 0)
        #expect(report.mismatches.map { "\($0.kind.rawValue) \($0.path)" } == ["body /v2/x"])
        #expect(report.totals.shadowErrors.reduce(0, +) == 0)
    }


    /// Answers larger than a buffer, chunked, close-delimited and bodiless (HEAD) are read
    /// whole by the shadow leg and compared with the primary's.
    @Test func largeChunkedCloseDelimitedAndHeadAnswersAreCompared() throws {
        let proxy = try ProxyHarness(fixtures: ["blue", "green"],
            behaviors: ["green": FixtureBehavior(bodyName: "blue", divergePrefix: "/v2")],
            config: ProxyHarness.config(pools: ["blue": ["{{blue}}"], "green": ["{{green}}"]], routes: #"[{ "pool": "blue" }]"#,
                                        workers: 1, extra: #""mirror": \#(Self.mirror(pool: "green", compare: true))"#))
        defer { proxy.stop() }
        let client = try TestClient(port: proxy.port, timeoutSeconds: 20)
        let paths = ["/bytes/300000", "/bytes/300000?chunked=1", "/bytes/50000?close=1", "/bytes/3000000"]
        for path in paths {
            let response = try client.request("GET", path)
            #expect(response.status == 200, "\(path)")
        }
        let head = try client.request("HEAD", "/bytes/1000")
        #expect(head.status == 200)
        let report = try Self.report(of: proxy, within: 10) { $0.totals.compared >= 5 && $0.inFlight == 0 }
        let counts = report.totals
        #expect(counts.mirrored == 5)
        #expect(counts.compared == 5)
        #expect(counts.matched == 4, "\(counts)")
        #expect(counts.notCompared == 1, "/bytes/3000000 is over compare_body_bytes")
        #expect(counts.bodyMismatch == 0 && counts.statusMismatch == 0)
        #expect(counts.shadowErrors.reduce(0, +) == 0, "errors: \(counts.shadowErrors)")
        #expect(report.mismatches.map(\.path) == ["/bytes/3000000"])
    }
}
