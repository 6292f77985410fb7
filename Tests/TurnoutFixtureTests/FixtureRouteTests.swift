import Glibc
import Synchronization
import Testing
@testable import TurnoutFixture
import TurnoutHTTP
import TurnoutPosix

/// The routes a shadow release's tests lean on: `/counter` (an answer that never repeats), the
/// body's name, and the paths under the diverging prefix. First the route decision as a table,
/// then each over a real socket.
@Suite struct FixtureRouteTests {
    static func route(_ target: String, divergePrefix: String? = nil) -> FixtureRoute {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = Array(parts[0].utf8)
        let query = parts.count > 1 ? Array(parts[1].utf8) : nil
        return path.withUnsafeBytes { path in
            if let query {
                return query.withUnsafeBytes {
                    FixtureRoute.parse(path: path, query: $0, method: .get, divergePrefix: divergePrefix.map { Array($0.utf8) })
                }
            }
            return FixtureRoute.parse(path: path, query: nil, method: .get, divergePrefix: divergePrefix.map { Array($0.utf8) })
        }
    }

    @Test(arguments: [
        ("/counter", nil, FixtureRoute.counter),
        ("/counter?x=1", nil, .counter),
        ("/counters", nil, .standard),
        ("/v2/status", nil, .standard),
        ("/v2/status", "/v2", .diverged(failing: true)),
        ("/v2/users/status", "/v2", .diverged(failing: true)),
        ("/v2/users", "/v2", .diverged(failing: false)),
        ("/v2", "/v2", .diverged(failing: false)),
        ("/v2/status?verbose=1", "/v2", .diverged(failing: true)),
        ("/v2/statuses", "/v2", .diverged(failing: false)),
        // Byte for byte, as documented: `/v2x` starts with `/v2`.
        ("/v2x", "/v2", .diverged(failing: false)),
        ("/v1/status", "/v2", .standard),
        ("/V2/status", "/v2", .standard),
        ("/", "/v2", .standard),
        ("/status", "/", .diverged(failing: true)),
        // The named routes win over the prefix: a shadow's health checks keep working.
        ("/healthz", "/", .healthz),
        ("/counter", "/", .counter),
        ("/status/503", "/status", .status(503)),
        ("/_fixture/counts", "/", .counts),
        ("/_fixture/count", nil, .standard),
    ] as [(String, String?, FixtureRoute)])
    func theRouteOfAPath(target: String, divergePrefix: String?, expected: FixtureRoute) {
        #expect(Self.route(target, divergePrefix: divergePrefix) == expected)
    }

    @Test func theCounterCountsEveryCallOverAllLoopsAndConnections() throws {
        let fixture = try FixtureUpstream(name: "blue", threads: 2)
        fixture.start()
        defer { fixture.stop() }
        // Several connections (spread over both loops), several calls each, in turn.
        let clients = try (0..<4).map { _ in try FixtureTestClient(port: fixture.port) }
        var seen: [Int] = []
        for _ in 0..<5 {
            for client in clients {
                let answer = try client.request("GET", "/counter")
                #expect(answer.status == 200)
                #expect(answer.headers["x-fixture-name"] == "blue")
                #expect(answer.text.hasPrefix("count ") && answer.text.hasSuffix("\n"), "\(answer.text)")
                seen.append(try #require(Int(answer.text.dropFirst(6).dropLast())))
            }
        }
        #expect(seen == Array(1...20))
        // HEAD counts too (it is a call), with no body; latency and errors do not apply.
        fixture.setBehavior(FixtureBehavior(latencyMs: 1_000, errorRate: 1))
        let head = try clients[0].request("HEAD", "/counter")
        #expect(head.status == 200 && head.body.isEmpty && head.headers["content-length"] == "9")
        let started = monotonicNanoseconds()
        #expect(try clients[1].request("GET", "/counter").text == "count 22\n")
        #expect(monotonicNanoseconds() - started < 500_000_000)
    }

    @Test func theCounterOfEachFixtureIsItsOwn() throws {
        let blue = try FixtureUpstream(name: "blue")
        let green = try FixtureUpstream(name: "green")
        blue.start()
        green.start()
        defer { blue.stop(); green.stop() }
        let toBlue = try FixtureTestClient(port: blue.port)
        let toGreen = try FixtureTestClient(port: green.port)
        #expect(try toBlue.request("GET", "/counter").text == "count 1\n")
        #expect(try toBlue.request("GET", "/counter").text == "count 2\n")
        #expect(try toGreen.request("GET", "/counter").text == "count 1\n")
        #expect(try toBlue.request("GET", "/counter").text == "count 3\n")
    }

    @Test func countsShowWhatReachedTheFixtureOverAllLoops() throws {
        let fixture = try FixtureUpstream(name: "shadow", threads: 2)
        fixture.start()
        defer { fixture.stop() }
        #expect(try FixtureTestClient(port: fixture.port).request("GET", "/_fixture/counts").text == "{\"accepted\":1,\"served\":0}\n")
        let clients = try (0..<3).map { _ in try FixtureTestClient(port: fixture.port) }
        for client in clients {
            for _ in 0..<3 { #expect(try client.request("GET", "/").status == 200) }
        }
        // 4 connections; the first answer and 9 more, this one not yet.
        let counts = try clients[0].request("GET", "/_fixture/counts")
        #expect(counts.status == 200 && counts.text == "{\"accepted\":4,\"served\":10}\n", "\(counts.text)")
        #expect(fixture.requestsServed == 11 && fixture.acceptedConnections == 4)
    }

    @Test func aShadowWithTheBodyNameOfThePrimaryAnswersLikeIt() throws {
        let blue = try FixtureUpstream(name: "blue")
        let shadow = try FixtureUpstream(name: "shadow", threads: 2, behavior: FixtureBehavior(bodyName: "blue"))
        blue.start()
        shadow.start()
        defer { blue.stop(); shadow.stop() }
        for target in ["/", "/users/7", "/v2/status"] {
            let primary = try FixtureTestClient(port: blue.port).request("GET", target)
            let copy = try FixtureTestClient(port: shadow.port).request("GET", target)
            #expect(primary.status == 200 && copy.status == 200)
            #expect(primary.body == copy.body && copy.text == "blue\n")
            // Only the field tells them apart.
            #expect(copy.headers["x-fixture-name"] == "shadow" && primary.headers["x-fixture-name"] == "blue")
        }
        // The other routes keep the fixture's own name.
        #expect(try FixtureTestClient(port: shadow.port).request("GET", "/status/201").text == "shadow\n")

        // Changed at run time, and back to the name with nil; body_bytes still wins over it.
        let client = try FixtureTestClient(port: shadow.port)
        shadow.setBehavior(FixtureBehavior(bodyName: "blue v2"))
        #expect(try client.request("GET", "/").text == "blue v2\n")
        shadow.setBehavior(FixtureBehavior(bodyBytes: 5, bodyName: "blue"))
        #expect(try client.request("GET", "/").body == [0, 1, 2, 3, 4])
        shadow.setBehavior(FixtureBehavior())
        #expect(try client.request("GET", "/").text == "shadow\n")
    }

    @Test func pathsUnderTheDivergingPrefixAnswerDifferently() throws {
        let shadow = try FixtureUpstream(name: "shadow", threads: 2, behavior: FixtureBehavior(bodyName: "blue", divergePrefix: "/v2"))
        shadow.start()
        defer { shadow.stop() }
        let client = try FixtureTestClient(port: shadow.port)
        let cases: [(String, Int, String)] = [
            ("/", 200, "blue\n"),
            ("/v1/status", 200, "blue\n"),
            ("/v2/users", 200, "blue (diverged)\n"),
            ("/v2", 200, "blue (diverged)\n"),
            ("/v2/status", 500, "blue (diverged)\n"),
            ("/v2/status?full=1", 500, "blue (diverged)\n"),
            ("/v2/a/status", 500, "blue (diverged)\n"),
            ("/healthz", 200, "ok"),
        ]
        for (target, status, body) in cases {
            let answer = try client.request("GET", target)
            #expect(answer.status == status && answer.text == body, "\(target): \(answer.status) \(answer.text)")
        }
        // HEAD: the same head, no body.
        let head = try client.request("HEAD", "/v2/status")
        #expect(head.status == 500 && head.body.isEmpty)

        // The behaviour's latency applies under the prefix too.
        shadow.setBehavior(FixtureBehavior(latencyMs: 150, divergePrefix: "/v2"))
        let started = monotonicNanoseconds()
        let slow = try client.request("GET", "/v2/status")
        #expect(slow.status == 500 && slow.text == "shadow (diverged)\n")
        #expect(monotonicNanoseconds() - started >= 140_000_000)

        // Without a prefix nothing diverges.
        shadow.setBehavior(FixtureBehavior())
        let plain = try client.request("GET", "/v2/status")
        #expect(plain.status == 200 && plain.text == "shadow\n")
    }

    @Test(arguments: [
        ("blue", nil), ("blue v2", nil), ("グリーン", nil),
        ("", "1 to 256"), (String(repeating: "x", count: 257), "1 to 256"), ("a\nb", "control"),
    ] as [(String, String?)])
    func bodyNamesGivenByAPerson(name: String, problem: String?) {
        let found = FixtureBehavior.bodyNameProblem(name)
        if let problem { #expect(found?.contains(problem) == true, "\(String(describing: found))") } else { #expect(found == nil) }
    }

    @Test(arguments: [
        ("/v2", nil), ("/", nil), ("/api/v2/", nil), ("/a%20b", nil),
        ("v2", "starting with /"), ("", "starting with /"), ("/a b", "visible ASCII"), ("/v2?x=1", "visible ASCII"),
        ("/é", "visible ASCII"), ("/" + String(repeating: "x", count: 1024), "at most 1024"),
    ] as [(String, String?)])
    func divergePrefixesGivenByAPerson(prefix: String, problem: String?) {
        let found = FixtureBehavior.divergePrefixProblem(prefix)
        if let problem { #expect(found?.contains(problem) == true, "\(String(describing: found))") } else { #expect(found == nil) }
    }
}
