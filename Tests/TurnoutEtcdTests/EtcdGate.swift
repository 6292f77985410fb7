import Glibc
import TurnoutEtcd
import TurnoutTestSupport

/// Whether tests that need a real etcd run: when the binary is there, or when CI demands it
/// (`TURNOUT_REQUIRE_ETCD=1`), in which case a missing binary fails them (`EtcdCluster.start`
/// throws "etcd not found: …") instead of skipping them.
enum EtcdGate {
    static let missing = EtcdCluster.notFound
    static var required: Bool { getenv("TURNOUT_REQUIRE_ETCD").map { String(cString: $0) } == "1" }
    static var runs: Bool { EtcdCluster.binary != nil || required }
}

/// A client of `cluster`'s members, in member order.
func client(of cluster: EtcdCluster, timeout: Double = 5) throws -> EtcdClient {
    EtcdClient(endpoints: try cluster.clientURLs.map { (url) throws(EtcdError) in try EtcdEndpoint(url: url) }, timeout: timeout)
}
