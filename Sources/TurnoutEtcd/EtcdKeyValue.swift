/// One key as etcd stores it: its value and the revisions that date it.
///
/// Keys are Strings (UTF-8) because every key Turnout writes is text; on the wire they travel
/// as base64, like the values. An absent field in etcd's answer means 0 (proto3 leaves defaults
/// out), so a key from a delete event carries only its key and `modRevision`.
public struct EtcdKeyValue: Sendable, Equatable {
    public var key: String
    public var value: [UInt8]
    /// The revision of the write that created the key (since its last delete).
    public var createRevision: Int64
    /// The revision of the last write to the key: what a compare-and-swap checks.
    public var modRevision: Int64
    /// Writes since the key was created; 0 once deleted.
    public var version: Int64
    /// The lease the key is attached to, 0 for none.
    public var lease: Int64

    public init(key: String, value: [UInt8] = [], createRevision: Int64 = 0, modRevision: Int64 = 0, version: Int64 = 0, lease: Int64 = 0) {
        self.key = key
        self.value = value
        self.createRevision = createRevision
        self.modRevision = modRevision
        self.version = version
        self.lease = lease
    }
}

/// The header of every etcd answer: above all the store's revision when the answer was made,
/// which is where a watch that follows a read starts (revision + 1).
public struct EtcdHeader: Sendable, Equatable {
    public var revision: Int64
    /// Which cluster answered (0 when etcd left it out, as in a transaction's inner answers).
    public var clusterID: UInt64
    /// Which member answered.
    public var memberID: UInt64
    /// The Raft term the member was in.
    public var raftTerm: UInt64

    public init(revision: Int64, clusterID: UInt64 = 0, memberID: UInt64 = 0, raftTerm: UInt64 = 0) {
        self.revision = revision
        self.clusterID = clusterID
        self.memberID = memberID
        self.raftTerm = raftTerm
    }
}
