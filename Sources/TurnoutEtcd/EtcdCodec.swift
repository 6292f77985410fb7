/// etcd's v3 JSON gateway, both ways, as pure functions: requests become a path and the bytes
/// of their JSON body; answers become values or an `EtcdError`. No I/O, so every shape is tested
/// against fixtures captured from a real etcd.
///
/// The gateway speaks protobuf's JSON mapping: keys and values are base64, 64-bit integers are
/// strings (Turnout writes them so and reads strings or numbers), and fields at their default
/// (0, false, empty) are left out of answers. Requests use the proto field names
/// (`range_end`, `mod_revision`); lease requests use etcd's capitalised `ID` and `TTL`.
public enum EtcdCodec {
    /// The gateway's paths, spelled in one place.
    enum Path: String {
        case range = "/v3/kv/range"
        case put = "/v3/kv/put"
        case deleteRange = "/v3/kv/deleterange"
        case txn = "/v3/kv/txn"
        case compaction = "/v3/kv/compaction"
        case watch = "/v3/watch"
        case leaseGrant = "/v3/lease/grant"
        case leaseKeepAlive = "/v3/lease/keepalive"
        case leaseRevoke = "/v3/lease/revoke"
    }

    public static func request(_ op: EtcdOp) -> (path: String, body: [UInt8]) {
        var json = JSONWriter()
        writeFields(of: op, into: &json)
        let path: Path
        switch op {
        case .range: path = .range
        case .put: path = .put
        case .deleteRange: path = .deleteRange
        }
        return (path.rawValue, json.bytes)
    }

    public static func request(_ txn: EtcdTxn) -> (path: String, body: [UInt8]) {
        var json = JSONWriter()
        json.beginObject()
        json.name("compare")
        json.beginArray()
        for compare in txn.compare { write(compare, into: &json) }
        json.endArray()
        writeBranch("success", txn.success, into: &json)
        writeBranch("failure", txn.failure, into: &json)
        json.endObject()
        return (Path.txn.rawValue, json.bytes)
    }

    /// Compacts the history up to `revision`; `physical` waits until the space is reclaimed, so
    /// an older revision is gone for every reader once etcd answers.
    public static func compaction(revision: Int64, physical: Bool) -> (path: String, body: [UInt8]) {
        var json = JSONWriter()
        json.beginObject()
        json.name("revision")
        json.int64(revision)
        if physical {
            json.name("physical")
            json.bool(true)
        }
        json.endObject()
        return (Path.compaction.rawValue, json.bytes)
    }

    public static func leaseGrant(ttl: Int64) -> (path: String, body: [UInt8]) {
        (Path.leaseGrant.rawValue, leaseBody("TTL", ttl))
    }

    public static func leaseKeepAlive(id: Int64) -> (path: String, body: [UInt8]) {
        (Path.leaseKeepAlive.rawValue, leaseBody("ID", id))
    }

    public static func leaseRevoke(id: Int64) -> (path: String, body: [UInt8]) {
        (Path.leaseRevoke.rawValue, leaseBody("ID", id))
    }

    /// The range end that covers every key starting with `prefix`: `prefix` with its last
    /// character incremented.
    ///
    /// etcd's own rule increments the last byte below 0xff and drops the 0xff bytes after it.
    /// Keys here are Strings, which cannot hold every byte sequence (a String's UTF-8 never has a
    /// 0xff byte, and incrementing a byte can make invalid UTF-8), so this increments the last
    /// Unicode scalar instead (skipping the surrogates) and drops trailing U+10FFFF, the scalar
    /// analogue of 0xff. Because UTF-8 orders like the scalars it encodes, the range holds
    /// exactly the UTF-8 keys with the prefix, the same ones etcd's byte rule would give. An
    /// empty prefix (or one of U+10FFFF only) gives "\0": every key from `prefix` on.
    public static func prefixEnd(_ prefix: String) -> String {
        var scalars = Array(prefix.unicodeScalars)
        while let last = scalars.popLast() {
            if let next = Self.scalar(after: last) {
                scalars.append(next)
                var end = String.UnicodeScalarView()
                end.append(contentsOf: scalars)
                return String(end)
            }
        }
        return "\0"
    }

    /// The next Unicode scalar value, nil after U+10FFFF.
    static func scalar(after scalar: Unicode.Scalar) -> Unicode.Scalar? {
        switch scalar.value {
        case 0x10FFFF: return nil
        case 0xD7FF: return Unicode.Scalar(0xE000)
        default: return Unicode.Scalar(scalar.value + 1)
        }
    }

    // MARK: Writing

    /// The object of a range, put or delete request, as sent alone or inside a transaction.
    static func writeFields(of op: EtcdOp, into json: inout JSONWriter) {
        json.beginObject()
        switch op {
        case .range(let key, let rangeEnd, let limit, let revision):
            writeKey(key, rangeEnd: rangeEnd, into: &json)
            if limit != 0 {
                json.name("limit")
                json.int64(limit)
            }
            if revision != 0 {
                json.name("revision")
                json.int64(revision)
            }
        case .put(let key, let value, let lease):
            writeKey(key, rangeEnd: nil, into: &json)
            json.name("value")
            json.base64(value)
            if lease != 0 {
                json.name("lease")
                json.int64(lease)
            }
        case .deleteRange(let key, let rangeEnd):
            writeKey(key, rangeEnd: rangeEnd, into: &json)
        }
        json.endObject()
    }

    static func writeKey(_ key: String, rangeEnd: String?, into json: inout JSONWriter) {
        json.name("key")
        json.base64(key.utf8)
        if let rangeEnd {
            json.name("range_end")
            json.base64(rangeEnd.utf8)
        }
    }

    static func write(_ compare: EtcdCompare, into json: inout JSONWriter) {
        json.beginObject()
        json.name("key")
        json.base64(compare.key.utf8)
        json.name("result")
        json.asciiString(compare.result.rawValue)
        json.name("target")
        switch compare.target {
        case .version(let version):
            json.asciiString("VERSION")
            json.name("version")
            json.int64(version)
        case .createRevision(let revision):
            json.asciiString("CREATE")
            json.name("create_revision")
            json.int64(revision)
        case .modRevision(let revision):
            json.asciiString("MOD")
            json.name("mod_revision")
            json.int64(revision)
        case .value(let value):
            json.asciiString("VALUE")
            json.name("value")
            json.base64(value)
        }
        json.endObject()
    }

    /// A branch of a transaction; an empty one is left out, as etcd would read it the same.
    static func writeBranch(_ name: StaticString, _ ops: [EtcdOp], into json: inout JSONWriter) {
        guard !ops.isEmpty else { return }
        json.name(name)
        json.beginArray()
        for op in ops {
            json.beginObject()
            switch op {
            case .range: json.name("request_range")
            case .put: json.name("request_put")
            case .deleteRange: json.name("request_delete_range")
            }
            writeFields(of: op, into: &json)
            json.endObject()
        }
        json.endArray()
    }

    static func leaseBody(_ name: StaticString, _ value: Int64) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.name(name)
        json.int64(value)
        json.endObject()
        return json.bytes
    }
}
