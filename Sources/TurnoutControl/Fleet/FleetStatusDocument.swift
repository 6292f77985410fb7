import Foundation

/// The fleet as `/status` shows it under `fleet` (null for a Turnout alone): this instance, etcd
/// as it sees it, the members registered and who leads each rollout.
public struct FleetStatusDocument: Codable, Sendable, Equatable {
    public struct Etcd: Codable, Sendable, Equatable {
        public var endpoints: [String]
        public var reachable: Bool
        /// When `reachable` last changed (RFC 3339).
        public var since: String
        /// Why etcd is unreachable; null when it answers.
        public var error: String?

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(endpoints, forKey: .endpoints)
            try container.encode(reachable, forKey: .reachable)
            try container.encode(since, forKey: .since)
            try container.encode(error, forKey: .error)
        }
    }

    public var instance: String
    public var prefix: String
    public var etcd: Etcd
    /// The state revision this instance has applied.
    public var revision: Int64
    /// The members registered under the prefix, by name.
    public var instances: [FleetMemberDocument]
    /// Split → the instance leading its rollout.
    public var leaders: [String: String]
}

extension Fleet {
    /// The fleet as this instance sees it now.
    public var statusDocument: FleetStatusDocument {
        let revision = control.revision
        return status.withLock { status in
            FleetStatusDocument(
                instance: cluster.instance, prefix: cluster.prefix,
                etcd: .init(endpoints: client.endpoints.map(\.description), reachable: status.reachable,
                            since: RolloutReport.isoTime(status.since), error: status.reachable ? nil : status.lastError),
                revision: revision,
                instances: status.members.values.sorted { $0.instance < $1.instance },
                leaders: status.leaders.mapValues(\.instance))
        }
    }
}
