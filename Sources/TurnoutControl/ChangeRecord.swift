/// Who asked for a change: the admin client's process (from SO_PEERCRED) or address, or the
/// process itself (a signal, the state file at start).
public enum ChangeCaller: Sendable, Equatable {
    case process(uid: UInt32, pid: Int32)
    case address(String)
    case none
}

/// Where a change came from and who made it.
public struct ChangeOrigin: Sendable, Equatable {
    /// `admin`, `reload`, `signal`, `state` or `rollout`.
    public var source: String
    public var caller: ChangeCaller
    /// Free words from the caller (a rollout's reason), or nil.
    public var reason: String?

    public init(source: String, caller: ChangeCaller = .none, reason: String? = nil) {
        self.source = source
        self.caller = caller
        self.reason = reason
    }
}

/// One entry of the audit history.
public struct ChangeRecord: Sendable, Equatable {
    /// Seconds since the Unix epoch.
    public var time: Double
    /// The split changed, or nil for a change that is not about one split (a reload).
    public var split: String?
    /// `weights`, `switch`, `rollback`, `drain`, `enable`, `reload`.
    public var action: String
    public var old: [String: Int]?
    public var new: [String: Int]?
    /// `pool/address` for drain and enable.
    public var server: String?
    public var origin: ChangeOrigin
}
