import Glibc
import Testing
import TurnoutEtcd
import TurnoutPosix
import TurnoutTestSupport

/// The client against a real single-member etcd: reads and writes, compare-and-swap, leases.
@Suite(.enabled(if: EtcdCluster.testsRun, "\(EtcdCluster.notFound)"))
struct EtcdClientTests {
    @Test func putRangeAndDeleteRoundTrip() throws {
        let cluster = try EtcdCluster.start()
        defer { cluster.stopAll() }
        let etcd = try client(of: cluster)

        let first = try etcd.put("/turnout/a", value: Array("one".utf8))
        let second = try etcd.put("/turnout/b", value: [0x00, 0xff, 0x10])
        try etcd.put("/turnoutz", value: Array("outside the prefix".utf8))
        #expect(second.revision == first.revision + 1)

        let one = try etcd.range("/turnout/a")
        #expect(one.kvs == [EtcdKeyValue(key: "/turnout/a", value: Array("one".utf8), createRevision: first.revision,
                                         modRevision: first.revision, version: 1, lease: 0)])
        #expect(one.count == 1 && !one.more && one.header.revision == second.revision + 1)

        let all = try etcd.range(prefix: "/turnout/")
        #expect(all.kvs.map(\.key) == ["/turnout/a", "/turnout/b"])
        #expect(all.kvs[1].value == [0x00, 0xff, 0x10])
        #expect(try etcd.range("/turnout/missing").kvs.isEmpty)
        #expect(try etcd.range(prefix: "").kvs.map(\.key) == ["/turnout/a", "/turnout/b", "/turnoutz"])

        // A read at an older revision sees the value of then.
        try etcd.put("/turnout/a", value: Array("two".utf8))
        #expect(try etcd.range("/turnout/a", revision: first.revision).kvs.first?.value == Array("one".utf8))
        #expect(try etcd.range("/turnout/a").kvs.first?.version == 2)

        #expect(try etcd.deleteRange("/turnout/", rangeEnd: EtcdCodec.prefixEnd("/turnout/")) == 2)
        #expect(try etcd.range(prefix: "/turnout/").kvs.isEmpty)
        #expect(try etcd.deleteRange("/turnout/a") == 0)
        #expect(try etcd.range("/turnoutz").count == 1)
    }

    @Test func nonASCIIKeysRoundTrip() throws {
        let cluster = try EtcdCluster.start()
        defer { cluster.stopAll() }
        let etcd = try client(of: cluster)
        try etcd.put("/t/ключ/☃", value: Array("snow".utf8))
        #expect(try etcd.range(prefix: "/t/ключ/").kvs.map(\.key) == ["/t/ключ/☃"])
    }

    @Test func compareAndSwapOnModRevision() throws {
        let cluster = try EtcdCluster.start()
        defer { cluster.stopAll() }
        let etcd = try client(of: cluster)
        let key = "/turnout/weights"
        let written = try etcd.put(key, value: Array("v1".utf8))

        func swap(expecting revision: Int64, to value: String) throws -> EtcdTxnResponse {
            try etcd.txn(EtcdTxn(compare: [EtcdCompare(key: key, .equal, .modRevision(revision))],
                                 success: [.put(key: key, value: Array(value.utf8), lease: 0)],
                                 failure: [.range(key: key, rangeEnd: nil, limit: 0, revision: 0)]))
        }

        let won = try swap(expecting: written.revision, to: "v2")
        #expect(won.succeeded)
        guard case .put(let header)? = won.responses.first else {
            Issue.record("expected a put answer, got \(won.responses)")
            return
        }
        #expect(header.revision == written.revision + 1)

        // The same expectation again is stale now: the failure branch reads what is there.
        let lost = try swap(expecting: written.revision, to: "v3")
        #expect(!lost.succeeded)
        guard case .range(let current)? = lost.responses.first else {
            Issue.record("expected a range answer, got \(lost.responses)")
            return
        }
        #expect(current.kvs.first?.value == Array("v2".utf8))
        #expect(current.kvs.first?.modRevision == written.revision + 1)

        // Creating only if absent: version 0.
        let create = EtcdTxn(compare: [EtcdCompare(key: "/turnout/new", .equal, .version(0))],
                             success: [.put(key: "/turnout/new", value: [1], lease: 0)], failure: [])
        #expect(try etcd.txn(create).succeeded)
        #expect(try !etcd.txn(create).succeeded)
    }

    @Test func leaseGrantKeepAliveAndRevoke() throws {
        let cluster = try EtcdCluster.start()
        defer { cluster.stopAll() }
        let etcd = try client(of: cluster)
        let lease = try etcd.grantLease(ttl: 30)
        #expect(lease.id != 0 && lease.ttl == 30)
        try etcd.put("/turnout/instances/a", value: Array("here".utf8), lease: lease.id)
        #expect(try etcd.range("/turnout/instances/a").kvs.first?.lease == lease.id)

        let remaining = try etcd.keepAlive(lease: lease.id)
        #expect(remaining > 0 && remaining <= 30)

        try etcd.revokeLease(lease.id)
        #expect(try etcd.range("/turnout/instances/a").kvs.isEmpty)
        #expect(try etcd.keepAlive(lease: lease.id) == 0)
        #expect(throws: EtcdError.server(code: 5, message: "etcdserver: requested lease not found")) { try etcd.revokeLease(lease.id) }
    }

    @Test func anExpiredLeaseTakesItsKeysAlong() throws {
        let cluster = try EtcdCluster.start()
        defer { cluster.stopAll() }
        let etcd = try client(of: cluster)
        // etcd grants at least its minimum TTL (about 1.5 s with a 100 ms heartbeat); asking for 1 s
        // is fine, the answer says what was granted.
        let lease = try etcd.grantLease(ttl: 1)
        try etcd.put("/turnout/instances/b", value: [1], lease: lease.id)
        let started = monotonicNanoseconds()
        var gone = false
        while !gone && secondsSince(started) < Double(lease.ttl) + 8 {
            gone = try etcd.range("/turnout/instances/b").kvs.isEmpty
            if !gone { usleep(100_000) }
        }
        #expect(gone, "the key outlived its \(lease.ttl) s lease by 8 s")
        #expect(secondsSince(started) >= Double(lease.ttl) - 0.5, "the key went before its lease could expire")
        #expect(try etcd.keepAlive(lease: lease.id) == 0)
    }

    @Test func keepAliveConnectionsAreReusedAndSurviveARestart() throws {
        let cluster = try EtcdCluster.start()
        defer { cluster.stopAll() }
        let etcd = try client(of: cluster)
        for index in 0..<50 { try etcd.put("/turnout/n", value: Array("\(index)".utf8)) }
        #expect(try etcd.range("/turnout/n").kvs.first?.version == 50)

        // The kept connection dies with the member; the next call notices and connects anew.
        cluster.stop(member: 0)
        try cluster.start(member: 0)
        #expect(try etcd.range("/turnout/n").kvs.first?.value == Array("49".utf8))
        try etcd.put("/turnout/n", value: Array("after".utf8))
        #expect(try etcd.range("/turnout/n").kvs.first?.version == 51)
    }

    @Test func aFutureRevisionIsEtcdsError() throws {
        let cluster = try EtcdCluster.start()
        defer { cluster.stopAll() }
        let etcd = try client(of: cluster)
        #expect(throws: EtcdError.server(code: 11, message: "etcdserver: mvcc: required revision is a future revision")) {
            try etcd.range("/turnout/a", revision: 1_000_000)
        }
        // The connection is fine afterwards (the error answer was read to its end).
        try etcd.put("/turnout/a", value: [1])
    }
}
