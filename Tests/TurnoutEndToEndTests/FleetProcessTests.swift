import Foundation
import Glibc
import Synchronization
import Testing
import TurnoutFixture
import TurnoutPosix
import TurnoutTestSupport

/// A fleet of real `turnout run` processes sharing their state in a real etcd (SPEC §16): a
/// change on one instance is routed by all, races end in one order, one instance judges a
/// rollout from the whole fleet's traffic and another takes over when it dies, and etcd going
/// away never costs a client a request. Skipped when etcd is not installed, unless
/// TURNOUT_REQUIRE_ETCD=1 (as `.ci/run` sets) makes that a failure.
@Suite(.serialized, .enabled(if: EtcdCluster.testsRun, "\(EtcdCluster.notFound)"))
struct FleetProcessTests {
    static let rollout = #""analysis": {"interval_ms": 200, "min_requests": 50}"#

    @Test func aChangeOnOneInstanceIsRoutedByEveryInstanceWithin200Milliseconds() throws {
        let fleet = try FleetHarness("routing")
        defer { fleet.stop() }
        let (one, others) = (fleet.instances[0], Array(fleet.instances.dropFirst()))
        var delays: [Double] = []
        for round in 0..<10 {
            let target = round % 2 == 0 ? "canary" : "blue"
            let body = target == "canary" ? #"{"blue": 0, "canary": 100}"# : #"{"blue": 100, "canary": 0}"#
            #expect(try one.call("PUT", "/splits/web", body).status == 200)
            let start = Date()
            for other in others {
                let routed = try FleetHarness.waitUntil(seconds: 5) { try other.pool() == target }
                #expect(routed, "\(other.name) still routes away from \(target) 5 s after the change on \(one.name)")
            }
            delays.append(Date().timeIntervalSince(start))
        }
        let median = delays.sorted()[delays.count / 2]
        #expect(median < 0.2, "median \(median * 1000) ms from the call's answer to both other instances routing by it; all: \(delays)")
        // Every instance records every change, naming the instance that took it.
        for instance in fleet.instances {
            let changes = try instance.history().filter { $0["action"] as? String == "weights" }
            #expect(changes.count == 10, "\(instance.name): \(changes.count) weight changes in its history")
            #expect(changes.allSatisfy { $0["instance"] as? String == one.name }, "\(changes)")
        }
    }

    @Test func aStickyUserLandsInTheSamePoolOnEveryInstance() throws {
        let fleet = try FleetHarness("sticky")
        defer { fleet.stop() }
        #expect(try fleet.instances[1].call("PUT", "/splits/web", #"{"blue": 50, "canary": 50}"#).status == 200)
        #expect(try FleetHarness.waitUntil(seconds: 5) { try fleet.instances.allSatisfy { try $0.weights() == ["blue": 50, "canary": 50] } })
        var pools: Set<String> = []
        for user in 0..<20 {
            let cookie = ["Cookie: session_id=user-\(user)"]
            let seen = try fleet.instances.map { try $0.pool(headers: cookie) }
            #expect(Set(seen).count == 1, "user-\(user) lands in \(seen) on \(fleet.instances.map(\.name))")
            pools.insert(seen[0])
        }
        #expect(pools == ["blue", "canary"], "20 users at 50/50 all landed in \(pools)")
    }

    @Test func twoChangesSentAtOnceToTwoInstancesEndInOneOrder() throws {
        let fleet = try FleetHarness("race")
        defer { fleet.stop() }
        for round in 0..<5 {
            let bodies = [#"{"blue": \#(10 + round), "canary": 90}"#, #"{"blue": 90, "canary": \#(10 + round)}"#]
            let statuses = Mutex<[Int]>([])
            let done = Latch()
            for (index, body) in bodies.enumerated() {
                let instance = fleet.instances[index]
                LoopThread.start(name: "race-\(index)") {
                    let status = (try? instance.call("PUT", "/splits/web", body).status) ?? -1
                    statuses.withLock { $0.append(status) }
                    done.signal()
                }
            }
            #expect(done.wait(seconds: 20) && done.wait(seconds: 20))
            let answered = statuses.withLock { $0 }
            #expect(answered.allSatisfy { $0 == 200 || $0 == 409 } && answered.contains(200), "\(answered)")
            // Every instance ends with the same weights, and its history chains the changes:
            // each one's old weights are the previous one's new.
            let converged = try FleetHarness.waitUntil(seconds: 5) {
                let all = try fleet.instances.map { try $0.weights() }
                return Set(all.map { $0.map { $0.sorted { $0.key < $1.key }.description } ?? "" }).count == 1
            }
            let finalWeights = try fleet.instances.map { try $0.weights() }
            #expect(converged, "\(answered): \(finalWeights)")
            // The entries follow the state through each instance's watch a moment later.
            var histories: [[[String: Any]]] = []
            try FleetHarness.waitUntil(seconds: 5) {
                histories = try fleet.instances.map { try $0.history().filter { $0["action"] as? String == "weights" } }
                return Set(histories.map(\.count)).count == 1
            }
            for (instance, history) in zip(fleet.instances, histories) {
                #expect(history.count == histories[0].count, "\(instance.name): \(history.count) entries, \(fleet.instances[0].name): \(histories[0].count)")
                for (earlier, later) in zip(history, history.dropFirst()) {
                    #expect(later["old"] as? [String: Int] == earlier["new"] as? [String: Int], "\(history)")
                }
            }
            #expect(histories[0].count >= round + 1 + answered.filter { $0 == 200 }.count - 1)
        }
    }

    /// The instance `/status` names as the rollout's leader, waited for (bounded).
    static func leader(of fleet: FleetHarness, excluding gone: String? = nil, seconds: Double = 10) throws -> FleetHarness.Instance? {
        var found: FleetHarness.Instance?
        try FleetHarness.waitUntil(seconds: seconds) {
            for instance in fleet.instances where instance.process != nil {
                let status = try instance.call("GET", "/status").json
                let leaders = (status["fleet"] as? [String: Any])?["leaders"] as? [String: String]
                if let name = leaders?["web"], name != gone, let leader = fleet.instances.first(where: { $0.name == name }) {
                    found = leader
                    return true
                }
            }
            return false
        }
        return found
    }

    @Test func theLeaderJudgesTrafficItNeverSawAndAFailingCanarySeenElsewhereIsRolledBack() throws {
        // Tolerances a service that never fails would set: 2 % errors, p90 +50 %.
        let analysis = #""analysis": {"interval_ms": 200, "min_requests": 100, "latency_quantile": 0.9, "max_latency_increase": 0.5, "max_error_rate_increase": 0.02}"#
        let fleet = try FleetHarness("judge", extra: analysis)
        defer { fleet.stop() }
        // Before the rollout, the canary failed half its answers to traffic sent elsewhere: none of
        // that is the rollout's evidence.
        fleet.canary.setBehavior(FixtureBehavior(errorRate: 0.5))
        #expect(try fleet.instances[1].call("PUT", "/splits/web", #"{"blue": 0, "canary": 100}"#).status == 200)
        let before = fleet.instances.map { SteadyLoad(port: $0.port, rate: 100, seconds: 10) }
        usleep(2_000_000)
        before.forEach { $0.stop() }
        #expect(before.reduce(0) { $0 + ($1.statuses[500] ?? 0) } > 50, "the canary failed before the rollout")
        #expect(try fleet.instances[1].call("PUT", "/splits/web", #"{"blue": 100, "canary": 0}"#).status == 200)
        fleet.canary.setBehavior(FixtureBehavior())
        // Proven: each step advances only on evidence, so the promotion needs the traffic the
        // leader never carried.
        let plan = #"{"baseline": "blue", "canary": "canary", "advance": "proven", "steps": [{"weight": 50, "hold_s": 1}]}"#
        #expect(try fleet.instances[0].call("POST", "/splits/web/rollout", plan).status == 200)
        let leader = try #require(try Self.leader(of: fleet))
        let others = fleet.instances.filter { $0 !== leader }
        let loads = others.map { SteadyLoad(port: $0.port, rate: 150, seconds: 60) }
        var judged = 0
        let promoted = try FleetHarness.waitUntil(seconds: 40) {
            let report = try leader.call("GET", "/splits/web/rollout").json
            judged = max(judged, (report["analysis"] as? [String: Any])?["canary_requests"] as? Int ?? 0)
            return report["state"] as? String == "promoted"
        }
        loads.forEach { $0.stop() }
        let first = try leader.call("GET", "/splits/web/rollout").json
        #expect(promoted, "\(first)")
        #expect(judged >= 100, "the leader judged \(judged) canary requests in a step")
        #expect(loads.allSatisfy { $0.failures.isEmpty })
        let carried = fleet.blue.requestsServed + fleet.canary.requestsServed
        #expect(carried >= loads.reduce(0) { $0 + ($1.statuses[200] ?? 0) }, "the fixtures served the others' load")
        #expect(try FleetHarness.waitUntil(seconds: 5) { try fleet.instances.allSatisfy { try $0.weights() == ["blue": 0, "canary": 100] } })

        // A canary failing only where the leader does not look.
        #expect(try fleet.instances[1].call("PUT", "/splits/web", #"{"blue": 100, "canary": 0}"#).status == 200)
        fleet.canary.setBehavior(FixtureBehavior(errorRate: 0.5))
        #expect(try fleet.instances[2].call("POST", "/splits/web/rollout", plan).status == 200)
        let judge = try #require(try Self.leader(of: fleet))
        let elsewhere = fleet.instances.filter { $0 !== judge }.map { SteadyLoad(port: $0.port, rate: 150, seconds: 60) }
        let rolledBack = try FleetHarness.waitUntil(seconds: 40) {
            (try judge.call("GET", "/splits/web/rollout").json["state"] as? String) == "rolled_back"
        }
        elsewhere.forEach { $0.stop() }
        let second = try judge.call("GET", "/splits/web/rollout").json
        #expect(rolledBack, "\(second)")
        #expect(try FleetHarness.waitUntil(seconds: 5) { try fleet.instances.allSatisfy { try $0.weights() == ["blue": 100, "canary": 0] } })
    }

    @Test func whenTheLeaderIsKilledAnotherFinishesTheRolloutWithItsEvidence() throws {
        let fleet = try FleetHarness("failover", extra: Self.rollout)
        defer { fleet.stop() }
        let plan = #"{"baseline": "blue", "canary": "canary", "steps": [{"weight": 20, "hold_s": 4}, {"weight": 50, "hold_s": 2}]}"#
        #expect(try fleet.instances[0].call("POST", "/splits/web/rollout", plan).status == 200)
        let leader = try #require(try Self.leader(of: fleet))
        let loads = fleet.instances.map { SteadyLoad(port: $0.port, rate: 100, seconds: 60) }
        defer { loads.forEach { $0.stop() } }
        let survivor = try #require(fleet.instances.first { $0 !== leader })
        var looksBefore = 0
        try FleetHarness.waitUntil(seconds: 10) {
            looksBefore = (try survivor.call("GET", "/splits/web/rollout").json["looks"] as? Int) ?? 0
            return looksBefore >= 5
        }
        #expect(looksBefore >= 5, "the leader's looks reach the other instances through etcd")
        let killedAt = Date()
        fleet.kill9(leader)
        let next = try #require(try Self.leader(of: fleet, excluding: leader.name, seconds: 15), "nobody took over")
        let failover = Date().timeIntervalSince(killedAt)
        #expect(failover < 8, "took over after \(failover) s with a 2 s lease")
        let report = try next.call("GET", "/splits/web/rollout").json
        #expect((report["looks"] as? Int ?? 0) >= looksBefore, "the evidence was kept: \(report["looks"] ?? "-") looks, \(looksBefore) before")
        let promoted = try FleetHarness.waitUntil(seconds: 40) {
            (try next.call("GET", "/splits/web/rollout").json["state"] as? String) == "promoted"
        }
        let finished = try next.call("GET", "/splits/web/rollout").json
        #expect(promoted, "\(finished)")
        for (instance, load) in zip(fleet.instances, loads) where instance !== leader {
            load.stop()
            #expect(load.failures.isEmpty, "\(instance.name): \(load.failures.prefix(3))")
        }
    }

    @Test func etcdGoneEveryInstanceKeepsServingRefusesChangesAndConvergesWhenItReturns() throws {
        let fleet = try FleetHarness("outage", extra: Self.rollout)
        defer { fleet.stop() }
        #expect(try fleet.instances[0].call("PUT", "/splits/web", #"{"blue": 70, "canary": 30}"#).status == 200)
        #expect(try FleetHarness.waitUntil(seconds: 5) { try fleet.instances.allSatisfy { try $0.weights() == ["blue": 70, "canary": 30] } })
        // A rollout paused at its first step, so that its weights stay put while etcd is away.
        let plan = #"{"baseline": "blue", "canary": "canary", "steps": [{"pause": true}, {"weight": 50, "hold_s": 600}]}"#
        #expect(try fleet.instances[1].call("POST", "/splits/web/rollout", plan).status == 200)
        let loads = fleet.instances.map { SteadyLoad(port: $0.port, rate: 100, seconds: 60) }
        defer { loads.forEach { $0.stop() } }
        usleep(500_000)
        fleet.etcd.stop(member: 0)
        usleep(1_500_000)
        let drain = "/pools/blue/servers/\(fleet.blue.address)/drain"
        for instance in fleet.instances {
            let refused = try instance.call("POST", drain)
            #expect(refused.status == 503, "\(instance.name): \(refused.json)")
            #expect((refused.json["error"] as? String)?.contains("etcd") == true, "\(refused.json)")
            #expect(try instance.weights() == ["blue": 70, "canary": 30], "nothing changed")
            let reason = try instance.call("GET", "/splits/web/rollout").json["reason"] as? String ?? ""
            #expect(reason.contains("etcd is unreachable"), "\(instance.name)'s rollout does not say why it waits: \(reason)")
            let fleetStatus = try instance.call("GET", "/status").json["fleet"] as? [String: Any]
            #expect((fleetStatus?["etcd"] as? [String: Any])?["reachable"] as? Bool == false)
        }
        usleep(1_000_000)
        try fleet.etcd.start(member: 0)
        // Back: a change on one instance is adopted by all, and every status agrees.
        #expect(try FleetHarness.waitUntil(seconds: 15) {
            try fleet.instances[2].call("POST", "/splits/web/rollout/abort").status == 200
        })
        #expect(try fleet.instances[1].call("PUT", "/splits/web", #"{"blue": 20, "canary": 80}"#).status == 200)
        #expect(try FleetHarness.waitUntil(seconds: 10) { try fleet.instances.allSatisfy { try $0.weights() == ["blue": 20, "canary": 80] } })
        let revisions = try fleet.instances.map { ((try $0.call("GET", "/status").json["fleet"] as? [String: Any])?["revision"] as? Int) ?? -1 }
        #expect(Set(revisions).count == 1 && revisions[0] > 0, "\(revisions)")
        for (instance, load) in zip(fleet.instances, loads) {
            load.stop()
            #expect(load.failures.isEmpty, "\(instance.name) failed clients while etcd was away: \(load.failures.prefix(3))")
            #expect((load.statuses[200] ?? 0) > 100)
        }
    }

    @Test func aThreeMemberEtcdLosingOneMemberStillTakesChanges() throws {
        let fleet = try FleetHarness("quorum", members: 3)
        defer { fleet.stop() }
        let loads = fleet.instances.map { SteadyLoad(port: $0.port, rate: 100, seconds: 60) }
        defer { loads.forEach { $0.stop() } }
        fleet.etcd.kill(member: 0)
        for (round, instance) in fleet.instances.enumerated() {
            let body = #"{"blue": \#(50 + round), "canary": 50}"#
            #expect(try FleetHarness.waitUntil(seconds: 10) { try instance.call("PUT", "/splits/web", body).status == 200 }, "\(instance.name)")
            #expect(try FleetHarness.waitUntil(seconds: 5) {
                try fleet.instances.allSatisfy { try $0.weights() == ["blue": 50 + round, "canary": 50] }
            })
        }
        for load in loads {
            load.stop()
            #expect(load.failures.isEmpty, "\(load.failures.prefix(3))")
        }
    }
}
