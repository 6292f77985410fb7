import Foundation
import Synchronization
import Testing
import TurnoutConfig
import TurnoutControl
import TurnoutCore
import TurnoutPosix

/// The control plane's rules against its runtime store: what is saved and when, and that
/// readers and health verdicts never wait behind a store write.
@Suite struct ControlPlaneStoreTests {
    /// A store whose writes take `delay` seconds, counting them.
    final class SlowStore: RuntimeStore {
        let delay: Double
        let inner = MemoryStore()
        let writing = Atomic<Bool>(false)
        init(delay: Double) { self.delay = delay }
        func load() -> StoredState? { inner.load() }
        func commit(_ state: RuntimeState, records: [ChangeRecord], over revision: Int64) throws(RuntimeStoreError) -> Int64 {
            writing.store(true, ordering: .releasing)
            defer { writing.store(false, ordering: .releasing) }
            usleep(UInt32(delay * 1e6))
            return try inner.commit(state, records: records, over: revision)
        }
        var location: String { "slow memory" }
    }

    static func plane(store: RuntimeStore) throws -> (ProxyServer, ControlPlane) {
        let config = try ConfigLoader.decode(Array("""
            { "listen": ["127.0.0.1:0"], "workers": 1, "state_file": null,
              "pools": { "blue": { "servers": ["127.0.0.1:1"] }, "canary": { "servers": ["127.0.0.1:2"] } },
              "splits": { "web": { "blue": 100, "canary": 0 } }, "routes": [ { "split": "web" } ] }
            """.utf8), source: "store test")
        let server = try ProxyServer(config: config)
        server.start()
        let control = ControlPlane(server: server, config: config, runtime: RuntimeState(), store: store, configPath: nil,
                                   version: "test", notice: { _ in })
        return (server, control)
    }

    @Test func changesAreSavedOnceAndRefusalsAndObservationsNotAtAll() throws {
        let store = MemoryStore()
        let (server, control) = try Self.plane(store: store)
        defer { server.stop(graceful: false) }
        let admin = ChangeOrigin(source: .admin)
        try control.setWeights(split: "web", to: ["blue": 50, "canary": 50], origin: admin)
        #expect(store.saves == 1)
        #expect(store.state?.weights["web"] == ["blue": 50, "canary": 50])
        #expect(throws: ControlError.self) { try control.setWeights(split: "web", to: ["green": 1], origin: admin) }
        #expect(throws: ControlError.self) { try control.setDrained(pool: "blue", server: "127.0.0.1:9", drained: true, origin: admin) }
        #expect(store.saves == 1, "a refused change writes nothing")
        control.healthChanged(pool: "blue", server: "127.0.0.1:1", up: false, reason: "test")
        #expect(store.saves == 1, "observed health is not saved")
        #expect(control.serverState(pool: "blue", server: "127.0.0.1:1") == "down")
        #expect(try control.setDrained(pool: "canary", server: "127.0.0.1:2", drained: true, origin: admin))
        #expect(!(try control.setDrained(pool: "canary", server: "127.0.0.1:2", drained: true, origin: admin)), "already drained")
        #expect(store.saves == 2)
    }

    @Test func readersAndHealthVerdictsDoNotWaitBehindAStoreWrite() throws {
        let store = SlowStore(delay: 2)
        let (server, control) = try Self.plane(store: store)
        defer { server.stop(graceful: false) }
        let done = Latch()
        LoopThread.start(name: "slow-change") {
            _ = try? control.setWeights(split: "web", to: ["blue": 10, "canary": 90], origin: ChangeOrigin(source: .admin))
            done.signal()
        }
        let deadline = Date().addingTimeInterval(1)
        while !store.writing.load(ordering: .acquiring) && Date() < deadline { usleep(1_000) }
        let writing = store.writing.load(ordering: .acquiring)
        #expect(writing, "the change is writing")
        let start = Date()
        _ = try control.statusDocument()
        _ = control.historyDocument()
        control.healthChanged(pool: "canary", server: "127.0.0.1:2", up: false, reason: "test")
        let waited = Date().timeIntervalSince(start)
        #expect(waited < 1, "readers and a verdict took \(waited) s during a 2 s write")
        #expect(control.serverState(pool: "canary", server: "127.0.0.1:2") == "down")
        #expect(control.weights(of: "web")?.weights == ["blue": 100, "canary": 0], "not in force before it is saved")
        #expect(done.wait(seconds: 10))
        #expect(control.weights(of: "web")?.weights == ["blue": 10, "canary": 90])
        // The health verdict given during the write is still in force after the change.
        #expect(control.serverState(pool: "canary", server: "127.0.0.1:2") == "down")
    }
}

/// A shared store (a fleet's etcd) refuses a change validated against a state another writer
/// has since replaced: the newer state is put in force and the change validated again on it.
@Suite struct ControlPlaneConflictTests {
    /// A store that another writer always beats.
    final class LosingStore: RuntimeStore {
        let inner = MemoryStore()
        let attempts = Atomic<Int>(0)
        func load() -> StoredState? { inner.load() }
        func commit(_ state: RuntimeState, records: [ChangeRecord], over revision: Int64) throws(RuntimeStoreError) -> Int64 {
            attempts.add(1, ordering: .relaxed)
            var theirs = inner.state ?? RuntimeState()
            theirs.drained["blue"] = ["127.0.0.1:1"]
            inner.writeBehindTheBack(theirs)
            return try inner.commit(state, records: records, over: revision)
        }
        var location: String { "losing memory" }
    }

    @Test func aChangeLosingARaceIsValidatedAgainOnTheWinnersState() throws {
        let store = MemoryStore()
        let (server, control) = try ControlPlaneStoreTests.plane(store: store)
        defer { server.stop(graceful: false) }
        var theirs = RuntimeState()
        theirs.weights["web"] = ["blue": 30, "canary": 70]
        store.writeBehindTheBack(theirs)
        try control.setWeights(split: "web", to: ["blue": 50, "canary": 50], origin: ChangeOrigin(source: .admin))
        #expect(store.state?.weights["web"] == ["blue": 50, "canary": 50])
        #expect(store.state?.previous["web"] == [["blue": 30, "canary": 70]], "the winner's weights are what a rollback returns to")
        #expect(control.revision == 2)
        let entry = try #require(control.history.last)
        #expect(entry.old == ["blue": 30, "canary": 70] && entry.new == ["blue": 50, "canary": 50])
    }

    @Test func aChangeTheWinnersStateNoLongerAllowsIsRefusedAndWritesNothing() throws {
        let store = MemoryStore()
        let (server, control) = try ControlPlaneStoreTests.plane(store: store)
        defer { server.stop(graceful: false) }
        try control.setWeights(split: "web", to: ["blue": 50, "canary": 50], origin: ChangeOrigin(source: .admin))
        // Another instance rolled the split back first: nothing is left to roll back to.
        var theirs = RuntimeState()
        theirs.weights["web"] = ["blue": 100, "canary": 0]
        store.writeBehindTheBack(theirs)
        let refusal = #expect(throws: ControlError.self) { try control.rollback(split: "web", origin: ChangeOrigin(source: .admin)) }
        #expect(refusal?.status == 409)
        #expect(refusal?.message.contains("no earlier weights") == true, "\(refusal?.message ?? "")")
        #expect(store.saves == 1)
        #expect(control.weights(of: "web")?.weights == ["blue": 100, "canary": 0], "the winner's state is in force")
    }

    @Test func aRefusalIsCheckedAgainstTheSharedStoresLatestStateFirst() throws {
        for shared in [false, true] {
            let store = MemoryStore(shared: shared)
            let (server, control) = try ControlPlaneStoreTests.plane(store: store)
            defer { server.stop(graceful: false) }
            // Another instance set weights this one has not seen yet: there is something to roll back to.
            var theirs = RuntimeState()
            theirs.weights["web"] = ["blue": 40, "canary": 60]
            theirs.previous["web"] = [["blue": 100, "canary": 0]]
            store.writeBehindTheBack(theirs)
            let answer = Result { () throws(ControlError) in try control.rollback(split: "web", origin: ChangeOrigin(source: .admin)) }
            if shared {
                #expect(try answer.get() == ["blue": 100, "canary": 0], "validated again on the store's state")
                #expect(store.state?.previous["web"] == [])
            } else {
                #expect((try? answer.get()) == nil, "a store of one writer: the state in memory is the latest")
                #expect(store.saves == 0)
            }
        }
    }

    @Test func aReloadInAFleetKeepsWhatOnlyOtherInstancesFilesHave() throws {
        let path = NSTemporaryDirectory() + "turnout-test-\(getpid())-fleet-reload.json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try """
            { "listen": ["127.0.0.1:0"], "workers": 1, "state_file": null,
              "pools": { "blue": { "servers": ["127.0.0.1:1"] }, "canary": { "servers": ["127.0.0.1:2"] } },
              "splits": { "web": { "blue": 100, "canary": 0 } }, "routes": [ { "split": "web" } ] }
            """.write(toFile: path, atomically: true, encoding: .utf8)
        for shared in [true, false] {
            let config = try ConfigLoader.load(path: path)
            var theirs = RuntimeState()
            theirs.weights["api"] = ["v1": 10, "v2": 90]
            theirs.drained["v1"] = ["127.0.0.1:7"]
            let store = MemoryStore(theirs, shared: shared)
            let server = try ProxyServer(config: config)
            server.start()
            defer { server.stop(graceful: false) }
            let control = ControlPlane(server: server, config: config, runtime: theirs, store: store, configPath: path, version: "test", notice: { _ in })
            _ = try control.reload(origin: ChangeOrigin(source: .admin))
            if shared {
                #expect(store.state?.weights["api"] == ["v1": 10, "v2": 90], "another instance's split survives this one's reload")
                #expect(store.state?.drained["v1"] == ["127.0.0.1:7"])
            } else {
                #expect(store.state?.weights["api"] == nil, "alone, what the file no longer has is dropped")
            }
        }
    }

    @Test func aChangeThatKeepsLosingIsRefusedWith409() throws {
        let store = LosingStore()
        let (server, control) = try ControlPlaneStoreTests.plane(store: store)
        defer { server.stop(graceful: false) }
        let refusal = #expect(throws: ControlError.self) {
            try control.setWeights(split: "web", to: ["blue": 50, "canary": 50], origin: ChangeOrigin(source: .admin))
        }
        #expect(refusal?.status == 409)
        #expect(refusal?.message.contains("another instance") == true, "\(refusal?.message ?? "")")
        #expect(store.attempts.load(ordering: .relaxed) == 5)
        #expect(store.inner.state?.weights["web"] == nil, "the refused change wrote nothing")
        #expect(control.runtime.drained["blue"] == ["127.0.0.1:1"], "the winner's state is in force")
    }
}

@Suite struct HistoryTimeTests {
    @Test func historyTimesAreRFC3339InUTCWithMilliseconds() throws {
        let control = try ControlPlaneStoreTests.plane(store: MemoryStore()).1
        defer { control.server.stop(graceful: false) }
        try control.setWeights(split: "web", to: ["blue": 1, "canary": 1], origin: ChangeOrigin(source: .admin))
        let entry = try #require(control.historyDocument().entries.first)
        let time = entry.time
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let parsed = try #require(formatter.date(from: time), "\(time)")
        #expect(abs(parsed.timeIntervalSinceNow) < 5)
        #expect(time.count == 24 && time.hasSuffix("Z"))
    }
}
