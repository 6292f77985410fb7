/// The bytes of one watch connection turned into messages: the HTTP answer's head and chunked
/// body (`HTTPAnswerDecoder`), the body cut into JSON objects (`JSONObjectSplitter`), each
/// object decoded. Pure: `EtcdWatch` feeds it what the socket gives, the tests feed it captured
/// streams split anywhere.
struct WatchStream {
    let endpoint: EtcdEndpoint
    private var decoder = HTTPAnswerDecoder(maxBodyBytes: EtcdClient.maxAnswerBytes)
    private var splitter = JSONObjectSplitter(maxObjectBytes: EtcdClient.maxAnswerBytes)
    /// The connection ended (end of file); buffered messages are still handed out first.
    private var closed = false

    init(endpoint: EtcdEndpoint) {
        self.endpoint = endpoint
    }

    /// Takes bytes read from the connection. A status other than 200 is thrown as etcd's error
    /// once its body is complete.
    mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(EtcdError) {
        do {
            _ = try decoder.consume(bytes)
        } catch {
            throw .malformed("etcd at \(endpoint) answered a watch with an answer Turnout cannot read: \(error.message)")
        }
        try passBody()
    }

    /// The connection reached end of file.
    mutating func endOfFile() throws(EtcdError) {
        closed = true
        if let status = decoder.status, status != 200 {
            do {
                try decoder.endOfFile()
            } catch {
                throw .unavailable("etcd at \(endpoint) closed the connection in the middle of its HTTP \(status) answer to a watch")
            }
            try passBody()
        }
    }

    /// The next message, nil until more bytes arrive. A canceled watch is thrown: a compaction
    /// as `.compacted(revision:)`, any other cancel as `.server(code: 1, …)` (CANCELLED) with
    /// etcd's reason; the stream's end as `.unavailable`.
    mutating func next() throws(EtcdError) -> EtcdWatchMessage? {
        let object: [UInt8]?
        do {
            object = try splitter.next()
        } catch {
            throw .malformed("etcd at \(endpoint) sent a watch stream that is not a sequence of JSON objects: \(error.message)")
        }
        guard let object else {
            if decoder.isComplete { throw .unavailable("etcd at \(endpoint) ended the watch stream") }
            if closed { throw .unavailable("etcd at \(endpoint) closed the watch connection") }
            return nil
        }
        let message: EtcdWatchMessage
        do {
            message = try EtcdCodec.decodeWatchMessage(object)
        } catch .malformed(let text) {
            throw .malformed("\(text) (etcd at \(endpoint), watch stream)")
        }
        if message.canceled {
            if message.compactRevision > 0 { throw .compacted(revision: message.compactRevision) }
            throw .server(code: 1, message: "etcd canceled the watch" + (message.cancelReason.map { ": \($0)" } ?? ""))
        }
        return message
    }

    /// Hands the body over to the splitter once the answer is known to be a 200 stream; throws
    /// the error of any other complete answer.
    private mutating func passBody() throws(EtcdError) {
        guard let status = decoder.status else { return }
        guard status == 200 else {
            if decoder.isComplete { throw EtcdCodec.decodeError(status: status, body: decoder.takeBody()) }
            return
        }
        let body = decoder.takeBody()
        if !body.isEmpty { splitter.append(body) }
    }
}
