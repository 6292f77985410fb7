import Glibc
import Testing
import TurnoutEtcd
import TurnoutPosix
import TurnoutTestSupport

/// A three-member cluster loses a member to SIGKILL; a client listing all three (the dead one
/// first) goes on working.
@Suite(.enabled(if: EtcdCluster.testsRun, "\(EtcdCluster.notFound)"))
struct EtcdClusterTests {
    /// A client listing `first` first, then the other members.
    static func client(of cluster: EtcdCluster, first: Int) throws -> EtcdClient {
        let order = [first] + cluster.clientURLs.indices.filter { $0 != first }
        return EtcdClient(endpoints: try order.map { (index) throws(EtcdError) in try EtcdEndpoint(url: cluster.clientURLs[index]) }, timeout: 3)
    }

    @Test func aKilledFollowerListedFirstIsPassedOver() throws {
        let cluster = try EtcdCluster.start(members: 3)
        defer { cluster.stopAll() }
        let leader = try #require(cluster.leader(), "no leader among \(cluster.clientURLs)")
        let victim = (leader + 1) % 3
        let etcd = try Self.client(of: cluster, first: victim)
        try etcd.put("/cluster/before", value: [1])

        cluster.kill(member: victim)
        let started = monotonicNanoseconds()
        for index in 0..<10 {
            try etcd.put("/cluster/k\(index)", value: Array("\(index)".utf8))
            #expect(try etcd.range("/cluster/k\(index)").kvs.first?.value == Array("\(index)".utf8))
        }
        #expect(try etcd.range(prefix: "/cluster/").count == 11)
        #expect(secondsSince(started) < 5, "20 calls took \(secondsSince(started)) s")

        // A fresh client, the dead member first, with no kept connection: it moves on at once.
        let fresh = try Self.client(of: cluster, first: victim)
        #expect(try fresh.range("/cluster/before").kvs.count == 1)
        try fresh.put("/cluster/after", value: [2])
    }

    @Test func aKilledLeaderListedFirstIsReplacedByAnElection() throws {
        let cluster = try EtcdCluster.start(members: 3)
        defer { cluster.stopAll() }
        let leader = try #require(cluster.leader(), "no leader among \(cluster.clientURLs)")
        let etcd = try Self.client(of: cluster, first: leader)
        try etcd.put("/cluster/before", value: [1])

        cluster.kill(member: leader)
        // The survivors elect a new leader within a few election timeouts (1 s each); until then
        // a write may fail (no leader, or a timeout), never hang past the client's timeout.
        let started = monotonicNanoseconds()
        var failures: [EtcdError] = []
        var written = false
        while !written && secondsSince(started) < 20 {
            let attempt = monotonicNanoseconds()
            do {
                try etcd.put("/cluster/after", value: [2])
                written = true
            } catch {
                failures.append(error)
                #expect(secondsSince(attempt) < 4, "a failed put took \(secondsSince(attempt)) s: \(error)")
                usleep(100_000)
            }
        }
        #expect(written, "no put succeeded within 20 s: \(failures)")
        for index in 0..<10 {
            try etcd.put("/cluster/k\(index)", value: [UInt8(index)])
            #expect(try etcd.range("/cluster/k\(index)").kvs.first?.value == [UInt8(index)])
        }
        #expect(try etcd.range("/cluster/before").kvs.count == 1)
        #expect(cluster.leader().map { $0 != leader } == true)
    }
}
