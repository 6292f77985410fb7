import TurnoutRollout

/// Who asked for a change: the admin client's process (from SO_PEERCRED) or address, or the
/// process itself (a signal, the state file at start).
public enum ChangeCaller: Sendable, Equatable {
    case process(uid: UInt32, pid: Int32)
    case address(String)
    case none
}

/// Where a change came from. The raw values are the history's and the notifications' `source`.
public enum ChangeSource: String, Sendable, Equatable, CaseIterable {
    /// An admin API call.
    case admin
    /// SIGHUP.
    case signal
    /// A rollout: its steps, its verdicts and the operator's verbs on it.
    case rollout
    /// A guarded switch: its start, its watch's verdict and the operator's verbs on it.
    case `guard`
    /// Active health checks.
    case health
    /// Passive outlier ejection.
    case outlier
}

/// What changed. The raw values are the history's and the notifications' `action`.
public enum ChangeAction: Sendable, Equatable, Hashable {
    /// A split's weights set (PUT), a blue-green switch, a rollback to the previous weights.
    case weights, `switch`, rollback
    /// An operator stopped or resumed new requests to a server.
    case drain, enable
    /// The configuration was read again.
    case reload
    /// A server's health checks changed their verdict; a server was ejected, or came back.
    case up, down, eject, `return`
    /// A rollout's event.
    case rollout(RolloutEvent)
    /// A guarded switch's event (its start, the watch's end keeping it, a switch back).
    case guarded(GuardEvent)

    /// The wire name.
    public var name: String {
        switch self {
        case .weights: return "weights"
        case .switch: return "switch"
        case .rollback: return "rollback"
        case .drain: return "drain"
        case .enable: return "enable"
        case .reload: return "reload"
        case .up: return "up"
        case .down: return "down"
        case .eject: return "eject"
        case .return: return "return"
        case .rollout(let event): return event.rawValue
        case .guarded(let event): return event.rawValue
        }
    }
}

/// Where a change came from and who made it.
public struct ChangeOrigin: Sendable, Equatable {
    public var source: ChangeSource
    public var caller: ChangeCaller
    /// Free words from the caller (a rollout's reason), or nil.
    public var reason: String?

    public init(source: ChangeSource, caller: ChangeCaller = .none, reason: String? = nil) {
        self.source = source
        self.caller = caller
        self.reason = reason
    }
}

/// One entry of the audit history, and of the notifications (SPEC §14).
public struct ChangeRecord: Sendable, Equatable {
    /// Seconds since the Unix epoch.
    public var time: Double
    /// The split changed, or nil for a change that is not about one split (a reload).
    public var split: String?
    public var action: ChangeAction
    public var old: [String: Int]?
    public var new: [String: Int]?
    /// `pool/address` for server changes.
    public var server: String?
    public var origin: ChangeOrigin
    /// The fleet instance that took the change; nil for a Turnout alone.
    public var instance: String? = nil

    /// The entry as taken by `instance`.
    func taken(by instance: String) -> ChangeRecord {
        var record = self
        record.instance = instance
        return record
    }
}
