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
        @Nullable public var error: String?
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
