import Foundation
import Synchronization
import Testing
import TurnoutAdmin
import TurnoutConfig
import TurnoutControl
import TurnoutCore
import TurnoutFixture

/// The admin API's typed documents on the wire: every live answer reads back into its document
/// and writes out to the same text, that text is what `JSONSerialization` writes for the same
/// values (what the API wrote before it was typed), and the keys clients test for null are
/// there, null.
@Suite struct AdminDocumentTests {
    /// Pools blue, canary and green; green is the shadow of every route but the first and
    /// answers like blue except under `/v2`. The configuration is a file, so `/reload` works.
    final class Setup {
        let directory: String
        let fixtures: [String: FixtureUpstream]
        let server: ProxyServer
        let control: ControlPlane
        let monitor: TrafficMonitor
        let api: AdminAPI

        init() throws {
            directory = ChildProcess.temporaryPath("documents-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            var fixtures: [String: FixtureUpstream] = [:]
            for name in ["blue", "canary", "green"] {
                let behavior = name == "green" ? FixtureBehavior(bodyName: "blue", divergePrefix: "/v2") : FixtureBehavior()
                fixtures[name] = try FixtureUpstream(name: name, behavior: behavior)
                fixtures[name]!.start()
            }
            self.fixtures = fixtures
            let path = directory + "/turnout.json"
            try """
                { "listen": ["127.0.0.1:0"], "workers": 2, "state_file": null,
                  "pools": { "blue": { "servers": ["\(fixtures["blue"]!.address)"] }, "canary": { "servers": ["\(fixtures["canary"]!.address)"] },
                             "green": { "servers": ["\(fixtures["green"]!.address)"] } },
                  "splits": { "web": { "blue": 90, "canary": 10 } },
                  "mirror": { "pool": "green", "percent": 100, "compare": true },
                  "routes": [ { "match": { "header": { "x-pool": "canary" }, "cookie": { "beta": "*" } }, "pool": "canary", "mirror": null },
                              { "match": { "path_prefix": "/v2/", "method": "GET", "query": { "v": "2" } }, "pool": "blue" },
                              { "match": { "host": "example.com" }, "split": "web", "sticky": { "header": "x-user" } },
                              { "match": { "path_prefix": "/" }, "split": "web", "sticky": { "cookie": "session" } } ] }
                """.write(toFile: path, atomically: true, encoding: .utf8)
            let config = try ConfigLoader.load(path: path)
            server = try ProxyServer(config: config)
            server.start()
            control = ControlPlane(server: server, config: config, runtime: RuntimeState(), store: nil, configPath: path, version: "test",
                                   notice: { _ in })
            monitor = TrafficMonitor(server: server)
            api = AdminAPI(control: control, monitor: monitor, rollouts: RolloutController(control: control, monitor: monitor))
        }

        /// The answer's status and text.
        func call(_ method: String, _ path: String, _ body: String = "", query: String = "") -> (status: Int, text: String) {
            let answer = api.handle(AdminRequest(method: method, path: path, query: query, body: Array(body.utf8), caller: .unix(uid: 0, pid: 1)))
            return (answer.status, String(decoding: answer.body, as: UTF8.self))
        }

        func stop() {
            server.stop(graceful: false)
            for fixture in fixtures.values { fixture.stop() }
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    /// Reads an answer's body as a `Document`, writes it again (pretty with a final newline, or
    /// compact), and checks both that the body comes back byte for byte and that
    /// `JSONSerialization` writes the same text for the same values. (`AdminResponse.json` ends
    /// every body with one more newline.)
    static func roundTrip<Document: Codable>(_ type: Document.Type, _ body: String, pretty: Bool = true,
                                             sourceLocation: SourceLocation = #_sourceLocation) throws {
        let document = try DocumentJSON.decode(type, from: body)
        let again = pretty ? jsonText(document) : try DocumentJSON.text(document, pretty: false)
        #expect(again + "\n" == body, "\(type) does not write back what it read", sourceLocation: sourceLocation)
        let values = try JSONSerialization.jsonObject(with: Data(body.utf8))
        let options: JSONSerialization.WritingOptions = pretty ? [.sortedKeys, .prettyPrinted] : [.sortedKeys]
        let serialized = String(decoding: try JSONSerialization.data(withJSONObject: values, options: options), as: UTF8.self) + (pretty ? "\n" : "")
        #expect(serialized + "\n" == body, "\(type) is not written as JSONSerialization writes it", sourceLocation: sourceLocation)
    }

    @Test func everyAnswerReadsBackIntoItsDocumentAndWritesTheSameText() throws {
        let setup = try Setup()
        defer { setup.stop() }
        func expectOK(_ answer: (status: Int, text: String), sourceLocation: SourceLocation = #_sourceLocation) -> String {
            #expect(answer.status == 200, "\(answer.text)", sourceLocation: sourceLocation)
            return answer.text
        }
        setup.monitor.sample()
        try Self.roundTrip(StatusDocument.self, expectOK(setup.call("GET", "/status")))
        try Self.roundTrip(HistoryDocument.self, expectOK(setup.call("GET", "/history")))
        try Self.roundTrip(StatsDocument.self, expectOK(setup.call("GET", "/stats")))
        try Self.roundTrip(MirrorDocument.self, expectOK(setup.call("GET", "/mirror")))

        let client = try TestClient(port: setup.server.listenAddresses[0].port)
        for index in 0..<60 {
            _ = try client.request("GET", index % 10 == 0 ? "/v2/status" : index % 3 == 0 ? "/v2/page" : "/")
        }
        let deadline = Date().addingTimeInterval(5)
        while (setup.server.mirrorReport()?.mismatches.count ?? 0) < 6 && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        Thread.sleep(forTimeInterval: 0.05)
        setup.monitor.sample()
        let series = expectOK(setup.call("GET", "/stats/series"))
        try Self.roundTrip(SeriesDocument.self, series, pretty: false)
        #expect(try DocumentJSON.decode(SeriesDocument.self, from: series).pools["blue"]?.points.isEmpty == false)
        try Self.roundTrip(SeriesDocument.self, expectOK(setup.call("GET", "/stats/series", query: "since=0")), pretty: false)
        try Self.roundTrip(StatsDocument.self, expectOK(setup.call("GET", "/stats")))
        let mirror = expectOK(setup.call("GET", "/mirror"))
        try Self.roundTrip(MirrorDocument.self, mirror)
        #expect(try DocumentJSON.decode(MirrorDocument.self, from: mirror).mismatches?.isEmpty == false)

        let blue = setup.fixtures["blue"]!.address
        try Self.roundTrip(SplitWeightsDocument.self, expectOK(setup.call("GET", "/splits/web")))
        try Self.roundTrip(SplitWeightsDocument.self, expectOK(setup.call("PUT", "/splits/web", #"{"blue": 95, "canary": 5}"#)))
        try Self.roundTrip(ServerActionDocument.self, expectOK(setup.call("POST", "/pools/blue/servers/\(blue)/drain")))
        try Self.roundTrip(StatusDocument.self, expectOK(setup.call("GET", "/status")))
        try Self.roundTrip(ServerActionDocument.self, expectOK(setup.call("POST", "/pools/blue/servers/\(blue)/enable")))
        try Self.roundTrip(SplitWeightsDocument.self, expectOK(setup.call("POST", "/splits/web/switch", #"{"to": "blue"}"#)))
        try Self.roundTrip(SplitWeightsDocument.self, expectOK(setup.call("POST", "/splits/web/rollback")))
        try Self.roundTrip(ReloadDocument.self, expectOK(setup.call("POST", "/reload")))

        let start = #"{"baseline": "blue", "canary": "canary", "steps": [{"weight": 20, "hold_s": 60}, {"pause": true}, {"weight": 50}], "force": true}"#
        try Self.roundTrip(RolloutDocument.self, expectOK(setup.call("POST", "/splits/web/rollout", start)))
        try Self.roundTrip(RolloutDocument.self, expectOK(setup.call("GET", "/splits/web/rollout")))
        try Self.roundTrip(StatusDocument.self, expectOK(setup.call("GET", "/status")))
        try Self.roundTrip(SplitWeightsDocument.self, expectOK(setup.call("GET", "/splits/web")))
        for verb in ["pause", "resume", "abort"] {
            try Self.roundTrip(RolloutDocument.self, expectOK(setup.call("POST", "/splits/web/rollout/\(verb)")))
        }
        let history = expectOK(setup.call("GET", "/history"))
        try Self.roundTrip(HistoryDocument.self, history)
        #expect(try DocumentJSON.decode(HistoryDocument.self, from: history).entries.count == 10)
    }

    @Test func aStatusDocumentWritesItsNulls() throws {
        let setup = try ControlPlaneTests.Setup()
        defer { setup.stop() }
        let status = try setup.control.statusDocument()
        let server = try #require(status.pools["blue"]?.servers.first)
        #expect(jsonText(server) == """
            {
              "address" : "\(setup.fixtures["blue"]!.address)",
              "idle_connections" : 0,
              "in_flight" : 0,
              "state" : "up",
              "weight" : 1
            }

            """)
        #expect(jsonText(try #require(status.splits["web"])) == """
            {
              "guard" : null,
              "rollback_depth" : 0,
              "rollout" : null,
              "source" : "config",
              "weights" : {
                "blue" : 100,
                "canary" : 0
              }
            }

            """)
        #expect(try DocumentJSON.text(try #require(status.routes.first), pretty: false) == #"{"match":{},"mirror":null,"split":"web"}"#)
        let text = try DocumentJSON.text(status, pretty: false)
        #expect(text.contains(#""mirror":null,"pools":{"#), "\(text)")
    }

    @Test func aHistoryEntryIsTheNotificationsBodyWithEveryKey() throws {
        let setup = try ControlPlaneTests.Setup(stateFile: false)
        defer { setup.stop() }
        let bodies = Mutex<[String]>([])
        let control = ControlPlane(server: setup.server, config: setup.control.config, runtime: RuntimeState(), store: nil, configPath: nil,
                                   version: "test", deliver: { body in bodies.withLock { $0.append(String(decoding: body, as: UTF8.self)) } },
                                   notice: { _ in })
        try control.setWeights(split: "web", to: ["blue": 90, "canary": 10], origin: ChangeOrigin(source: .admin, caller: .process(uid: 0, pid: 1)))
        let canary = setup.fixtures["canary"]!.address
        try control.setDrained(pool: "canary", server: canary, drained: true,
                               origin: ChangeOrigin(source: .admin, caller: .address("127.0.0.1:5000"), reason: "maintenance"))
        let entries = control.historyDocument().entries
        try #require(entries.count == 2)
        let (drain, weights) = (entries[0], entries[1])
        #expect(bodies.withLock { $0 } == [
            #"{"action":"weights","caller":{"pid":1,"uid":0},"new":{"blue":90,"canary":10},"old":{"blue":100,"canary":0},"#
                + #""reason":null,"source":"admin","split":"web","time":"\#(weights.time)"}"#,
            #"{"action":"drain","caller":{"address":"127.0.0.1:5000"},"new":null,"old":null,"reason":"maintenance","#
                + #""server":"canary\/\#(canary)","source":"admin","split":null,"time":"\#(drain.time)"}"#,
        ])
        #expect(jsonText(weights) == """
            {
              "action" : "weights",
              "caller" : {
                "pid" : 1,
                "uid" : 0
              },
              "new" : {
                "blue" : 90,
                "canary" : 10
              },
              "old" : {
                "blue" : 100,
                "canary" : 0
              },
              "reason" : null,
              "source" : "admin",
              "split" : "web",
              "time" : "\(weights.time)"
            }

            """)
        // The process itself as the caller: null.
        let own = try DocumentJSON.decode(HistoryEntry.self, from: #"{"action":"rollout_step","caller":null,"new":{"blue":75,"canary":25},"#
                                          + #""old":{"blue":95,"canary":5},"reason":"step 2","source":"rollout","split":"web","time":"2026-12-06T06:29:01.330Z"}"#)
        #expect(own.caller == .none && own.action == .rollout(.advanced) && own.source == .rollout)
        #expect(try DocumentJSON.text(own, pretty: false).contains(#""caller":null,"#))
    }
}
