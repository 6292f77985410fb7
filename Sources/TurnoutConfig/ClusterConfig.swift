import Foundation

/// Cluster mode (SPEC §16): the runtime state lives in etcd under `prefix`, shared by every
/// Turnout of the fleet, instead of in the state file alone.
public struct ClusterConfig: Sendable, Equatable {
    /// etcd's client URLs (`http://127.0.0.1:2379`); calls fail over from one to the next.
    public var etcd: [String]
    /// The key prefix the fleet's state lives under; starts and ends with `/`.
    public var prefix: String
    /// This instance's name in the fleet (its key, the history's `instance`); the host name by default.
    public var instance: String
    /// Seconds an instance's lease lives without a keep-alive: how long a dead instance stays
    /// listed and how long before another takes over the rollouts it led.
    public var leaseSeconds: Int

    public init(etcd: [String], prefix: String = ClusterConfig.defaultPrefix, instance: String = ClusterConfig.hostName(),
                leaseSeconds: Int = ClusterConfig.defaultLeaseSeconds) {
        self.etcd = etcd
        self.prefix = prefix
        self.instance = instance
        self.leaseSeconds = leaseSeconds
    }

    public static let defaultPrefix = "/turnout/"
    public static let defaultLeaseSeconds = 3

    /// The machine's host name up to its first dot, as an instance name.
    public static func hostName() -> String {
        let name = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? ""
        return name.isEmpty ? "turnout" : name
    }
}
