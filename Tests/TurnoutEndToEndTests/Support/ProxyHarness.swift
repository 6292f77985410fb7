import Glibc
import TurnoutConfig
import TurnoutCore
import TurnoutFixture
import TurnoutPosix

/// A proxy started in this process on 127.0.0.1 with port 0, in front of real fixture
/// upstreams. The configuration is JSON in which `{{NAME}}` stands for the address of the
/// fixture NAME and `{{refused}}` for a loopback port nobody listens on.
final class ProxyHarness {
    let fixtures: [String: FixtureUpstream]
    let server: ProxyServer
    let config: Config
    var port: UInt16 { server.listenAddresses[0].port }

    init(fixtures names: [String], behaviors: [String: FixtureBehavior] = [:], config template: String) throws {
        var fixtures: [String: FixtureUpstream] = [:]
        for name in names {
            let fixture = try FixtureUpstream(name: name, behavior: behaviors[name] ?? FixtureBehavior())
            fixture.start()
            fixtures[name] = fixture
        }
        var text = template.replacingPlaceholder("refused", with: "127.0.0.1:\(ProxyHarness.refusedPort())")
        for (name, fixture) in fixtures { text = text.replacingPlaceholder(name, with: fixture.address) }
        let config = try ConfigLoader.decode(Array(text.utf8), source: "test configuration")
        self.fixtures = fixtures
        self.config = config
        server = try ProxyServer(config: config)
        server.start()
    }

    /// Rebuilds the routing snapshot with new split weights and waits until every worker uses it.
    func setWeights(_ weights: [String: [String: Int]]) throws {
        let published = server.publish(try ProxyServer.snapshot(for: config, weights: weights))
        precondition(published, "workers did not adopt the snapshot in time")
    }

    func setDrained(_ drained: [String: Set<String>]) throws {
        let published = server.publish(try ProxyServer.snapshot(for: config, unavailable: drained))
        precondition(published, "workers did not adopt the snapshot in time")
    }

    func stop() {
        server.stop(graceful: false)
        for fixture in fixtures.values { fixture.stop() }
    }

    /// A port that refuses connections: bound then closed, so nothing listens there.
    static func refusedPort() -> UInt16 {
        var socket = try! Socket.listen(on: SocketAddress(host: "127.0.0.1", port: 0)!, reusePort: false)
        let port = socket.localAddress()!.port
        socket.close()
        return port
    }

    /// A minimal test configuration: one split route over the given pools.
    static func config(pools: [String: [String]], split: [String: Int]? = nil, routes: String? = nil,
                       workers: Int = 2, extra: String = "") -> String {
        let poolText = pools.map { name, servers in
            "\"\(name)\": { \"servers\": [\(servers.map { "\"\($0)\"" }.joined(separator: ", "))] }"
        }.joined(separator: ",\n")
        let splitText = split.map { weights in
            "\"splits\": { \"web\": { \(weights.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ")) } },"
        } ?? ""
        let routeText = routes ?? #"[{ "match": { "path_prefix": "/" }, "split": "web" }]"#
        return """
            { "listen": ["127.0.0.1:0"], "workers": \(workers), "state_file": null,
              "pools": { \(poolText) },
              \(splitText)
              "routes": \(routeText)
              \(extra.isEmpty ? "" : ", " + extra) }
            """
    }
}

extension String {
    func replacingPlaceholder(_ name: String, with value: String) -> String {
        replacing("{{\(name)}}", with: value)
    }
}
