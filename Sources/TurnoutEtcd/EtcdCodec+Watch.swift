/// The watch stream: the request that creates a watch, and the messages that come back.
extension EtcdCodec {
    /// Creates a watch on `key` (or `[key, rangeEnd)`) from `startRevision` (0: from now on).
    /// `previousKV` asks for each key's value before the change; `progressNotify` for empty
    /// messages now and then that tell how far the store has come.
    public static func watchCreate(key: String, rangeEnd: String?, startRevision: Int64, previousKV: Bool,
                                   progressNotify: Bool) -> (path: String, body: [UInt8]) {
        var json = JSONWriter()
        json.beginObject()
        json.name("create_request")
        json.beginObject()
        writeKey(key, rangeEnd: rangeEnd, into: &json)
        if startRevision != 0 {
            json.name("start_revision")
            json.int64(startRevision)
        }
        if progressNotify {
            json.name("progress_notify")
            json.bool(true)
        }
        if previousKV {
            json.name("prev_kv")
            json.bool(true)
        }
        json.endObject()
        json.endObject()
        return (Path.watch.rawValue, json.bytes)
    }

    /// One object of the stream: `{"result":{…}}` becomes a message (a canceled one too: the
    /// caller decides what a cancel means); `{"error":…}` is thrown as the error it reports.
    public static func decodeWatchMessage(_ json: [UInt8]) throws(EtcdError) -> EtcdWatchMessage {
        let fields = try JSONFields.parse(json, answer: "etcd's watch message")
        if fields.has("error") { throw streamError(fields) }
        guard let result = try fields.object("result") else {
            throw .malformed("etcd's watch message has neither \"result\" nor \"error\"\(JSONFields.excerpt(json))")
        }
        var events: [EtcdWatchEvent] = []
        for event in try result.objects("events") { events.append(try watchEvent(event)) }
        let reason = try result.string("cancel_reason")
        return EtcdWatchMessage(header: try header(of: result), watchID: try result.int64("watch_id"),
                                created: try result.bool("created"), canceled: try result.bool("canceled"),
                                compactRevision: try result.int64("compact_revision"),
                                cancelReason: reason?.isEmpty == true ? nil : reason, events: events)
    }

    /// One event: `type` is absent for a put (PUT is the enum's default), "DELETE" for a delete.
    static func watchEvent(_ event: JSONFields) throws(EtcdError) -> EtcdWatchEvent {
        let kind: EtcdWatchEvent.Kind
        switch event.value("type") {
        case nil, .string("PUT")?, .number("0")?: kind = .put
        case .string("DELETE")?, .number("1")?: kind = .delete
        case let other?: throw event.wrongKind("type", other, expected: "\"PUT\" or \"DELETE\"")
        }
        guard let kv = try event.object("kv") else { throw .malformed("\(event.answer) has \(event.path) without a kv") }
        var previous: EtcdKeyValue? = nil
        if let fields = try event.object("prev_kv") { previous = try keyValue(fields) }
        return EtcdWatchEvent(kind: kind, kv: try keyValue(kv), previous: previous)
    }
}
