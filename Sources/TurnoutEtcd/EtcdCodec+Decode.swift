/// Reading the unary answers: range, put, delete, transaction, compaction and leases.
extension EtcdCodec {
    public static func decodeRange(_ body: [UInt8]) throws(EtcdError) -> EtcdRangeResponse {
        try range(JSONFields.parse(body, answer: "etcd's range answer"))
    }

    public static func decodePut(_ body: [UInt8]) throws(EtcdError) -> EtcdHeader {
        try header(of: JSONFields.parse(body, answer: "etcd's put answer"))
    }

    public static func decodeDeleteRange(_ body: [UInt8]) throws(EtcdError) -> (header: EtcdHeader, deleted: Int64) {
        let fields = try JSONFields.parse(body, answer: "etcd's delete answer")
        return (try header(of: fields), try fields.int64("deleted"))
    }

    /// The answer to a compaction: its header.
    public static func decodeCompaction(_ body: [UInt8]) throws(EtcdError) -> EtcdHeader {
        try header(of: JSONFields.parse(body, answer: "etcd's compaction answer"))
    }

    /// Reads a transaction's answer. `ops` are the ops whose answers are expected, in order (the
    /// branch etcd ran, when the caller knows it): with them the count and kinds are checked, and
    /// an inner answer that names no kind takes its op's. Pass `[]` to read the kinds from the
    /// answer alone; `decodeTxn(_:txn:)` picks the branch by `succeeded`.
    public static func decodeTxn(_ body: [UInt8], ops: [EtcdOp]) throws(EtcdError) -> EtcdTxnResponse {
        let fields = try JSONFields.parse(body, answer: "etcd's transaction answer")
        return try txn(fields, ops: ops)
    }

    /// Reads a transaction's answer, checking it against the branch of `txn` that etcd says ran.
    public static func decodeTxn(_ body: [UInt8], txn: EtcdTxn) throws(EtcdError) -> EtcdTxnResponse {
        let fields = try JSONFields.parse(body, answer: "etcd's transaction answer")
        return try self.txn(fields, ops: try fields.bool("succeeded") ? txn.success : txn.failure)
    }

    public static func decodeLeaseGrant(_ body: [UInt8]) throws(EtcdError) -> (id: Int64, ttl: Int64) {
        let fields = try JSONFields.parse(body, answer: "etcd's lease grant answer")
        // LeaseGrantResponse has an `error` string of its own, beside the gateway's errors.
        if let error = try fields.string("error"), !error.isEmpty { throw .server(code: 2, message: error) }
        let id = try fields.int64("ID")
        guard id != 0 else { throw .malformed("etcd's lease grant answer has no ID") }
        return (id, try fields.int64("TTL"))
    }

    /// The lease's remaining TTL from a keep-alive answer: the gateway streams it, so the body is
    /// `{"result":{…}}` (or `{"error":{…}}`) and a newline. 0 or absent means the lease is gone.
    public static func decodeLeaseKeepAlive(_ body: [UInt8]) throws(EtcdError) -> Int64 {
        var splitter = JSONObjectSplitter()
        splitter.append(body)
        let answer = "etcd's lease keep-alive answer"
        let first: [UInt8]?
        do {
            first = try splitter.next()
        } catch {
            throw .malformed("\(answer) is not a stream of JSON objects: \(error.message)\(JSONFields.excerpt(body))")
        }
        guard let first else { throw .malformed("\(answer) is empty") }
        let fields = try JSONFields.parse(first, answer: answer)
        if fields.has("error") { throw streamError(fields) }
        guard let result = try fields.object("result") else { throw .malformed("\(answer) has neither \"result\" nor \"error\"") }
        return try result.int64("TTL")
    }

    /// The lease revoke answer carries only a header.
    public static func decodeLeaseRevoke(_ body: [UInt8]) throws(EtcdError) -> EtcdHeader {
        try header(of: JSONFields.parse(body, answer: "etcd's lease revoke answer"))
    }

    // MARK: Parts

    static func header(of fields: JSONFields) throws(EtcdError) -> EtcdHeader {
        guard let header = try fields.object("header") else { return EtcdHeader(revision: 0) }
        return EtcdHeader(revision: try header.int64("revision"), clusterID: try header.uint64("cluster_id"),
                          memberID: try header.uint64("member_id"), raftTerm: try header.uint64("raft_term"))
    }

    static func keyValue(_ fields: JSONFields) throws(EtcdError) -> EtcdKeyValue {
        EtcdKeyValue(key: try fields.key("key"), value: try fields.bytes("value"),
                     createRevision: try fields.int64("create_revision"), modRevision: try fields.int64("mod_revision"),
                     version: try fields.int64("version"), lease: try fields.int64("lease"))
    }

    static func range(_ fields: JSONFields) throws(EtcdError) -> EtcdRangeResponse {
        var kvs: [EtcdKeyValue] = []
        for kv in try fields.objects("kvs") { kvs.append(try keyValue(kv)) }
        return EtcdRangeResponse(header: try header(of: fields), kvs: kvs, more: try fields.bool("more"), count: try fields.int64("count"))
    }

    static func txn(_ fields: JSONFields, ops: [EtcdOp]) throws(EtcdError) -> EtcdTxnResponse {
        let answers = try fields.objects("responses")
        if !ops.isEmpty && answers.count != ops.count {
            throw .malformed("\(fields.answer) has \(answers.count) responses for a branch of \(ops.count) ops")
        }
        var responses: [EtcdOpResponse] = []
        for (index, answer) in answers.enumerated() {
            responses.append(try opResponse(answer, expected: ops.isEmpty ? nil : ops[index]))
        }
        return EtcdTxnResponse(header: try header(of: fields), succeeded: try fields.bool("succeeded"), responses: responses)
    }

    /// One inner answer: `{"response_range":{…}}`, `{"response_put":{…}}` or
    /// `{"response_delete_range":{…}}`.
    static func opResponse(_ answer: JSONFields, expected: EtcdOp?) throws(EtcdError) -> EtcdOpResponse {
        let kinds = ["response_range", "response_put", "response_delete_range"].filter { answer.has($0) }
        guard kinds.count <= 1 else { throw .malformed("\(answer.answer) has \(answer.path) naming \(kinds.count) kinds of response") }
        let kind: String
        if let named = kinds.first {
            kind = named
        } else {
            switch expected {
            case .range?: kind = "response_range"
            case .put?: kind = "response_put"
            case .deleteRange?: kind = "response_delete_range"
            case nil: throw .malformed("\(answer.answer) has \(answer.path) naming no kind of response")
            }
        }
        var inner = try JSONFields(.object([:]), path: answer.path(kind), answer: answer.answer)
        if let named = try answer.object(kind) { inner = named }
        let response: EtcdOpResponse
        switch kind {
        case "response_range": response = .range(try range(inner))
        case "response_put": response = .put(try header(of: inner))
        default: response = .deleteRange(deleted: try inner.int64("deleted"))
        }
        switch (response, expected) {
        case (_, nil), (.range, .range?), (.put, .put?), (.deleteRange, .deleteRange?): return response
        default: throw .malformed("\(answer.answer) has \(answer.path) as \(kind) for a \(expected!.kindName) op")
        }
    }
}

extension EtcdOp {
    /// The op's kind in words, for messages.
    var kindName: String {
        switch self {
        case .range: return "range"
        case .put: return "put"
        case .deleteRange: return "delete"
        }
    }
}
