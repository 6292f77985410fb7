import Glibc
import Testing
@testable import TurnoutFixture
import TurnoutHTTP
import TurnoutPosix

/// `/_fixture`: the parameters as a table, then the route over a real socket.
@Suite struct FixtureControlTests {
    static func parse(_ method: HTTPMethod, _ query: String?) -> FixtureControl {
        guard let query else { return FixtureControl.parse(method: method, query: nil) }
        return Array(query.utf8).withUnsafeBytes { FixtureControl.parse(method: method, query: $0) }
    }

    @Test(arguments: [
        ("error_rate=0.2&latency_ms=50", FixtureBehaviorChange(latencyMs: 50, errorRate: 0.2)),
        ("jitter_ms=7", FixtureBehaviorChange(jitterMs: 7)),
        ("body_bytes=1024", FixtureBehaviorChange(bodyBytes: 1024)),
        ("body_bytes=null", FixtureBehaviorChange(bodyBytes: .some(nil))),
        ("error_rate=1&latency_ms=0&jitter_ms=3600000&body_bytes=0",
         FixtureBehaviorChange(latencyMs: 0, jitterMs: 3_600_000, errorRate: 1, bodyBytes: 0)),
        ("error_rate=0", FixtureBehaviorChange(errorRate: 0)),
        ("error_rate=1.000", FixtureBehaviorChange(errorRate: 1)),
        ("", FixtureBehaviorChange()),
        ("body_name=blue", FixtureBehaviorChange(bodyName: "blue")),
        ("body_name=blue%20v1", FixtureBehaviorChange(bodyName: "blue v1")),
        ("body_name=%E3%82%B0", FixtureBehaviorChange(bodyName: "グ")),
        ("body_name=null", FixtureBehaviorChange(bodyName: .some(nil))),
        ("diverge_prefix=/v2", FixtureBehaviorChange(divergePrefix: "/v2")),
        ("diverge_prefix=%2Fv2%2F", FixtureBehaviorChange(divergePrefix: "/v2/")),
        ("diverge_prefix=null&body_name=null", FixtureBehaviorChange(bodyName: .some(nil), divergePrefix: .some(nil))),
        ("latency_ms=50&body_name=blue&diverge_prefix=/v2",
         FixtureBehaviorChange(latencyMs: 50, bodyName: "blue", divergePrefix: "/v2")),
    ])
    func postChangesTheNamedFieldsOnly(query: String, change: FixtureBehaviorChange) {
        #expect(Self.parse(.post, query) == .change(change))
    }

    @Test(arguments: [
        ("error_rate=1.5", "error_rate"), ("error_rate=-0.1", "error_rate"), ("error_rate=abc", "error_rate"),
        ("error_rate=", "error_rate"), ("error_rate=.5", "error_rate"), ("error_rate=1e-1", "error_rate"),
        ("error_rate=nan", "error_rate"), ("error_rate=0.", "error_rate"),
        ("latency_ms=abc", "latency_ms"), ("latency_ms=-1", "latency_ms"), ("latency_ms=3600001", "latency_ms"),
        ("latency_ms=50&latency_ms=60", "latency_ms"), ("latency_ms", "latency_ms"),
        ("jitter_ms=1.5", "jitter_ms"), ("body_bytes=1073741825", "body_bytes"), ("body_bytes=none", "body_bytes"),
        ("latency_ms=50&error_rate=2", "error_rate"), ("errors=1", "\"errors\""), ("latency_ms=5&", "\"\""),
        ("body_name=", "body_name"), ("body_name=a%0Ab", "body_name"), ("body_name=%zz", "body_name"), ("body_name=%E3", "body_name"),
        ("body_name=a&body_name=b", "body_name"), ("body_name=\(String(repeating: "x", count: 257))", "body_name"),
        ("diverge_prefix=v2", "diverge_prefix"), ("diverge_prefix=", "diverge_prefix"), ("diverge_prefix=/a%20b", "diverge_prefix"),
        ("diverge_prefix=/v2%3Fx", "diverge_prefix"), ("diverge_prefix=/v2%", "diverge_prefix"),
    ])
    func aBadParameterIsRefusedByName(query: String, named: String) {
        guard case .refused(let status, let message) = Self.parse(.post, query) else {
            Issue.record("\(query) was accepted")
            return
        }
        #expect(status == 400)
        #expect(message.hasPrefix(named) || message.contains(named), "\(message)")
    }

    @Test func getShowsAndOtherMethodsAreRefused() {
        #expect(Self.parse(.get, nil) == .show)
        #expect(Self.parse(.head, nil) == .show)
        #expect(Self.parse(.get, "") == .show)
        if case .refused(let status, _) = Self.parse(.get, "error_rate=1") { #expect(status == 400) } else { Issue.record("GET with parameters changed something") }
        if case .refused(let status, _) = Self.parse(.delete, nil) { #expect(status == 405) } else { Issue.record("DELETE accepted") }
    }

    @Test func theRouteChangesTheBehaviourOverHTTP() throws {
        let fixture = try FixtureUpstream(name: "canary", threads: 2)
        fixture.start()
        defer { fixture.stop() }
        let client = try FixtureTestClient(port: fixture.port)

        let shown = try client.request("GET", "/_fixture")
        #expect(shown.status == 200)
        #expect(shown.text == "{\"name\":\"canary\",\"latency_ms\":0,\"jitter_ms\":0,\"error_rate\":0.0,\"body_bytes\":null,\"body_name\":null,\"diverge_prefix\":null}\n")

        let changed = try client.request("POST", "/_fixture?error_rate=1&latency_ms=0")
        #expect(changed.status == 200)
        #expect(changed.text == "{\"name\":\"canary\",\"latency_ms\":0,\"jitter_ms\":0,\"error_rate\":1.0,\"body_bytes\":null,\"body_name\":null,\"diverge_prefix\":null}\n")
        #expect(fixture.behavior == FixtureBehavior(errorRate: 1))
        // Both loops answer with the new behaviour (each connection lands on one of them).
        for _ in 0..<4 {
            #expect(try FixtureTestClient(port: fixture.port).request("GET", "/").status == 500)
        }

        // Unnamed fields keep their values.
        let sized = try client.request("POST", "/_fixture?error_rate=0&body_bytes=10")
        #expect(sized.text.contains("\"error_rate\":0.0,\"body_bytes\":10"))
        #expect(fixture.behavior == FixtureBehavior(errorRate: 0, bodyBytes: 10))
        let answer = try client.request("GET", "/")
        #expect(answer.status == 200 && answer.body.count == 10)

        // A bad value: 400 naming it, nothing changed, even the valid parameter before it.
        let before = fixture.behavior
        for query in ["latency_ms=abc", "latency_ms=5&error_rate=2", "bogus=1"] {
            let refused = try client.request("POST", "/_fixture?\(query)")
            #expect(refused.status == 400)
            #expect(refused.text.hasPrefix("canary: "))
            #expect(fixture.behavior == before)
        }
        #expect(try client.request("POST", "/_fixture?error_rate=7").text.contains("error_rate"))
        #expect(try client.request("DELETE", "/_fixture").status == 405)

        // Latency applies to the default route, not to the control route itself.
        #expect(try client.request("POST", "/_fixture?latency_ms=150&body_bytes=null").status == 200)
        let started = monotonicNanoseconds()
        let slow = try client.request("GET", "/")
        let elapsed = Double(monotonicNanoseconds() - started) / 1e9
        #expect(slow.status == 200 && slow.text == "canary\n")
        #expect(elapsed >= 0.14, "answered after \(elapsed) s")
        let quick = monotonicNanoseconds()
        #expect(try client.request("GET", "/_fixture").status == 200)
        #expect(Double(monotonicNanoseconds() - quick) / 1e9 < 0.14)
    }

    @Test func theRouteSetsTheBodyNameAndTheDivergingPrefix() throws {
        let fixture = try FixtureUpstream(name: "shadow", threads: 2)
        fixture.start()
        defer { fixture.stop() }
        let client = try FixtureTestClient(port: fixture.port)

        let changed = try client.request("POST", "/_fixture?body_name=blue%22v1&diverge_prefix=/v2")
        #expect(changed.status == 200)
        #expect(changed.text.hasSuffix(",\"body_bytes\":null,\"body_name\":\"blue\\\"v1\",\"diverge_prefix\":\"/v2\"}\n"), "\(changed.text)")
        #expect(fixture.behavior == FixtureBehavior(bodyName: "blue\"v1", divergePrefix: "/v2"))
        for _ in 0..<4 {
            let fresh = try FixtureTestClient(port: fixture.port)
            #expect(try fresh.request("GET", "/").text == "blue\"v1\n")
            let diverged = try fresh.request("GET", "/v2/status")
            #expect(diverged.status == 500 && diverged.text == "blue\"v1 (diverged)\n")
        }

        // A refused change leaves both as they were.
        #expect(try client.request("POST", "/_fixture?body_name=green&diverge_prefix=v3").status == 400)
        #expect(fixture.behavior == FixtureBehavior(bodyName: "blue\"v1", divergePrefix: "/v2"))

        // Other fields keep them; null resets each.
        #expect(try client.request("POST", "/_fixture?latency_ms=1").status == 200)
        #expect(fixture.behavior == FixtureBehavior(latencyMs: 1, bodyName: "blue\"v1", divergePrefix: "/v2"))
        let reset = try client.request("POST", "/_fixture?body_name=null&diverge_prefix=null&latency_ms=0")
        #expect(reset.text.hasSuffix("\"body_name\":null,\"diverge_prefix\":null}\n"))
        #expect(fixture.behavior == FixtureBehavior())
        let plain = try client.request("GET", "/v2/status")
        #expect(plain.status == 200 && plain.text == "shadow\n")
    }
}
