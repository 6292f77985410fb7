/// The key-value calls: range, put, delete, transaction, compaction.
extension EtcdClient {
    /// Reads `key`, or `[key, rangeEnd)`, at `revision` (0: the newest). A revision etcd
    /// compacted away throws `.compacted` with the oldest revision left.
    public func range(_ key: String, rangeEnd: String? = nil, revision: Int64 = 0) throws(EtcdError) -> EtcdRangeResponse {
        let body: [UInt8]
        do {
            body = try call(EtcdCodec.request(.range(key: key, rangeEnd: rangeEnd, limit: 0, revision: revision)), resendable: true)
        } catch .compacted(revision: 0) {
            // etcd's unary answer does not say which revision is left; a watch's does.
            throw .compacted(revision: oldestRevision(key: key))
        }
        return try EtcdCodec.decodeRange(body)
    }

    /// Every key under `prefix`, in key order, read in one call at one revision (no limit: the
    /// answer's size bound, `maxAnswerBytes`, is the only one). An empty prefix reads every key.
    public func range(prefix: String) throws(EtcdError) -> EtcdRangeResponse {
        // etcd refuses an empty key; "\0" to "\0" is its spelling of "every key".
        try range(prefix.isEmpty ? "\0" : prefix, rangeEnd: EtcdCodec.prefixEnd(prefix))
    }

    /// Writes `value` under `key` (attached to `lease` unless 0); returns the header with the
    /// write's revision.
    @discardableResult
    public func put(_ key: String, value: [UInt8], lease: Int64 = 0) throws(EtcdError) -> EtcdHeader {
        try EtcdCodec.decodePut(call(EtcdCodec.request(.put(key: key, value: value, lease: lease)), resendable: false))
    }

    /// Deletes `key`, or `[key, rangeEnd)`; returns how many keys were deleted.
    @discardableResult
    public func deleteRange(_ key: String, rangeEnd: String? = nil) throws(EtcdError) -> Int64 {
        try EtcdCodec.decodeDeleteRange(call(EtcdCodec.request(.deleteRange(key: key, rangeEnd: rangeEnd)), resendable: false)).deleted
    }

    /// Runs `txn` atomically. Sent once only unless both branches merely read.
    public func txn(_ txn: EtcdTxn) throws(EtcdError) -> EtcdTxnResponse {
        try EtcdCodec.decodeTxn(call(EtcdCodec.request(txn), resendable: txn.isReadOnly), txn: txn)
    }

    /// Compacts the history up to `revision` and waits until it is done (`physical`), so no
    /// reader sees an older revision afterwards. Compacting twice to the same revision is an
    /// error etcd reports (`.compacted`).
    @discardableResult
    public func compact(revision: Int64) throws(EtcdError) -> EtcdHeader {
        do {
            return try EtcdCodec.decodeCompaction(call(EtcdCodec.compaction(revision: revision, physical: true), resendable: true))
        } catch .compacted(revision: 0) {
            throw .compacted(revision: oldestRevision(key: "\0"))
        }
    }

    /// The oldest revision etcd still holds, learned the only way the gateway tells it: a watch
    /// from revision 1 is canceled with the compaction's revision. 0 when that does not work out
    /// within the call's timeout.
    func oldestRevision(key: String) -> Int64 {
        let deadline = Deadline.after(seconds: timeout)
        do {
            let probe = try watch(key: key, rangeEnd: nil, startRevision: 1)
            defer { probe.cancel() }
            while !deadline.hasPassed {
                _ = try probe.next(timeout: deadline.remainingSeconds)
            }
        } catch .compacted(let revision) {
            return revision
        } catch {
            return 0
        }
        return 0
    }
}
