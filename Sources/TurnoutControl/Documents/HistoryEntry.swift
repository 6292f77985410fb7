/// `GET /history`: the audit log, newest first (SPEC §6).
public struct HistoryDocument: Codable, Sendable, Equatable {
    public var entries: [HistoryEntry]
}

/// One change as `/history` shows it and the notifications deliver it (SPEC §14). Every key is
/// there, null when it does not apply, except `server`, which only server changes have, and
/// `instance`, which only a fleet's entries have.
public struct HistoryEntry: Codable, Sendable, Equatable {
    /// RFC 3339 in UTC with milliseconds.
    public var time: String
    /// The split changed; null for a change about no split (a reload, a server's).
    @Nullable public var split: String?
    public var action: ChangeAction
    /// The weights before and after; null for a change of no weights.
    @Nullable public var old: [String: Int]?
    @Nullable public var new: [String: Int]?
    public var source: ChangeSource
    public var caller: ChangeCaller
    /// The caller's words or the rollout's reason; null when none was given.
    @Nullable public var reason: String?
    /// `pool/address`, for server changes only.
    public var server: String?
    /// The fleet instance that took the change; only in a fleet (SPEC §16).
    public var instance: String?
}
