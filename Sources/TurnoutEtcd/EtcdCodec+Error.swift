/// etcd's error answers. A unary call that fails answers a non-200 status with
/// `{"error":"…","message":"…","code":N}` (N a gRPC status code); a stream that fails after it
/// started writes `{"error":{"grpc_code":N,"http_code":…,"message":"…","http_status":"…"}}`
/// as one of its objects.
extension EtcdCodec {
    /// The error an answer of HTTP `status` reports. A body that is not etcd's JSON error (a
    /// proxy's page, a 404 from something that is not the v3 gateway) becomes `.malformed` with
    /// the status and the body's start.
    public static func decodeError(status: Int, body: [UInt8]) -> EtcdError {
        let answer = "etcd's HTTP \(status) answer"
        let fields: JSONFields
        do {
            fields = try JSONFields.parse(body, answer: answer)
        } catch {
            let hint = status == 404 ? "; is this etcd 3.4 or later, with its v3 JSON gateway?" : ""
            return .malformed("\(answer) is not an etcd error\(JSONFields.excerpt(body))\(hint)")
        }
        do throws(EtcdError) {
            if case .object? = fields.value("error") { return streamError(fields) }
            guard fields.has("error") || fields.has("code") || fields.has("message") else {
                return .malformed("\(answer) is JSON without an error in it\(JSONFields.excerpt(body))")
            }
            return serverError(code: try fields.int("code"), message: try message(fields))
        } catch {
            return error
        }
    }

    /// The error of a stream's `{"error":…}` object, in either shape.
    static func streamError(_ fields: JSONFields) -> EtcdError {
        do throws(EtcdError) {
            if case .object? = fields.value("error"), let inner = try fields.object("error") {
                return serverError(code: try inner.int("grpc_code"), message: try message(inner))
            }
            return serverError(code: try fields.int("code"), message: try message(fields))
        } catch {
            return error
        }
    }

    /// The error's text: `message`, else `error` (the gateway sends both, alike).
    static func message(_ fields: JSONFields) throws(EtcdError) -> String {
        if let message = try fields.string("message"), !message.isEmpty { return message }
        if let error = try fields.string("error"), !error.isEmpty { return error }
        return "(no message)"
    }

    /// `.server`, except that a compaction gets its own case. etcd's unary answer does not say
    /// which revision is the oldest left, so the revision is 0 here (`EtcdClient` asks for it).
    static func serverError(code: Int, message: String) -> EtcdError {
        if code == 11 && message.contains("required revision has been compacted") { return .compacted(revision: 0) }
        return .server(code: code, message: message)
    }
}
