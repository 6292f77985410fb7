/// Framing of a request body (RFC 9112 §6.3).
public enum RequestFraming: Sendable, Equatable {
    /// No body.
    case none
    /// Exactly this many bytes (may be 0).
    case contentLength(Int64)
    /// A chunked body; decode it with `ChunkedDecoder`.
    case chunked
}

/// The four shapes of request-target (RFC 9112 §3.2).
public enum RequestTargetForm: UInt8, Sendable {
    /// `/path?query`, the usual form.
    case origin
    /// `http://authority/path?query`, as sent to proxies.
    case absolute
    /// `host:port`, CONNECT only.
    case authority
    /// `*`, OPTIONS only.
    case asterisk
}

/// A parsed request head: offsets into the bytes it was parsed from, plus what the proxy decides
/// on (framing, persistence). Holds no copy of the bytes, so keep the buffer alive while using it.
///
/// One instance lives per client connection and is reused: `reset()` keeps the arrays' capacity
/// so steady-state parsing allocates nothing.
public struct RequestHead: Sendable, Equatable {
    /// The method, or `.other` (its bytes are in `methodBytes`).
    public var method: HTTPMethod
    /// The method token as received.
    public var methodBytes: Range<Int>
    /// The raw request-target.
    public var target: Range<Int>
    /// Which form `target` has.
    public var targetForm: RequestTargetForm
    /// The path: for origin-form the target before `?`/`#`; for absolute-form the path after the
    /// authority. An absolute-form target without a path (`http://h?q`) has path "/": the range
    /// then points at the `/` inside the request line's `HTTP/1.x`, so routers read "/" without
    /// an allocation. For `*` it is the `*`; for authority-form (CONNECT) it is empty.
    public var path: Range<Int>
    /// The query after `?`, excluding any `#fragment`; nil when there is no `?`.
    public var query: Range<Int>?
    /// The protocol version of the request.
    public var version: HTTPVersion
    /// Every field line, in order, including those the proxy interprets.
    public var fields: [HeaderField]
    /// The Host field value, or the authority of an absolute-form or authority-form target
    /// (which RFC 9112 §3.2.2 says overrides Host). Nil for an HTTP/1.0 request without Host.
    public var host: Range<Int>?
    /// How the body is framed.
    public var framing: RequestFraming
    /// Whether the client wants the connection kept open after the response: HTTP/1.1 unless
    /// `Connection: close`, HTTP/1.0 only with `Connection: keep-alive`.
    public var keepAlive: Bool
    /// `Expect: 100-continue` on an HTTP/1.1 request (RFC 9110 §10.1.1 says ignore it in 1.0).
    public var expectContinue: Bool
    /// An HTTP/1.1 request with an Upgrade field whose Connection lists `upgrade`.
    public var upgrade: Bool
    /// Every token of every Connection field: the names of further hop-by-hop fields.
    public var connectionTokens: [Range<Int>]
    /// Bytes of the head including the final CRLFCRLF and any skipped leading empty lines; the
    /// body or the next pipelined request starts here.
    public var headLength: Int

    /// An empty head, ready for a parser.
    public init() {
        method = .get
        methodBytes = 0..<0
        target = 0..<0
        targetForm = .origin
        path = 0..<0
        query = nil
        version = .http1_1
        fields = []
        host = nil
        framing = .none
        keepAlive = false
        expectContinue = false
        upgrade = false
        connectionTokens = []
        headLength = 0
    }

    /// Clears the head for the next message, keeping the arrays' storage (an array already
    /// empty, as Connection tokens usually are, is left alone: clearing it still costs a call).
    public mutating func reset() {
        method = .get
        methodBytes = 0..<0
        target = 0..<0
        targetForm = .origin
        path = 0..<0
        query = nil
        version = .http1_1
        if !fields.isEmpty { fields.removeAll(keepingCapacity: true) }
        host = nil
        framing = .none
        keepAlive = false
        expectContinue = false
        upgrade = false
        if !connectionTokens.isEmpty { connectionTokens.removeAll(keepingCapacity: true) }
        headLength = 0
    }

    /// The value of the first field called `name` (ASCII case-insensitive), or nil.
    /// `source` is the buffer the head was parsed from.
    @inlinable
    public func field(_ name: StaticString, in source: UnsafeRawBufferPointer) -> Range<Int>? {
        HeaderField.first(name, in: fields, source: source)
    }
}

extension HeaderField {
    /// The value of the first of `fields` named `name`, ignoring ASCII case.
    @inlinable
    static func first(_ name: StaticString, in fields: [HeaderField], source: UnsafeRawBufferPointer) -> Range<Int>? {
        for f in fields where ASCII.equalsIgnoringCase(source, f.name, name) { return f.value }
        return nil
    }
}
