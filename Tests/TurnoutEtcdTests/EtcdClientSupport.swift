import Glibc
import TurnoutEtcd
import TurnoutTestSupport

/// A client of `cluster`'s members, in member order.
func client(of cluster: EtcdCluster, timeout: Double = 5) throws -> EtcdClient {
    EtcdClient(endpoints: try cluster.clientURLs.map { (url) throws(EtcdError) in try EtcdEndpoint(url: url) }, timeout: timeout)
}
