/// Incremental, strict parser of a response head from an upstream. Same contract as
/// `RequestHeadParser`: call again with the longer buffer, pass the same head each time.
///
/// Every error it reports carries status 502: the upstream broke the protocol, not the client.
public struct ResponseHeadParser: Sendable {
    /// The limits this parser enforces (`maxRequestLineBytes` bounds the status line).
    public var limits: HTTPLimits
    var scanner = HeadScanner()
    var phase = RequestHeadParser.Phase.idle
    var fieldCount = 0
    var contentLength: Int64? = nil
    var contentLengthError: HTTPError.Kind? = nil
    var codings = FramingFields.TransferCodings()
    var connection = FramingFields.ConnectionOptions()

    /// A parser for one response at a time.
    public init(limits: HTTPLimits) {
        self.limits = limits
    }

    /// Forgets the current message; the next `parse` starts a new one (and resets the head).
    /// Call it after each interim (1xx) response too.
    public mutating func reset() {
        self = ResponseHeadParser(limits: limits)
    }

    /// Parses `bytes`, everything received so far for this response starting at its first byte.
    ///
    /// Framing depends on the request: HEAD → `.none`; 1xx, 204, 304 → `.none`; 101 → `.none`
    /// (the caller tunnels); 2xx to CONNECT → `.none` (tunnel); chunked as the only coding →
    /// `.chunked`; Content-Length → `.contentLength`; neither → `.closeDelimited`.
    /// Content-Length with Transfer-Encoding, differing Content-Lengths, or any transfer coding
    /// but a lone `chunked` → `.failed` (the proxy answers 502): a body Turnout cannot re-frame
    /// exactly must not reach the client.
    public mutating func parse(_ bytes: UnsafeRawBufferPointer, requestMethod: HTTPMethod,
                               into head: inout ResponseHead) -> HeadParseResult {
        switch phase {
        case .finished(let result): return result
        case .idle:
            head.reset()
            phase = .startLine
        case .startLine, .fields: break
        }
        while true {
            switch scanner.next(bytes, limits: limits) {
            case .needMore:
                return .needMore
            case .failed(let kind):
                return fail(kind)
            case .line(let content):
                if phase == .startLine {
                    if let kind = StatusLine.parse(bytes, content, into: &head) { return fail(kind) }
                    phase = .fields
                    scanner.inStartLine = false
                } else if content.isEmpty {
                    head.headLength = scanner.lineStart
                    if let kind = decideFraming(requestMethod: requestMethod, into: &head) { return fail(kind) }
                    phase = .finished(.complete)
                    return .complete
                } else {
                    fieldCount &+= 1
                    if fieldCount > limits.maxHeaderCount { return fail(.tooManyFields) }
                    var field = HeaderField(name: 0..<0, value: 0..<0)
                    if let kind = FieldLine.parse(bytes, content, into: &field) { return fail(kind) }
                    head.fields.append(field)
                    if let kind = interpret(field, bytes, into: &head) { return fail(kind) }
                }
            }
        }
    }

    private mutating func fail(_ kind: HTTPError.Kind) -> HeadParseResult {
        let result = HeadParseResult.failed(HTTPError(kind).asUpstreamError)
        phase = .finished(result)
        return result
    }

    private mutating func interpret(_ field: HeaderField, _ bytes: UnsafeRawBufferPointer, into head: inout ResponseHead) -> HTTPError.Kind? {
        let name = field.name
        switch name.count {
        case 10 where ASCII.equalsLowercase(bytes, name, "connection"):
            return connection.add(bytes, field.value, tokens: &head.connectionTokens)
        case 14 where ASCII.equalsLowercase(bytes, name, "content-length"):
            switch FramingFields.contentLength(bytes, field.value) {
            case .invalid: return .invalidContentLength
            case .conflicting: return .conflictingContentLength
            case .value(let n):
                if let previous = contentLength, previous != n { return .conflictingContentLength }
                contentLength = n
            }
        case 17 where ASCII.equalsLowercase(bytes, name, "transfer-encoding"):
            return codings.add(bytes, field.value)
        default:
            break
        }
        return nil
    }

    private func decideFraming(requestMethod: HTTPMethod, into head: inout ResponseHead) -> HTTPError.Kind? {
        let is11 = head.version == .http1_1
        // Ambiguous framing is refused even where the body is absent: such an upstream is broken
        // and its next response on this connection cannot be trusted.
        if codings.present {
            if contentLength != nil { return .contentLengthWithTransferEncoding }
            if !is11 { return .transferEncodingInHTTP10 }
            // Only a lone `chunked` can be re-framed for the client without passing on a coding.
            if let kind = codings.requestError { return kind }
        }
        head.contentLength = contentLength
        let status = head.status
        if requestMethod == .head || (status >= 100 && status < 200) || status == 204 || status == 304
            || (requestMethod == .connect && status >= 200 && status < 300) {
            head.framing = .none
        } else if codings.present {
            head.framing = .chunked
        } else if let n = contentLength {
            head.framing = .contentLength(n)
        } else {
            head.framing = .closeDelimited
        }
        head.keepAlive = head.framing != .closeDelimited
            && (is11 ? !connection.close : (connection.keepAlive && !connection.close))
        return nil
    }
}
