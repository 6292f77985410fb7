import Glibc
import Synchronization
import Testing
import TurnoutEtcd
import TurnoutPosix
import TurnoutTestSupport

/// Watches against a real etcd: history from a revision, live changes, compaction, cancel.
@Suite(.enabled(if: EtcdCluster.testsRun, "\(EtcdCluster.notFound)"))
struct EtcdWatchTests {
    /// Reads messages until `count` events came (each `next` bounded by 5 s).
    static func events(_ watch: EtcdWatch, count: Int) throws -> [EtcdWatchEvent] {
        var events: [EtcdWatchEvent] = []
        while events.count < count {
            guard let message = try watch.next(timeout: 5) else {
                throw TestFailure("only \(events.count) of \(count) events within 5 s: \(events)")
            }
            events += message.events
        }
        return events
    }

    @Test func aWatchFromARevisionSeesPutsAndDeletesInOrder() throws {
        let cluster = try EtcdCluster.start()
        defer { cluster.stopAll() }
        let etcd = try client(of: cluster)
        let first = try etcd.put("/w/a", value: Array("1".utf8))
        try etcd.put("/w/b", value: Array("2".utf8))
        try etcd.put("/w/a", value: Array("3".utf8))
        try etcd.deleteRange("/w/b")
        try etcd.put("/x", value: Array("elsewhere".utf8))

        let watch = try etcd.watch(key: "/w/", rangeEnd: EtcdCodec.prefixEnd("/w/"), startRevision: first.revision, previousKV: true)
        defer { watch.cancel() }
        #expect(watch.creation.created)
        let history = try Self.events(watch, count: 4)
        #expect(history.map(\.kind) == [.put, .put, .put, .delete])
        #expect(history.map(\.kv.key) == ["/w/a", "/w/b", "/w/a", "/w/b"])
        #expect(history.map(\.kv.modRevision) == Array(first.revision..<(first.revision + 4)))
        #expect(history[2].previous?.value == Array("1".utf8))
        #expect(history[3].previous?.value == Array("2".utf8) && history[3].kv.value.isEmpty)

        // Then what happens from now on, in order.
        try etcd.put("/w/c", value: Array("4".utf8))
        try etcd.deleteRange("/w/", rangeEnd: EtcdCodec.prefixEnd("/w/"))
        let live = try Self.events(watch, count: 3)
        #expect(live.map(\.kind) == [.put, .delete, .delete])
        #expect(live.map(\.kv.key) == ["/w/c", "/w/a", "/w/c"])
        #expect(try watch.next(timeout: 0.2) == nil)
    }

    @Test func aWatchOnACompactedRevisionThrowsCompacted() throws {
        let cluster = try EtcdCluster.start()
        defer { cluster.stopAll() }
        let etcd = try client(of: cluster)
        let first = try etcd.put("/c", value: [1])
        try etcd.put("/c", value: [2])
        let third = try etcd.put("/c", value: [3])
        try etcd.compact(revision: third.revision)

        // etcd 3.4 confirms the watch, then cancels it; either way the caller sees `.compacted`.
        #expect(throws: EtcdError.compacted(revision: third.revision)) {
            let watch = try etcd.watch(key: "/c", rangeEnd: nil, startRevision: first.revision)
            defer { watch.cancel() }
            _ = try watch.next(timeout: 5)
        }
        // A read at a compacted revision says the same, with the revision that is left.
        #expect(throws: EtcdError.compacted(revision: third.revision)) { try etcd.range("/c", revision: first.revision) }
        // From the compaction's revision on, all is still there.
        let watch = try etcd.watch(key: "/c", rangeEnd: nil, startRevision: third.revision)
        defer { watch.cancel() }
        #expect(try Self.events(watch, count: 1).map(\.kv.value) == [[3]])
    }

    @Test func cancelFromAnotherThreadEndsABlockedNextPromptly() throws {
        let cluster = try EtcdCluster.start()
        defer { cluster.stopAll() }
        let etcd = try client(of: cluster)
        let watch = try etcd.watch(key: "/quiet", rangeEnd: nil, startRevision: 0)
        let canceledAt = Atomic<UInt64>(0)
        let thread = LoopThread.start(name: "test-cancel") {
            usleep(300_000)
            canceledAt.store(monotonicNanoseconds(), ordering: .sequentiallyConsistent)
            watch.cancel()
        }
        defer { LoopThread.join(thread) }
        let started = monotonicNanoseconds()
        var thrown: EtcdError? = nil
        do {
            _ = try watch.next(timeout: 20)
        } catch {
            thrown = error
        }
        let returnedAt = monotonicNanoseconds()
        guard case .unavailable(let text)? = thrown else {
            Issue.record("expected .unavailable, got \(String(describing: thrown))")
            return
        }
        #expect(text.contains("canceled"))
        #expect(secondsSince(started) < 5)
        let lag = Double(returnedAt - canceledAt.load(ordering: .sequentiallyConsistent)) / 1e9
        #expect(lag < 0.5, "next returned \(lag) s after cancel")
        // Later calls throw the same at once; cancelling again is harmless.
        #expect(throws: EtcdError.unavailable(text)) { try watch.next(timeout: 5) }
        watch.cancel()
    }

    @Test func aCancelBeforeNextAndAStoppedMemberEndTheStream() throws {
        let cluster = try EtcdCluster.start()
        defer { cluster.stopAll() }
        let etcd = try client(of: cluster)
        let canceled = try etcd.watch(key: "/k", rangeEnd: nil, startRevision: 0)
        canceled.cancel()
        #expect(throws: EtcdError.self) { try canceled.next(timeout: 5) }

        let watch = try etcd.watch(key: "/k", rangeEnd: nil, startRevision: 0)
        defer { watch.cancel() }
        let started = monotonicNanoseconds()
        cluster.stop(member: 0)
        #expect(throws: EtcdError.self) {
            while secondsSince(started) < 10 { _ = try watch.next(timeout: 1) }
        }
        #expect(secondsSince(started) < 10)
    }
}
