/// One change seen by a watch.
public struct EtcdWatchEvent: Sendable, Equatable {
    public enum Kind: Sendable { case put, delete }

    public var kind: Kind
    /// The key after the change; for a delete only `key` and `modRevision` (the delete's revision).
    public var kv: EtcdKeyValue
    /// The key before the change, when the watch asked for it (`previousKV`) and it existed.
    public var previous: EtcdKeyValue?

    public init(kind: Kind, kv: EtcdKeyValue, previous: EtcdKeyValue? = nil) {
        self.kind = kind
        self.kv = kv
        self.previous = previous
    }
}

/// One message of a watch stream: the confirmation that it was created, a batch of events, a
/// progress notification (no events: the store reached `header.revision`), or its end.
public struct EtcdWatchMessage: Sendable, Equatable {
    public var header: EtcdHeader
    /// The watch's id on its stream (0 for the first; etcd 3.4 answers a progress request with -1).
    public var watchID: Int64
    public var created: Bool
    public var canceled: Bool
    /// Set when the watch asked for a revision etcd compacted away: the oldest revision left.
    public var compactRevision: Int64
    /// Why etcd canceled the watch, when it said.
    public var cancelReason: String?
    public var events: [EtcdWatchEvent]

    public init(header: EtcdHeader, watchID: Int64 = 0, created: Bool = false, canceled: Bool = false,
                compactRevision: Int64 = 0, cancelReason: String? = nil, events: [EtcdWatchEvent] = []) {
        self.header = header
        self.watchID = watchID
        self.created = created
        self.canceled = canceled
        self.compactRevision = compactRevision
        self.cancelReason = cancelReason
        self.events = events
    }
}
