import Foundation

extension Fleet {
    /// The fleet as this instance sees it now.
    public var statusDocument: FleetStatusDocument {
        let revision = control.revision
        return status.withLock { status in
            FleetStatusDocument(
                instance: cluster.instance, prefix: cluster.prefix,
                etcd: FleetStatusDocument.Etcd(endpoints: client.endpoints.map(\.description), reachable: status.reachable,
                           since: RolloutReport.isoTime(status.since), error: status.reachable ? nil : status.lastError),
                revision: revision,
                instances: status.members.values.sorted { $0.instance < $1.instance },
                leaders: status.leaders.mapValues(\.instance))
        }
    }
}
