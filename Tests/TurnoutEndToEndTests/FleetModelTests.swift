import Foundation
import Testing
@testable import TurnoutControl
import TurnoutCore
import TurnoutMetrics

/// The fleet's pure parts: the key layout, the fleet's evidence summed across instances and
/// restarts, and a history entry read back from its etcd value.
@Suite struct FleetModelTests {
    @Test func everyKeyLivesUnderThePrefixAndHistoryKeysSortInChangeOrder() {
        let keys = FleetKeys(prefix: "/turnout/prod/")
        #expect(keys.state == "/turnout/prod/state")
        #expect(keys.instance("edge-1") == "/turnout/prod/instances/edge-1")
        #expect(keys.leader(of: "web") == "/turnout/prod/leaders/web")
        #expect(keys.evidence(of: "web", from: "edge-2") == "/turnout/prod/evidence/web/edge-2")
        let ordered = [keys.history(basis: 9, index: 0), keys.history(basis: 9, index: 1), keys.history(basis: 10, index: 0),
                       keys.history(basis: 123_456_789, index: 0)]
        #expect(ordered == ordered.sorted(), "\(ordered)")
        #expect(keys.kind(of: keys.state) == .state)
        #expect(keys.kind(of: ordered[0]) == .history)
        #expect(keys.kind(of: keys.instance("edge-1")) == .instance("edge-1"))
        #expect(keys.kind(of: keys.leader(of: "web")) == .leader("web"))
        #expect(keys.kind(of: keys.evidence(of: "web", from: "edge-2")) == .evidence)
        // The watch covers everything but the evidence, by key order alone.
        let watched = { (key: String) in key >= keys.watchedFrom && key.hasPrefix(keys.prefix) }
        #expect(watched(keys.state) && watched(ordered[0]) && watched(keys.instance("a")) && watched(keys.leader(of: "web")))
        #expect(!watched(keys.evidence(of: "web", from: "edge-1")))
        #expect(keys.kind(of: "/turnout/prodx/state") == .other)
        #expect(keys.kind(of: "/turnout/prod/statefile") == .other)
    }

    static func tally(_ requests: UInt64, errors: UInt64 = 0, latencyMs: UInt64 = 10) -> ServerTally {
        var latency = Histogram()
        latency.record(latencyMs * 1_000_000, occurrences: requests)
        return ServerTally(requests: requests, errors: errors, latency: latency)
    }

    static let canary = TrafficKey(pool: "canary", server: "127.0.0.1:9002")

    static let step = EvidenceStep(rollout: 1_800_000_000, canaryWeight: 20)

    @Test func theFleetsSumNeverGoesBackWhenAnInstanceRestartsOrLeaves() {
        var traffic = FleetTraffic()
        traffic.add(instance: "edge-1", boot: "a", step: Self.step, reading: [Self.canary: Self.tally(100, errors: 1)])
        traffic.add(instance: "edge-2", boot: "b", step: Self.step, reading: [Self.canary: Self.tally(50)])
        #expect(traffic.total[Self.canary]?.requests == 150)
        // edge-2 restarts: its counters start again from zero under a new boot id.
        traffic.add(instance: "edge-2", boot: "c", step: Self.step, reading: [Self.canary: Self.tally(5)])
        #expect(traffic.total[Self.canary]?.requests == 155, "the old boot's 50 stay, the new boot's 5 add")
        // An old reading arriving late is ignored.
        traffic.add(instance: "edge-1", boot: "a", step: Self.step, reading: [Self.canary: Self.tally(90)])
        #expect(traffic.total[Self.canary]?.requests == 155)
        traffic.add(instance: "edge-1", boot: "a", step: Self.step, reading: [Self.canary: Self.tally(130, errors: 3)])
        #expect(traffic.total[Self.canary]?.requests == 185)
        #expect(traffic.total[Self.canary]?.errors == 3)
        #expect(traffic.total[Self.canary]?.latency.count == 185)
        #expect(traffic.instances == ["edge-1", "edge-2"])
        // edge-1 enters the next step: its evidence counts from zero again, and adds.
        let next = EvidenceStep(rollout: Self.step.rollout, canaryWeight: 50)
        traffic.add(instance: "edge-1", boot: "a", step: next, reading: [Self.canary: Self.tally(4)])
        #expect(traffic.total[Self.canary]?.requests == 189)
    }

    @Test func evidenceRoundTripsThroughItsDocument() throws {
        let reading = [Self.canary: Self.tally(7, errors: 2), TrafficKey(pool: "blue", server: "127.0.0.1:9001"): Self.tally(70)]
        let document = EvidenceDocument(instance: "edge-1", boot: "a", step: Self.step, time: 1_800_000_000, reading: reading)
        let decoded = try JSONDecoder().decode(EvidenceDocument.self, from: JSONEncoder().encode(document))
        #expect(decoded.reading == reading)
        #expect(decoded.pools["canary"]?["127.0.0.1:9002"]?.errors == 2)
        #expect(decoded.step == Self.step)
    }

    @Test func aSubtractedTallyIsTheTrafficBetweenTwoReadings() {
        let later = Self.tally(30, errors: 4)
        let earlier = Self.tally(10, errors: 1)
        let delta = later.subtracting(earlier)
        #expect(delta.requests == 20 && delta.errors == 3 && delta.latency.count == 20)
    }

    @Test(arguments: [
        ChangeRecord(time: 1_800_000_000.123, split: "web", action: .weights, old: ["blue": 100, "canary": 0], new: ["blue": 90, "canary": 10],
                     origin: ChangeOrigin(source: .admin, caller: .process(uid: 0, pid: 42)), instance: "edge-2"),
        ChangeRecord(time: 1_800_000_001.5, split: nil, action: .drain, server: "blue/127.0.0.1:9001",
                     origin: ChangeOrigin(source: .admin, caller: .address("10.0.0.9:51234"), reason: "kernel upgrade"), instance: "edge-1"),
        ChangeRecord(time: 1_800_000_002, split: "web", action: .rollout(.rolledBack), old: ["blue": 80, "canary": 20], new: ["blue": 100, "canary": 0],
                     origin: ChangeOrigin(source: .rollout, reason: "canary's error rate 2.1 % is above blue's"), instance: "edge-3"),
    ])
    func aHistoryEntryReadBackFromEtcdIsTheEntryThatWasWritten(_ record: ChangeRecord) throws {
        let read = try #require(ChangeRecord(historyJSON: ControlPlane.historyEntryJSON(record)))
        #expect(read == record)
    }

    @Test func aValueThatIsNoHistoryEntryIsSkipped() {
        #expect(ChangeRecord(historyJSON: Array(#"{"time": "yesterday"}"#.utf8)) == nil)
        #expect(ChangeRecord(historyJSON: Array("not json".utf8)) == nil)
    }
}
