/// The layout of a fleet's keys under its prefix (SPEC §16). One place spells every key:
///
/// | key | value | written by | lease |
/// |---|---|---|---|
/// | `state` | the runtime state document (the state file's JSON) | the instance taking a change, in one transaction over the revision it validated against | — |
/// | `history/<basis revision>-<n>` | a history entry, written in the same transaction as the state | the same | — |
/// | `instances/<instance>` | a member's registration | each instance, its own | the instance's |
/// | `leaders/<split>` | the instance leading the split's rollout | the first instance to claim it | the leader's |
/// | `evidence/<split>/<instance>` | the instance's cumulative counts for the rollout's pools | each instance, its own | the instance's |
///
/// A history key carries the state revision its change was validated against: only one change
/// can commit over a revision, so the keys sort in the order the changes were made.
public struct FleetKeys: Sendable, Equatable {
    public let prefix: String

    public init(prefix: String) { self.prefix = prefix }

    public var state: String { prefix + "state" }
    public var history: String { prefix + "history/" }
    public var instances: String { prefix + "instances/" }
    public var leaders: String { prefix + "leaders/" }
    public var evidence: String { prefix + "evidence/" }

    /// Where the watch starts: every key from here to the end of the prefix is watched, and
    /// `evidence/` (which sorts before it) is not.
    public var watchedFrom: String { history }

    public func history(basis revision: Int64, index: Int) -> String {
        history + zeroPadded(revision, width: 20) + "-" + zeroPadded(Int64(index), width: 4)
    }

    public func instance(_ name: String) -> String { instances + name }
    public func leader(of split: String) -> String { leaders + split }
    public func evidence(of split: String) -> String { evidence + split + "/" }
    public func evidence(of split: String, from instance: String) -> String { evidence(of: split) + instance }

    /// What a key under the prefix is, for the watch.
    public enum Kind: Equatable, Sendable {
        case state
        case history
        case instance(String)
        case leader(String)
        case evidence
        case other
    }

    public func kind(of key: String) -> Kind {
        guard key.hasPrefix(prefix) else { return .other }
        let rest = key.dropFirst(prefix.count)
        if rest == "state" { return .state }
        if rest.hasPrefix("history/") { return .history }
        if rest.hasPrefix("instances/") { return .instance(String(rest.dropFirst("instances/".count))) }
        if rest.hasPrefix("leaders/") { return .leader(String(rest.dropFirst("leaders/".count))) }
        if rest.hasPrefix("evidence/") { return .evidence }
        return .other
    }

    private func zeroPadded(_ value: Int64, width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
