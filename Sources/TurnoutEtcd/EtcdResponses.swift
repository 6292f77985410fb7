/// The answer to a range: the keys found (in key order) and how many there are in all.
public struct EtcdRangeResponse: Sendable, Equatable {
    public var header: EtcdHeader
    public var kvs: [EtcdKeyValue]
    /// Whether `limit` cut the answer short: more keys are in the range.
    public var more: Bool
    /// How many keys the range holds, whatever the limit.
    public var count: Int64

    public init(header: EtcdHeader, kvs: [EtcdKeyValue] = [], more: Bool = false, count: Int64 = 0) {
        self.header = header
        self.kvs = kvs
        self.more = more
        self.count = count
    }
}

/// The answer to one op of a transaction's branch, in the branch's order.
public enum EtcdOpResponse: Sendable, Equatable {
    case range(EtcdRangeResponse)
    case put(EtcdHeader)
    case deleteRange(deleted: Int64)
}

/// The answer to a transaction: which branch ran and what each of its ops answered.
public struct EtcdTxnResponse: Sendable, Equatable {
    public var header: EtcdHeader
    /// True when every compare held and `success` ran; false when `failure` ran.
    public var succeeded: Bool
    public var responses: [EtcdOpResponse]

    public init(header: EtcdHeader, succeeded: Bool, responses: [EtcdOpResponse] = []) {
        self.header = header
        self.succeeded = succeeded
        self.responses = responses
    }
}
