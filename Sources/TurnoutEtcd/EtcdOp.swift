/// One key-value request, alone or inside a transaction (etcd's `RequestOp`).
public enum EtcdOp: Sendable, Equatable {
    /// Reads `key`, or every key in `[key, rangeEnd)` (see `EtcdCodec.prefixEnd`). `limit` 0 means
    /// no limit; `revision` 0 means the newest.
    case range(key: String, rangeEnd: String?, limit: Int64, revision: Int64)
    /// Writes `value` under `key`, attached to `lease` (0 for none).
    case put(key: String, value: [UInt8], lease: Int64)
    /// Deletes `key`, or every key in `[key, rangeEnd)`.
    case deleteRange(key: String, rangeEnd: String?)

    /// Whether sending it twice does no harm: only reads. A write whose answer was lost must not
    /// be sent again blindly (it may have been applied; a second put bumps the revision again).
    public var isReadOnly: Bool {
        if case .range = self { return true }
        return false
    }
}

/// One condition of a transaction: the key's version, create or mod revision, or value,
/// compared with a constant.
public struct EtcdCompare: Sendable, Equatable {
    /// What is compared, and with what.
    public enum Target: Sendable, Equatable {
        /// Writes since creation; `.version(0)` with `.equal` means "the key does not exist".
        case version(Int64)
        case createRevision(Int64)
        /// The revision of the last write: the usual compare-and-swap guard.
        case modRevision(Int64)
        case value([UInt8])
    }

    /// How the key's field relates to the constant; the raw value is etcd's JSON spelling.
    public enum Result: String, Sendable {
        case equal = "EQUAL", notEqual = "NOT_EQUAL", greater = "GREATER", less = "LESS"
    }

    public var key: String
    public var result: Result
    public var target: Target

    public init(key: String, _ result: Result, _ target: Target) {
        self.key = key
        self.result = result
        self.target = target
    }
}

/// A transaction: if every compare holds, etcd applies `success`, otherwise `failure`, atomically
/// at one revision.
public struct EtcdTxn: Sendable, Equatable {
    public var compare: [EtcdCompare]
    public var success: [EtcdOp]
    public var failure: [EtcdOp]

    public init(compare: [EtcdCompare], success: [EtcdOp], failure: [EtcdOp]) {
        self.compare = compare
        self.success = success
        self.failure = failure
    }

    /// Whether both branches only read, so the transaction can be sent again safely.
    public var isReadOnly: Bool {
        success.allSatisfy(\.isReadOnly) && failure.allSatisfy(\.isReadOnly)
    }
}
