import Foundation
import Testing
import TurnoutAdmin
import TurnoutConfig
import TurnoutControl
import TurnoutCore
import TurnoutFixture

/// A switch's guard checked before the switch (SPEC §5), through the admin API over a real
/// proxy: preflight requests to the target pool's fixture servers, `require_shadow` against the
/// mirror's comparison, a refusal that names what failed and changes nothing, and a pass that
/// the history records.
@Suite struct SwitchGuardAdminTests {
    /// Split web over blue (100) and green (0); green has the servers given (fixtures green and
    /// green2 by default; `{{refused}}` is a closed port).
    final class Setup {
        let harness: ProxyHarness
        let control: ControlPlane
        let api: AdminAPI

        init(green: [String] = ["{{green}}", "{{green2}}"]) throws {
            harness = try ProxyHarness(fixtures: ["blue", "green", "green2"],
                                       config: ProxyHarness.config(pools: ["blue": ["{{blue}}"], "green": green], split: ["blue": 100, "green": 0]))
            control = ControlPlane(server: harness.server, config: harness.config, runtime: RuntimeState(), store: nil, configPath: nil,
                                   version: "test", notice: { _ in })
            let monitor = TrafficMonitor(server: harness.server)
            api = AdminAPI(control: control, monitor: monitor, rollouts: RolloutController(control: control, monitor: monitor))
        }

        func fixture(_ name: String) -> FixtureUpstream { harness.fixtures[name]! }

        func call(_ method: String, _ path: String, _ body: String? = nil) -> (status: Int, json: [String: Any]) {
            let answer = api.handle(AdminRequest(method: method, path: path, query: "", body: Array((body ?? "").utf8), caller: .unix(uid: 0, pid: 1)))
            return (answer.status, (try? JSONSerialization.jsonObject(with: Data(answer.body))) as? [String: Any] ?? [:])
        }

        func switchToGreen(guard guardJSON: String) -> (status: Int, error: String, json: [String: Any]) {
            let (status, json) = call("POST", "/splits/web/switch", #"{"to": "green", "guard": \#(guardJSON)}"#)
            return (status, json["error"] as? String ?? "", json)
        }

        var weights: [String: Int]? {
            ((call("GET", "/status").json["splits"] as? [String: Any])?["web"] as? [String: Any])?["weights"] as? [String: Int]
        }

        var history: [[String: Any]] { call("GET", "/history").json["entries"] as? [[String: Any]] ?? [] }

        /// Which pools answer `count` requests through the proxy.
        func answers(_ count: Int) throws -> [String: Int] {
            let client = try TestClient(port: harness.port)
            var seen: [String: Int] = [:]
            for _ in 0..<count { seen[try client.request("GET", "/").text, default: 0] += 1 }
            return seen
        }

        /// The switch was refused and nothing changed: the weights in force, the history, the traffic.
        func expectNothingChanged(_ sourceLocation: SourceLocation = #_sourceLocation) throws {
            #expect(weights == ["blue": 100, "green": 0], sourceLocation: sourceLocation)
            #expect(history.isEmpty, "a refusal records nothing", sourceLocation: sourceLocation)
            #expect(try answers(5) == ["blue\n": 5], sourceLocation: sourceLocation)
        }

        func stop() { harness.stop() }
    }

    @Test func aServerAnswering503RefusesTheSwitchNamingItThePathAndTheStatus() throws {
        let setup = try Setup()
        defer { setup.stop() }
        setup.fixture("green2").setHealthy(false)
        let (status, error, _) = setup.switchToGreen(guard: #"{"preflight": [{"path": "/healthz", "status": 200}]}"#)
        #expect(status == 409)
        let green2 = setup.fixture("green2").address
        #expect(error == "preflight refused the switch to \"green\": \(green2) answered GET /healthz with 503 (expected 200); nothing changed", "\(error)")
        #expect(!error.contains(setup.fixture("green").address), "the server that passed is not named")
        try setup.expectNothingChanged()
    }

    @Test func aBodyWithoutTheTextRefusesNamingTheTextAndTheBodysStart() throws {
        let setup = try Setup()
        defer { setup.stop() }
        let (status, error, _) = setup.switchToGreen(guard: #"{"preflight": [{"path": "/healthz"}, {"path": "/", "body_contains": "2.4"}]}"#)
        #expect(status == 409)
        for name in ["green", "green2"] {
            let address = setup.fixture(name).address
            #expect(error.contains(#"\#(address) answered GET / with 200 but the body does not contain "2.4" (it starts "\#(name)\n")"#), "\(error)")
        }
        #expect(!error.contains("/healthz"), "the passing check is not named")
        try setup.expectNothingChanged()
    }

    @Test func allChecksPassingSwitchesAndTheHistorySaysSo() throws {
        let setup = try Setup()
        defer { setup.stop() }
        let (status, error, json) = setup.switchToGreen(guard: #"{"preflight": [{"path": "/healthz", "status": 200}, {"path": "/", "body_contains": "green"}]}"#)
        // One connection per check and server, straight to the servers: the proxy sent them nothing yet.
        #expect(setup.fixture("green").acceptedConnections == 2 && setup.fixture("green2").acceptedConnections == 2)
        #expect(status == 200, "\(error)")
        #expect(json["weights"] as? [String: Int] == ["blue": 0, "green": 100])
        #expect(Set(try setup.answers(10).keys).isSubset(of: ["green\n", "green2\n"]))
        let entry = try #require(setup.history.first)
        #expect(entry["action"] as? String == "switch")
        #expect(entry["reason"] as? String == "preflight passed: 2 servers × 2 checks")
    }

    @Test func aClosedPortIsNamedAndADrainedServerIsLeftOut() throws {
        let setup = try Setup(green: ["{{green}}", "{{refused}}"])
        defer { setup.stop() }
        let refused = try #require(setup.harness.config.pool(named: "green")?.servers[1].address.description)
        let (status, error, _) = setup.switchToGreen(guard: #"{"preflight": [{"path": "/healthz"}]}"#)
        #expect(status == 409)
        #expect(error == "preflight refused the switch to \"green\": \(refused) refused the connection for GET /healthz; nothing changed", "\(error)")
        try setup.expectNothingChanged()

        // A drained server takes no traffic after the switch, so it is not checked.
        #expect(setup.call("POST", "/pools/green/servers/\(refused)/drain").status == 200)
        let passed = setup.switchToGreen(guard: #"{"preflight": [{"path": "/healthz"}]}"#)
        #expect(passed.status == 200, "\(passed.error)")
        #expect(setup.history.first?["reason"] as? String == "preflight passed: 1 server × 1 check (1 drained server not checked)")
    }

    /// Bad guards get a 400 that names the JSON path; a switch that could not happen anyway is
    /// refused as a plain switch is, before anything is sent. Nothing changes.
    @Test func badGuardsAreRefusedWithTheirPaths() throws {
        let setup = try Setup()
        defer { setup.stop() }
        let cases: [(path: String, body: String, status: Int, fragment: String)] = [
            ("/splits/web/switch", #"{"to": "green", "guard": true}"#, 400, "guard: expected a guard such as"),
            ("/splits/web/switch", #"{"to": "green", "guard": {}}"#, 400, "guard: expected at least one of"),
            ("/splits/web/switch", #"{"to": "green", "guard": {"prefight": []}}"#, 400, #"guard.prefight: unknown key "prefight"; did you mean "preflight"?"#),
            ("/splits/web/switch", #"{"to": "green", "guard": {"preflight": [{"path": "healthz"}]}}"#, 400, #"guard.preflight[0].path: expected a request path starting with "/""#),
            ("/splits/web/switch", #"{"to": "green", "guard": {"preflight": [{"path": "/", "status": 600}]}}"#, 400, "guard.preflight[0].status: expected at most 599, got 600"),
            ("/splits/web/switch", #"{"to": "green", "guard": {"preflight": [{"path": "/", "body_contains": ""}]}}"#, 400, "guard.preflight[0].body_contains: expected the text the body must contain, got an empty string"),
            ("/splits/web/switch", #"{"to": "green", "guard": {"require_shadow": {"max_mismatch_rate": 2, "min_compared": 10}}}"#, 400, "guard.require_shadow.max_mismatch_rate: expected a number from 0 to 1, got 2"),
            ("/splits/web/switch", #"{"to": "green", "guard": {"require_shadow": {"max_mismatch_rate": 0.1}}}"#, 400, "guard.require_shadow.min_compared: required key is missing"),
            ("/splits/web/switch", #"{"to": "green", "guard": {"watch_s": 0}}"#, 400, "guard.watch_s: expected a positive integer number of seconds, got 0"),
            ("/splits/web/switch", #"{"to": "purple", "guard": {"preflight": [{"path": "/"}]}}"#, 400, #"pool "purple" is not in split "web""#),
            ("/splits/nope/switch", #"{"to": "green", "guard": {"preflight": [{"path": "/"}]}}"#, 404, #"no split named "nope""#),
        ]
        let before = setup.fixture("green").acceptedConnections + setup.fixture("green2").acceptedConnections
        for row in cases {
            let (status, json) = setup.call("POST", row.path, row.body)
            let error = json["error"] as? String ?? ""
            #expect(status == row.status, "\(row.body): \(error)")
            #expect(error.contains(row.fragment), "\(row.body): \(error)")
        }
        #expect(setup.fixture("green").acceptedConnections + setup.fixture("green2").acceptedConnections == before, "nothing was probed")
        try setup.expectNothingChanged()
    }

    // MARK: require_shadow

    /// The mirror setup of `MirrorAdminTests` (green gets a copy of every GET and answers like
    /// blue except under /v2), with green in the split so that it can be switched to.
    static func mirrored() throws -> MirrorAdminTests.Setup {
        try MirrorAdminTests.Setup(config: ProxyHarness.config(
            pools: ["blue": ["{{blue}}"], "green": ["{{green}}"]], split: ["blue": 100, "green": 0],
            extra: #""mirror": {"pool": "green", "percent": 100, "compare": true}"#))
    }

    @Test func tooFewComparisonsRefuse() throws {
        let setup = try Self.mirrored()
        defer { setup.stop() }
        _ = try setup.traffic(plain: 5, statusDiffs: 0, bodyDiffs: 0)
        let (status, error) = Self.post(setup, #"{"to": "green", "guard": {"require_shadow": {"max_mismatch_rate": 0.001, "min_compared": 1000}}}"#)
        #expect(status == 409)
        #expect(error == #"require_shadow refused the switch to "green": the shadow comparison of "green" has 5 compared answers; the guard requires 1,000; nothing changed"#, "\(error)")
        #expect(Self.weights(setup) == ["blue": 100, "green": 0])
        #expect(setup.control.historyDocument().entries.isEmpty)
    }

    @Test func tooManyMismatchesRefuse() throws {
        let setup = try Self.mirrored()
        defer { setup.stop() }
        _ = try setup.traffic(plain: 8, statusDiffs: 1, bodyDiffs: 1)
        let (status, error) = Self.post(setup, #"{"to": "green", "guard": {"require_shadow": {"max_mismatch_rate": 0.1, "min_compared": 10}}}"#)
        #expect(status == 409)
        #expect(error == #"require_shadow refused the switch to "green": the shadow comparison of "green" has 20 % mismatched (2 of 10), above the 10 % allowed; nothing changed"#, "\(error)")
        #expect(Self.weights(setup) == ["blue": 100, "green": 0])
        #expect(setup.control.historyDocument().entries.isEmpty)
    }

    @Test func aComparisonThatMeetsTheRequirementSwitchesWithThePreflight() throws {
        let setup = try Self.mirrored()
        defer { setup.stop() }
        _ = try setup.traffic(plain: 19, statusDiffs: 0, bodyDiffs: 1)
        let (status, error) = Self.post(setup, #"{"to": "green", "guard": {"require_shadow": {"max_mismatch_rate": 0.05, "min_compared": 20}, "preflight": [{"path": "/healthz", "body_contains": "ok"}]}}"#)
        #expect(status == 200, "\(error)")
        #expect(Self.weights(setup) == ["blue": 0, "green": 100])
        let entry = try #require(setup.control.historyDocument().entries.first)
        #expect(entry.reason == "require_shadow met: 5 % mismatched (1 of 20 compared), at most 5 % allowed; preflight passed: 1 server × 1 check")
    }

    @Test func aPoolNoRouteMirrorsToRefuses() throws {
        let setup = try Setup()
        defer { setup.stop() }
        let (status, error, _) = setup.switchToGreen(guard: #"{"require_shadow": {"max_mismatch_rate": 0.001, "min_compared": 1}}"#)
        #expect(status == 409)
        #expect(error.hasPrefix(#"require_shadow refused the switch to "green": no route mirrors to "green""#), "\(error)")
        try setup.expectNothingChanged()
    }

    static func post(_ setup: MirrorAdminTests.Setup, _ body: String) -> (status: Int, error: String) {
        let answer = setup.api.handle(AdminRequest(method: "POST", path: "/splits/web/switch", query: "", body: Array(body.utf8), caller: .unix(uid: 0, pid: 1)))
        let json = (try? JSONSerialization.jsonObject(with: Data(answer.body))) as? [String: Any] ?? [:]
        return (answer.status, json["error"] as? String ?? "")
    }

    static func weights(_ setup: MirrorAdminTests.Setup) -> [String: Int]? {
        setup.control.weights(of: "web")?.weights
    }
}
