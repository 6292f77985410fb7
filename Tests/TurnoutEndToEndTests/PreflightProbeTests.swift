import Glibc
import Testing
import TurnoutConfig
@testable import TurnoutControl
import TurnoutFixture
import TurnoutPosix

/// A switch's preflight requests over real loopback sockets: what is sent, every framing of
/// the answer, the 64 KiB body limit, each way a server can fail to answer, and the bounds on
/// time and connections.
@Suite struct PreflightProbeTests {
    static func target(_ address: String, _ path: String, status: Int = 200, contains: String? = nil) -> Preflight.Target {
        Preflight.Target(server: try! ServerAddress(parsing: address), check: PreflightCheck(path: path, status: status, bodyContains: contains))
    }

    static func answered(_ outcome: Preflight.Outcome) -> ProbeExchange.Answer? {
        if case .answered(let answer) = outcome { return answer }
        return nil
    }

    @Test func theRequestGoesStraightToTheServerWithItsHostAndName() throws {
        let upstream = try RecordingUpstream(body: "v2.4.1\n")
        defer { upstream.stop() }
        let outcomes = try Preflight(targets: [Self.target(upstream.address, "/api/version?full=1")], timeoutMs: 2000).run()
        let answer = try #require(Self.answered(outcomes[0]), "\(outcomes)")
        #expect(answer.status == 200)
        #expect(String(decoding: answer.body, as: UTF8.self) == "v2.4.1\n")
        #expect(!answer.truncated)
        let request = try #require(upstream.waitForRequests(1).first)
        #expect(request.requestLine == "GET /api/version?full=1 HTTP/1.1")
        #expect(request.header("host") == upstream.address)
        #expect(request.header("user-agent") == "turnout-preflight")
        #expect(request.header("connection") == "close")
        #expect(request.header("x-turnout-shadow") == nil)
    }

    @Test func everyFramingIsReadAndTheBodyKeptUpTo64KiB() throws {
        let fixture = try FixtureUpstream(name: "green")
        fixture.start()
        defer { fixture.stop() }
        let address = fixture.address
        let outcomes = try Preflight(targets: [
            Self.target(address, "/healthz"),
            Self.target(address, "/status/503"),
            Self.target(address, "/bytes/300?chunked=1"),
            Self.target(address, "/bytes/300?close=1"),
            Self.target(address, "/bytes/100000?chunked=1"),
            Self.target(address, "/bytes/70000"),
            Self.target(address, "/early-hints"),
        ], timeoutMs: 2000).run()
        let answers = outcomes.map(Self.answered)
        #expect(answers.allSatisfy { $0 != nil }, "\(outcomes)")
        #expect(answers.map { $0?.status } == [200, 503, 200, 200, 200, 200, 200])
        #expect(answers[0]?.body == Array("ok".utf8))
        #expect(answers[2]?.body.count == 300 && answers[2]?.truncated == false, "chunked, framing removed")
        #expect(answers[3]?.body.count == 300 && answers[3]?.truncated == false, "until the close")
        #expect(answers[4]?.body.count == 65_536 && answers[4]?.truncated == true)
        #expect(answers[5]?.body.count == 65_536 && answers[5]?.truncated == true)
        #expect(answers[6]?.body == Array("green\n".utf8), "the 103 is skipped")
    }

    @Test func aServerThatFailsToAnswerIsNamedForHowItFailed() throws {
        let silent = try ScriptedUpstream(readTimeoutSeconds: 5) { connection, _ in
            _ = ScriptedUpstream.readHead(connection)
            var byte: UInt8 = 0
            _ = recv(connection, &byte, 1, 0)
        }
        let cut = try ScriptedUpstream { connection, _ in
            _ = ScriptedUpstream.readHead(connection)
            ScriptedUpstream.write(connection, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b")
        }
        let garbage = try ScriptedUpstream { connection, _ in
            _ = ScriptedUpstream.readHead(connection)
            ScriptedUpstream.write(connection, "SSH-2.0-OpenSSH_9.6\r\n\r\n")
        }
        let mute = try ScriptedUpstream { connection, _ in _ = ScriptedUpstream.readHead(connection) }
        defer { for upstream in [silent, cut, garbage, mute] { upstream.stop() } }
        let refused = "127.0.0.1:\(ProxyHarness.refusedPort())"
        let started = monotonicSeconds()
        let preflight = Preflight(targets: [Self.target(silent.address, "/slow"), Self.target(cut.address, "/cut"),
                                            Self.target(garbage.address, "/"), Self.target(mute.address, "/"),
                                            Self.target(refused, "/healthz")], timeoutMs: 300)
        let outcomes = try preflight.run()
        #expect(monotonicSeconds() - started < 3, "bounded by the timeout")
        #expect(outcomes[0] == .timedOut(connecting: false))
        #expect(outcomes[1] == .failed(.closed(afterStatus: 200)))
        guard case .failed(.invalid) = outcomes[2] else {
            Issue.record("expected an invalid answer, got \(outcomes[2])")
            return
        }
        #expect(outcomes[3] == .failed(.closed(afterStatus: nil)))
        #expect(outcomes[4] == .failed(.connect(.connectionRefused)))
        let words = zip(preflight.targets, outcomes).map { preflight.miss($1, target: $0) ?? "passed" }
        #expect(words[0] == "\(silent.address) did not answer GET /slow within 300 ms")
        #expect(words[1] == "\(cut.address) answered GET /cut with 200 but closed the connection before the end of the body")
        #expect(words[2].hasPrefix("\(garbage.address) answered GET / with an invalid response ("), "\(words[2])")
        #expect(words[3] == "\(mute.address) closed the connection without answering GET /")
        #expect(words[4] == "\(refused) refused the connection for GET /healthz")
    }

    @Test func theWholePreflightIsBoundedByItsBudget() throws {
        let silent = try ScriptedUpstream(readTimeoutSeconds: 5) { connection, _ in
            _ = ScriptedUpstream.readHead(connection)
            var byte: UInt8 = 0
            _ = recv(connection, &byte, 1, 0)
        }
        defer { silent.stop() }
        var preflight = Preflight(targets: [Self.target(silent.address, "/a"), Self.target(silent.address, "/b")], timeoutMs: 5000)
        preflight.budgetNanoseconds = 300_000_000
        let started = monotonicSeconds()
        let outcomes = try preflight.run()
        #expect(monotonicSeconds() - started < 2)
        #expect(outcomes == [.unchecked, .unchecked])
        #expect(preflight.miss(outcomes[0], target: preflight.targets[0]) == "\(silent.address) gave no answer to GET /a before the preflight's 0.3 s ran out")
    }

    /// More requests than connections allowed at once: they go in waves, and all finish.
    @Test func manyRequestsGoInBoundedWaves() throws {
        let fixtures = try (0..<3).map { _ in try FixtureUpstream(name: "green") }
        for fixture in fixtures { fixture.start() }
        defer { for fixture in fixtures { fixture.stop() } }
        let targets = fixtures.flatMap { fixture in (0..<16).map { Self.target(fixture.address, "/status/\(200 + $0)") } }
        #expect(targets.count > Preflight.maxConnections)
        let outcomes = try Preflight(targets: targets, timeoutMs: 2000).run()
        #expect(outcomes.map { Self.answered($0)?.status } == fixtures.flatMap { _ in (0..<16).map { 200 + $0 } })
        // One connection per request.
        #expect(fixtures.map(\.acceptedConnections).reduce(0, +) == targets.count)
    }

    @Test func theWordsOfEachMiss() {
        let preflight = Preflight(targets: [], timeoutMs: 1000)
        let version = Self.target("127.0.0.1:9003", "/api/version", contains: "2.4")
        func answer(_ status: Int, _ body: String, truncated: Bool = false) -> Preflight.Outcome {
            .answered(ProbeExchange.Answer(status: status, body: Array(body.utf8), truncated: truncated))
        }
        #expect(preflight.miss(answer(200, #"{"version":"2.4.0"}"#), target: version) == nil)
        #expect(preflight.miss(answer(503, "unhealthy"), target: Self.target("127.0.0.1:9002", "/healthz"))
                == "127.0.0.1:9002 answered GET /healthz with 503 (expected 200)")
        #expect(preflight.miss(answer(200, #"{"version":"2.3.1"}"#), target: version)
                == #"127.0.0.1:9003 answered GET /api/version with 200 but the body does not contain "2.4" (it starts "{"version":"2.3.1"}")"#)
        let long = String(repeating: "a", count: 59) + "\r\nb"
        #expect(preflight.miss(answer(200, long), target: version)
                == #"127.0.0.1:9003 answered GET /api/version with 200 but the body does not contain "2.4" (it starts ""# + String(repeating: "a", count: 59) + #"\r…")"#)
        #expect(preflight.miss(answer(200, "", truncated: false), target: version)?.hasSuffix("(the body is empty)") == true)
        #expect(preflight.miss(answer(200, "x", truncated: true), target: version)?.contains(#"in its first 64 KiB (it starts "x…")"#) == true)
        #expect(preflight.miss(.timedOut(connecting: true), target: version) == "127.0.0.1:9003 did not accept the connection for GET /api/version within 1000 ms")
        #expect(Preflight.refusal(pool: "green", misses: ["a", "b"]) == #"preflight refused the switch to "green": a; b; nothing changed"#)
        #expect(Preflight.refusal(pool: "green", misses: (1...12).map(String.init)).hasSuffix("10; and 2 more misses; nothing changed"))
        #expect(Preflight.passed(servers: 2, checks: 2, drained: 0) == "preflight passed: 2 servers × 2 checks")
        #expect(Preflight.passed(servers: 1, checks: 1, drained: 1) == "preflight passed: 1 server × 1 check (1 drained server not checked)")
    }

    @Test func theShadowEvidenceAndItsWords() {
        let requirement = ShadowRequirement(maxMismatchRate: 0.001, minCompared: 1000)
        #expect(ShadowEvidence(compared: 412, mismatched: 0).refusal(requirement, pool: "green")
                == #"the shadow comparison of "green" has 412 compared answers; the guard requires 1,000"#)
        #expect(ShadowEvidence(compared: 1, mismatched: 0, leftOut: 3).refusal(requirement, pool: "green")
                == #"the shadow comparison of "green" has 1 compared answer (not counting 3 not compared or noise); the guard requires 1,000"#)
        #expect(ShadowEvidence(compared: 1650, mismatched: 7).refusal(requirement, pool: "green")
                == #"the shadow comparison of "green" has 0.42 % mismatched (7 of 1,650), above the 0.1 % allowed"#)
        let met = ShadowEvidence(compared: 2000, mismatched: 2)
        #expect(met.refusal(requirement, pool: "green") == nil, "exactly the rate allowed passes")
        #expect(met.met(requirement) == "require_shadow met: 0.1 % mismatched (2 of 2,000 compared), at most 0.1 % allowed")
        #expect(ShadowEvidence.percent(0) == "0 %")
        #expect(ShadowEvidence.percent(0.00005) == "0.005 %")
        #expect(ShadowEvidence.percent(0.12) == "12 %")
        #expect(ShadowEvidence.percent(1) == "100 %")
    }
}
