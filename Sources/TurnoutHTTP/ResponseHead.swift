/// Framing of a response body (RFC 9112 §6.3).
public enum ResponseFraming: Sendable, Equatable {
    /// No body: a response to HEAD, 1xx, 204, 304, or a 2xx to CONNECT.
    case none
    /// Exactly this many bytes.
    case contentLength(Int64)
    /// A chunked body; decode it with `ChunkedDecoder`.
    case chunked
    /// The body runs until the upstream closes the connection.
    case closeDelimited
}

/// A parsed response head: offsets into the bytes it was parsed from plus the framing and
/// persistence decisions. Reused across responses; `reset()` keeps the arrays' capacity.
public struct ResponseHead: Sendable, Equatable {
    /// The status code, 100–999.
    public var status: Int
    /// The upstream's protocol version.
    public var version: HTTPVersion
    /// The reason phrase (possibly empty).
    public var reason: Range<Int>
    /// Every field line, in order.
    public var fields: [HeaderField]
    /// How the body is framed.
    public var framing: ResponseFraming
    /// The Content-Length value, even when it does not frame the body (HEAD, 304), so the
    /// encoder can pass it on.
    public var contentLength: Int64?
    /// Whether the upstream connection may carry another request after this response: HTTP/1.1
    /// unless `Connection: close`, HTTP/1.0 only with `keep-alive`, never when close-delimited.
    public var keepAlive: Bool
    /// Every token of every Connection field: the names of further hop-by-hop fields.
    public var connectionTokens: [Range<Int>]
    /// Bytes of the head including the final CRLFCRLF; the body starts here.
    public var headLength: Int

    /// Whether this is an interim response (1xx); another head follows it, except after 101.
    @inlinable
    public var isInformational: Bool { status >= 100 && status < 200 }

    /// An empty head, ready for a parser.
    public init() {
        status = 0
        version = .http1_1
        reason = 0..<0
        fields = []
        framing = .none
        contentLength = nil
        keepAlive = false
        connectionTokens = []
        headLength = 0
    }

    /// Clears the head for the next message, keeping the arrays' storage (an array already
    /// empty, as Connection tokens usually are, is left alone: clearing it still costs a call).
    public mutating func reset() {
        status = 0
        version = .http1_1
        reason = 0..<0
        if !fields.isEmpty { fields.removeAll(keepingCapacity: true) }
        framing = .none
        contentLength = nil
        keepAlive = false
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
