/// Incremental, strict parser of a request head (RFC 9112 §2–§6, RFC 9110 §5).
///
/// The caller accumulates the head in one contiguous buffer and calls `parse` again with the
/// longer buffer after each read, passing the same `RequestHead` every time. Each line is
/// validated once, as soon as its CRLF arrives; the limits are checked on the partial line too,
/// so an endless head fails as soon as it crosses `maxHeadBytes`.
///
/// After `.complete` or `.failed`, further calls return the same result until `reset()`.
public struct RequestHeadParser: Sendable {
    /// The limits this parser enforces.
    public var limits: HTTPLimits
    var scanner = HeadScanner()
    var phase = Phase.idle
    var fieldCount = 0
    // What the fields said so far; decided on when the head is complete.
    var hostCount = 0
    var contentLength: Int64? = nil
    var codings = FramingFields.TransferCodings()
    var connection = FramingFields.ConnectionOptions()
    var sawUpgradeField = false
    var expectContinue = false

    /// Where the parser is in the head.
    enum Phase: Equatable {
        case idle, startLine, fields
        case finished(HeadParseResult)
    }

    /// A parser for one request at a time.
    public init(limits: HTTPLimits) {
        self.limits = limits
    }

    /// Forgets the current message; the next `parse` starts a new one (and resets the head).
    public mutating func reset() {
        self = RequestHeadParser(limits: limits)
    }

    /// Parses `bytes`, everything received so far for this request starting at its first byte.
    ///
    /// Returns `.complete` when the head is complete and valid (`head.headLength` says where the
    /// body starts), `.needMore`, or `.failed` with the status to answer.
    public mutating func parse(_ bytes: UnsafeRawBufferPointer, into head: inout RequestHead) -> HeadParseResult {
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
                return finish(.failed(HTTPError(kind)))
            case .line(let content):
                if phase == .startLine {
                    // RFC 9112 §2.2: ignore empty lines before the request line.
                    if content.isEmpty { continue }
                    if let kind = RequestLine.parse(bytes, content, into: &head) {
                        return finish(.failed(HTTPError(kind)))
                    }
                    phase = .fields
                    scanner.inStartLine = false
                } else if content.isEmpty {
                    head.headLength = scanner.lineStart
                    if let kind = decideFraming(into: &head) { return finish(.failed(HTTPError(kind))) }
                    return finish(.complete)
                } else {
                    fieldCount &+= 1
                    if fieldCount > limits.maxHeaderCount { return finish(.failed(HTTPError(.tooManyFields))) }
                    var field = HeaderField(name: 0..<0, value: 0..<0)
                    if let kind = FieldLine.parse(bytes, content, into: &field) {
                        return finish(.failed(HTTPError(kind)))
                    }
                    head.fields.append(field)
                    if let kind = interpret(field, bytes, into: &head) {
                        return finish(.failed(HTTPError(kind)))
                    }
                }
            }
        }
    }

    private mutating func finish(_ result: HeadParseResult) -> HeadParseResult {
        phase = .finished(result)
        return result
    }

    /// Notes what the fields that matter to the proxy say. Names are told apart by length first,
    /// so an ordinary field costs one switch.
    private mutating func interpret(_ field: HeaderField, _ bytes: UnsafeRawBufferPointer, into head: inout RequestHead) -> HTTPError.Kind? {
        let name = field.name
        switch name.count {
        case 4 where ASCII.equalsLowercase(bytes, name, "host"):
            hostCount &+= 1
            if hostCount > 1 { return .multipleHost }
            if !FramingFields.isValidHost(bytes, field.value) { return .invalidHost }
            // An absolute-form target's authority has already been taken as the host.
            if head.targetForm == .origin || head.targetForm == .asterisk { head.host = field.value }
        case 6 where ASCII.equalsLowercase(bytes, name, "expect"):
            if field.value.isEmpty { break }
            guard ASCII.equalsLowercase(bytes, field.value, "100-continue") else { return .unsupportedExpectation }
            expectContinue = true
        case 7 where ASCII.equalsLowercase(bytes, name, "upgrade"):
            sawUpgradeField = true
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

    /// The whole-head rules: Host, framing (RFC 9112 §6.3) and persistence.
    private func decideFraming(into head: inout RequestHead) -> HTTPError.Kind? {
        let is11 = head.version == .http1_1
        if is11 && hostCount == 0 { return .missingHost }
        if codings.present {
            // Both present is the classic CL.TE / TE.CL smuggling shape: never pick one.
            if contentLength != nil { return .contentLengthWithTransferEncoding }
            // RFC 9112 §6.1: a 1.0 message with Transfer-Encoding has faulty framing.
            if !is11 { return .transferEncodingInHTTP10 }
            if let kind = codings.requestError { return kind }
            head.framing = .chunked
        } else if let n = contentLength {
            head.framing = .contentLength(n)
        } else {
            head.framing = .none
        }
        head.keepAlive = is11 ? !connection.close : (connection.keepAlive && !connection.close)
        // RFC 9110 §7.8 and §10.1.1: Upgrade and 100-continue mean nothing in HTTP/1.0.
        head.upgrade = is11 && sawUpgradeField && connection.upgrade
        head.expectContinue = is11 && expectContinue
        return nil
    }
}
