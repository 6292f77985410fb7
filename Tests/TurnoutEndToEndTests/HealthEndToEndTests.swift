import Foundation
import Synchronization
import Testing
import TurnoutConfig
import TurnoutControl
import TurnoutCore
import TurnoutFixture
import TurnoutPosix

/// Health checks, outlier ejection and drains against real fixtures: a server whose /healthz
/// fails leaves the rotation and comes back, a pool with no server up answers 503 at once, a
/// server answering 5xx is ejected for a while (never the last one), and a drain under load
/// loses nothing.
@Suite struct HealthEndToEndTests {
    /// Pool blue with two servers, pool canary with one; fast checks (100 ms, rise 2, fall 2)
    /// and ejection after 3 failures for 400 ms.
    final class Setup {
        let blue1: FixtureUpstream, blue2: FixtureUpstream, canary: FixtureUpstream
        let server: ProxyServer
        let control: ControlPlane
        let watcher: ServerMonitor
        let notices = ControlPlaneTests.NoticeLog()

        init(workers: Int = 1) throws {
            blue1 = try FixtureUpstream(name: "blue-1")
            blue2 = try FixtureUpstream(name: "blue-2")
            canary = try FixtureUpstream(name: "canary")
            for fixture in [blue1, blue2, canary] { fixture.start() }
            let config = try ConfigLoader.decode(Array("""
                { "listen": ["127.0.0.1:0"], "workers": \(workers), "state_file": null, "admin": { "socket": null },
                  "pools": { "blue": { "servers": ["\(blue1.address)", "\(blue2.address)"] },
                             "canary": { "servers": ["\(canary.address)"] } },
                  "splits": { "web": { "blue": 100, "canary": 0 } },
                  "routes": [ { "match": { "header": { "x-pool": "canary" } }, "pool": "canary" }, { "split": "web" } ],
                  "health": { "path": "/healthz", "interval_ms": 100, "timeout_ms": 200, "rise": 2, "fall": 2 },
                  "outlier": { "consecutive_failures": 3, "eject_ms": 400 },
                  "retries": { "attempts": 0, "on": [] } }
                """.utf8), source: "health test")
            server = try ProxyServer(config: config)
            server.start()
            let notices = self.notices
            control = ControlPlane(server: server, config: config, runtime: RuntimeState(), store: nil, configPath: nil, version: "test",
                                   notice: { notices.append($0) })
            watcher = try ServerMonitor(control: control)
            watcher.start()
        }

        var port: UInt16 { server.listenAddresses[0].port }

        /// Polls until `server` of `pool` is in `state`; bounded to `seconds`.
        func wait(_ pool: String, _ server: FixtureUpstream, is state: String, seconds: Double = 5) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if control.serverState(pool: pool, server: server.address) == state { return true }
                usleep(10_000)
            }
            return false
        }

        func answers(_ count: Int, headers: [String] = []) throws -> [String: Int] {
            let client = try TestClient(port: port)
            var seen: [String: Int] = [:]
            for _ in 0..<count {
                let response = try client.request("GET", "/", headers: headers)
                seen[response.status == 200 ? response.text : "status \(response.status)", default: 0] += 1
            }
            return seen
        }

        func history() -> [HistoryEntry] { control.historyDocument().entries }

        func stop() {
            watcher.stop()
            server.stop(graceful: false)
            for fixture in [blue1, blue2, canary] { fixture.stop() }
        }
    }

    @Test func aFailingHealthCheckTakesTheServerOutAndPassingOnesBringItBack() throws {
        let setup = try Setup()
        defer { setup.stop() }
        #expect(try setup.answers(10) == ["blue-1\n": 5, "blue-2\n": 5])
        setup.blue2.setHealthy(false)
        #expect(setup.wait("blue", setup.blue2, is: "down"))
        #expect(try setup.answers(10) == ["blue-1\n": 10], "a server that is down gets no traffic")
        let down = setup.history().first
        #expect(down?.action.name == "down")
        #expect(down?.source.rawValue == "health")
        #expect(down?.reason?.contains("2 checks failed in a row") == true)
        let status = try setup.control.statusDocument()
        let servers = status.pools["blue"]?.servers
        #expect(servers?.first { $0.address == setup.blue2.address }?.state.rawValue == "down")
        #expect(try setup.control.metricsText().contains("turnout_upstream_up{pool=\"blue\",server=\"\(setup.blue2.address)\"} 0"))

        setup.blue2.setHealthy(true)
        #expect(setup.wait("blue", setup.blue2, is: "up"))
        #expect(try setup.answers(10) == ["blue-1\n": 5, "blue-2\n": 5])
        #expect(setup.history().first?.action.name == "up")
    }

    @Test func aPoolWithNoServerUpAnswers503AtOnceAndRecovers() throws {
        let setup = try Setup()
        defer { setup.stop() }
        let canary = ["x-pool: canary"]
        #expect(try setup.answers(3, headers: canary) == ["canary\n": 3])
        setup.canary.setHealthy(false)
        #expect(setup.wait("canary", setup.canary, is: "down"))
        let client = try TestClient(port: setup.port)
        let started = Date()
        #expect(try client.request("GET", "/", headers: canary).status == 503)
        #expect(Date().timeIntervalSince(started) < 0.5, "no waiting on a server known to be down")
        #expect(throws: ControlError.self, "switch refuses a pool with no server up") {
            try setup.control.switchSplit("web", to: "canary", force: false, origin: ControlPlaneTests.admin)
        }
        #expect(try setup.control.switchSplit("web", to: "canary", force: true, origin: ControlPlaneTests.admin) == ["blue": 0, "canary": 100])
        setup.canary.setHealthy(true)
        #expect(setup.wait("canary", setup.canary, is: "up"))
        #expect(try client.request("GET", "/", headers: canary).status == 200)
    }

    /// The canary's process dies (its port refuses connections), then a new one comes up on the
    /// same port.
    @Test func aPoolWhoseServersDieAnswers503QuicklyAndRecoversWhenOneReturns() throws {
        let setup = try Setup()
        defer { setup.stop() }
        let canary = ["x-pool: canary"]
        let port = setup.canary.port
        setup.canary.stop()
        #expect(setup.wait("canary", setup.canary, is: "down"))
        let client = try TestClient(port: setup.port)
        let started = Date()
        #expect(try client.request("GET", "/", headers: canary).status == 503)
        #expect(Date().timeIntervalSince(started) < 0.5)
        let revived = try FixtureUpstream(name: "canary-again", port: port)
        revived.start()
        defer { revived.stop() }
        #expect(setup.wait("canary", setup.canary, is: "up"))
        #expect(try client.request("GET", "/", headers: canary).text == "canary-again\n")
    }

    @Test func aServerAnswering5xxIsEjectedForAWhileThenLongerOnRepeat() throws {
        let setup = try Setup()
        defer { setup.stop() }
        setup.blue2.setBehavior(FixtureBehavior(errorRate: 1))
        // Round robin alternates: blue-2's third 5xx in a row comes by the sixth request.
        let client = try TestClient(port: setup.port)
        for _ in 0..<6 { _ = try client.request("GET", "/") }
        #expect(setup.wait("blue", setup.blue2, is: "ejected", seconds: 2))
        #expect(try setup.answers(10) == ["blue-1\n": 10], "an ejected server gets no traffic")
        let eject = setup.history().first
        #expect(eject?.action.name == "eject")
        #expect(eject?.source.rawValue == "outlier")
        #expect(eject?.reason?.contains("out for 400 ms (ejection 1)") == true, "\(String(describing: eject))")

        #expect(setup.wait("blue", setup.blue2, is: "up", seconds: 3), "back after eject_ms")
        #expect(setup.history().first?.action.name == "return")
        for _ in 0..<6 { _ = try client.request("GET", "/") }
        #expect(setup.wait("blue", setup.blue2, is: "ejected", seconds: 2))
        #expect(setup.history().first?.reason?.contains("out for 800 ms (ejection 2)") == true)
    }

    @Test func theLastServerUpIsNeverEjected() throws {
        let setup = try Setup()
        defer { setup.stop() }
        setup.canary.setBehavior(FixtureBehavior(errorRate: 1))
        #expect(try setup.answers(12, headers: ["x-pool: canary"]) == ["status 500": 12])
        usleep(200_000)
        #expect(setup.control.serverState(pool: "canary", server: setup.canary.address) == "up")
        // Four reports (12 failures, 3 in a row each) within eject_ms give one notice, not four.
        #expect(setup.notices.withLock { $0.filter { $0.contains("is the last server up; not ejected") }.count } == 1)
    }

    @Test func drainUnderLoadLosesNothing() throws {
        let setup = try Setup(workers: 2)
        defer { setup.stop() }
        let drained = Atomic<Bool>(false)
        let stop = Atomic<Bool>(false)
        let failures = Mutex<[String]>([])
        let afterDrainOnBlue2 = Atomic<Int>(0)
        let served = Atomic<Int>(0)
        let finished = Latch()
        for index in 0..<4 {
            LoopThread.start(name: "drain-client") {
                defer { finished.signal() }
                do {
                    let client = try TestClient(port: setup.port)
                    var sent = 0
                    while !stop.load(ordering: .acquiring) && sent < 100_000 {
                        let sentAfterDrain = drained.load(ordering: .acquiring)
                        // Some requests take a while, so some are in flight on blue-2 as it drains.
                        let response = try client.request("GET", sent % 10 == 0 ? "/delay/30" : "/")
                        sent += 1
                        guard response.status == 200 else { throw TestClient.Failure(description: "status \(response.status)") }
                        if sentAfterDrain && response.text == "blue-2\n" { afterDrainOnBlue2.add(1, ordering: .relaxed) }
                        served.add(1, ordering: .relaxed)
                    }
                } catch {
                    failures.withLock { $0.append("client \(index): \(error)") }
                }
            }
        }
        usleep(300_000)
        #expect(try setup.control.setDrained(pool: "blue", server: setup.blue2.address, drained: true, origin: ControlPlaneTests.admin))
        drained.store(true, ordering: .releasing)
        usleep(300_000)
        stop.store(true, ordering: .releasing)
        for _ in 0..<4 { #expect(finished.wait(seconds: 20)) }
        #expect(failures.withLock { $0 } == [])
        #expect(served.load(ordering: .relaxed) > 100)
        #expect(afterDrainOnBlue2.load(ordering: .relaxed) == 0, "no request sent after the drain returned reached blue-2")
        #expect(try #require(setup.server.counters()).acceptedConnections == 4, "no client connection was lost")
    }
}
