import Glibc
import TurnoutAdmin
import TurnoutConfig
import TurnoutControl
import TurnoutCore
import TurnoutFixture

/// `turnout demo`: the embedded default. Starts fixture upstreams named blue, green and canary
/// on loopback, and a shadow (the next version of blue, which answers differently under
/// `/v2/beta`), then the proxy in front of them, prints what to try, and stops everything on
/// Ctrl-C (or SIGTERM).
enum DemoCommand {
    /// The demo's configuration; the upstream ports are filled in once the fixtures are bound.
    /// It mirrors conf/demo.json, whose fixed ports would collide on a busy machine.
    static func configuration(listenPort: Int, blue: Int, green: Int, canary: Int, shadow: Int) -> String {
        """
        {
          "listen": ["127.0.0.1:\(listenPort)"],
          "workers": 0,
          "state_file": null,
          "pools": {
            "blue":   { "servers": ["127.0.0.1:\(blue)"] },
            "green":  { "servers": ["127.0.0.1:\(green)"] },
            "canary": { "servers": ["127.0.0.1:\(canary)"] },
            "shadow": { "servers": ["127.0.0.1:\(shadow)"] }
          },
          "splits": { "web": { "blue": 90, "green": 0, "canary": 10 } },
          "mirror": { "pool": "shadow", "percent": 100, "compare": true, "noise": true },
          "routes": [
            { "match": { "header": { "x-turnout-pool": "canary" } }, "pool": "canary", "mirror": null },
            { "match": { "cookie": { "canary": "1" } }, "pool": "canary", "mirror": null },
            { "match": { "path_prefix": "/v2/" }, "pool": "blue" },
            { "match": { "path_prefix": "/counter" }, "pool": "blue" },
            { "match": { "path_prefix": "/" }, "split": "web", "sticky": { "cookie": "session_id" }, "mirror": null }
          ],
          "analysis": { "min_requests": 150 },
          "rollouts": {
            "web": { "baseline": "blue", "canary": "canary",
                     "steps": [ { "weight": 5, "hold_s": 20 }, { "weight": 25, "hold_s": 20 }, { "weight": 50, "hold_s": 20 } ] }
          }
        }
        """
    }

    static func run(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        let preferredPort = Int(try arguments.option("--port") ?? "8080") ?? -1
        guard (0...65535).contains(preferredPort) else { throw UsageError("--port expects a port number") }
        let trafficRate = Int(try arguments.option("--traffic") ?? "200") ?? -1
        guard (0...100_000).contains(trafficRate) else { throw UsageError("--traffic expects requests per second (0 turns the background traffic off)") }
        try arguments.expectEmpty()
        ProcessSignal.blockAll()

        let fixtures: [FixtureUpstream]
        do {
            fixtures = try ["blue", "green", "canary"].map { name in try FixtureUpstream(name: name) }
                + [FixtureUpstream(name: "shadow", behavior: FixtureBehavior(bodyName: "blue", divergePrefix: "/v2/beta"))]
        } catch {
            printError("demo: cannot start the fixture upstreams: \(error)")
            return 2
        }
        for fixture in fixtures { fixture.start() }
        defer { for fixture in fixtures { fixture.stop() } }
        let ports = fixtures.map { Int($0.port) }

        // Port 8080 when it is free, else whatever the kernel gives.
        var server: ProxyServer?
        var config: Config?
        for port in Set([preferredPort, 0]).sorted(by: >) {
            let text = configuration(listenPort: port, blue: ports[0], green: ports[1], canary: ports[2], shadow: ports[3])
            do {
                let decoded = try ConfigLoader.decode(Array(text.utf8), source: "demo configuration")
                server = try ProxyServer(config: decoded)
                config = decoded
                break
            } catch let error as ConfigErrors {
                printError("demo: the embedded configuration is invalid: \(error)")
                return 2
            } catch {
                if port == 0 { printError("demo: \(error)"); return 2 }
            }
        }
        guard let server, let config else { return 2 }
        // The usual admin socket when it is free, so `turnout ctl` finds it without flags; a
        // private one when another turnout in this directory owns it.
        var opened: ControlServices?
        var socketPath = Config.defaultAdminSocket
        var failure = ""
        for candidate in [Config.defaultAdminSocket, "/tmp/turnout-demo-\(getpid()).sock"] {
            socketPath = candidate
            do {
                opened = try ControlServices.open(server: server, config: config, runtime: StoredState(state: RuntimeState(), revision: 0), store: nil, configPath: nil,
                                                  admin: AdminConfig(socket: candidate, listen: ServerAddress(host: "127.0.0.1", port: 0)),
                                                  socketPath: candidate)
                break
            } catch {
                failure = error.description
            }
        }
        guard let services = opened else {
            printError("demo: cannot open the admin API (tried \(Config.defaultAdminSocket) and /tmp): \(failure)")
            return 2
        }
        server.start()
        services.start()
        // Half of it to the split, the rest to the mirrored routes: a path both versions answer
        // alike, a counter that changes on every call, and two paths the shadow answers differently.
        let paths = ["/", "/v2/items", "/", "/counter", "/", "/v2/beta/items", "/", "/v2/beta/status"]
        let traffic = trafficRate > 0 ? try? DemoTraffic(target: server.listenAddresses[0], requestsPerSecond: trafficRate, paths: paths) : nil
        traffic?.start()
        let url = "http://\(server.listenAddresses[0])"
        let absoluteSocket = socketPath.hasPrefix("/") ? socketPath : currentDirectory() + "/" + socketPath
        let ctl = "\(executablePath()) ctl --socket \(absoluteSocket)"
        writeStandardOutput("""
            Turnout demo: the proxy listens on \(url) in front of four fixture upstreams
              blue    \(fixtures[0].address)
              green   \(fixtures[1].address)
              canary  \(fixtures[2].address)
              shadow  \(fixtures[3].address)   the next blue: differs under /v2/beta
            Dashboard: \(services.admin.tcpAddress.map { "http://\($0)/" } ?? "none") (the admin API on loopback, no token)
            Background traffic: \(traffic != nil ? "\(trafficRate) requests/s of GET to \(Set(paths).sorted().joined(separator: ", ")) from a built-in client (--traffic N to change, 0 for none)" : "none (--traffic N sends N requests/s)")

            Release canary, from another shell: a rollout of 5 %, 25 %, 50 % (20 s each), then 100 %,
            judged every second; the live view ends when it is promoted or rolled back:
              ctl="\(ctl)"; $ctl rollout start web && $ctl rollout watch web
            Then break the canary (20 % of its answers become 500s) and Turnout rolls it back:
              curl -s -X POST 'http://\(fixtures[2].address)/_fixture?error_rate=0.2'
            (heal it with error_rate=0; start again with the first line)

            Shadow release: every request to /v2/ and /counter is copied to the shadow (and to a
            second blue, so answers that change on every call count as noise, not as mismatches);
            the answers are compared and the differences listed:
              \(ctl) mirror

            Guarded blue-green switch: web on blue alone, then all of it to green once green answers
            /healthz, watched for 60 s against blue's last 300 s; kept if green holds, switched back
            to blue on its own if it errs more or is slower:
              ctl="\(ctl)"; $ctl weights web blue=100 green=0 canary=0 && $ctl switch web green --preflight /healthz=200 --guard 60 && $ctl guard web watch
            Break green while it is watched (20 % of its answers become 500s) and web goes back to blue:
              curl -s -X POST 'http://\(fixtures[1].address)/_fixture?error_rate=0.2'
            (heal it with error_rate=0; $ctl guard web keep|revert ends the watch early)

            Routes, first match wins:
              header x-turnout-pool: canary  -> pool canary
              cookie canary=1                -> pool canary
              path /v2/, /counter            -> pool blue, mirrored to pool shadow
              everything else                -> split "web": blue 90, green 0, canary 10,
                                                sticky on cookie session_id

            Try:
              curl -s \(url)/                                  # blue or canary answers (90/10)
              curl -s -i \(url)/ | grep -i x-turnout-pool      # the proxy names the pool
              curl -s -H 'x-turnout-pool: canary' \(url)/      # routed to canary
              curl -s -b canary=1 \(url)/                      # routed to canary by cookie
              curl -s -b session_id=alice \(url)/              # sticky: alice always lands in one pool
              for i in $(seq 200); do curl -s \(url)/; done | sort | uniq -c

            Change the traffic while it runs, from another shell:
              ctl="\(ctl)"
              $ctl status                          # pools, servers, weights
              $ctl weights web blue=50 canary=50   # a new split, from the next request on
              $ctl switch web green                # blue-green: everything to green
              $ctl rollback web                    # back to the weights before
              $ctl guard web                       # the guarded switch's report: reference, lines, reason
              $ctl history                         # who changed what, when
              $ctl rollout status web              # the rollout's report: step, evidence, reason
              $ctl stats                           # requests, errors, latency per pool and server
              $ctl mirror                          # the shadow's answers next to blue's
              curl -s --unix-socket \(absoluteSocket) http://turnout/metrics

            Ctrl-C stops everything.

            """)
        RunCommand.waitForSignals(services.control) {
            traffic?.stop()
            services.stop()
        }
        return 0
    }
}

/// This executable's absolute path, so the printed `ctl` commands work from any directory.
private func executablePath() -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    return length > 0 ? String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "turnout"
}

private func currentDirectory() -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    guard getcwd(&buffer, buffer.count) != nil else { return "." }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
