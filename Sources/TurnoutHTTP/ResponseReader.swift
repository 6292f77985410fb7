/// Reads HTTP/1.1 responses one after another from a client connection's bytes: the head (1xx
/// interim answers skipped), then the body by its framing — Content-Length, chunked, or until the
/// connection closes. The load generator, the soak client, the demo's traffic and the control
/// side's probes (health checks, a switch's preflight) share it.
public struct ResponseReader {
    /// The head of the response being read (valid from `.head` until the next response starts).
    public private(set) var head = ResponseHead()
    /// Why the last `.failed` was returned: the head's or the chunked body's error.
    public private(set) var error: HTTPError?
    private var parser: ResponseHeadParser
    private enum Body { case head, length(Int), chunked, untilClose }
    private var body = Body.head
    private var chunked = ChunkedDecoder()

    /// What one call of `consume` found.
    public enum Step {
        /// All of the window was used, or the rest is an incomplete head: call again with more.
        case needMore(consumed: Int)
        /// The head is complete; its fields are relative to the window from `start` on.
        case head(start: Int, consumed: Int)
        /// The response ended `consumed` bytes into the window; the next one may follow.
        case complete(consumed: Int)
        /// Not a valid response: the connection cannot be used further.
        case failed
    }

    /// A reader whose heads must fit `limits` (nginx-like defaults).
    public init(limits: HTTPLimits = HTTPLimits()) {
        parser = ResponseHeadParser(limits: limits)
    }

    /// Forgets any partial response (a new connection, a new request).
    public mutating func reset() {
        parser.reset()
        body = .head
        error = nil
    }

    /// Reads as far into `window` as the next event.
    public mutating func consume(_ window: UnsafeRawBufferPointer) -> Step {
        consume(window, bodyBytes: nil)
    }

    /// Reads as far into `window` as the next event, handing each piece of the body (framing
    /// removed: no chunk sizes) to `bodyBytes` as it passes. The pieces point into `window`
    /// and are valid only during the call.
    public mutating func consume(_ window: UnsafeRawBufferPointer, bodyBytes: ((UnsafeRawBufferPointer) -> Void)?) -> Step {
        var used = 0
        while true {
            switch body {
            case .head:
                let start = used
                switch parser.parse(UnsafeRawBufferPointer(rebasing: window[used...]), requestMethod: .get, into: &head) {
                case .needMore: return .needMore(consumed: used)
                case .failed(let failure):
                    error = failure
                    return .failed
                case .complete:
                    used += head.headLength
                    if head.isInformational && head.status != 101 {
                        parser.reset()
                        continue
                    }
                    switch head.framing {
                    case .none: body = .length(0)
                    case .contentLength(let length): body = .length(Int(length))
                    case .chunked: chunked.reset(); body = .chunked
                    case .closeDelimited: body = .untilClose
                    }
                    return .head(start: start, consumed: used)
                }
            case .length(let remaining):
                let take = min(remaining, window.count - used)
                if let bodyBytes, take > 0 { bodyBytes(UnsafeRawBufferPointer(rebasing: window[used..<used + take])) }
                used += take
                guard take == remaining else {
                    body = .length(remaining - take)
                    return .needMore(consumed: used)
                }
                reset()
                return .complete(consumed: used)
            case .chunked:
                switch chunked.decode(UnsafeRawBufferPointer(rebasing: window[used...])) {
                case .data(let range):
                    if let bodyBytes { bodyBytes(UnsafeRawBufferPointer(rebasing: window[used + range.lowerBound..<used + range.upperBound])) }
                    used += range.upperBound
                case .needMore(let consumed): return .needMore(consumed: used + consumed)
                case .end(let consumed):
                    reset()
                    return .complete(consumed: used + consumed)
                case .failed(let failure):
                    error = failure
                    return .failed
                }
            case .untilClose:
                if let bodyBytes, used < window.count { bodyBytes(UnsafeRawBufferPointer(rebasing: window[used...])) }
                return .needMore(consumed: window.count)
            }
        }
    }

    /// The connection closed: true when that ends the response (a close-delimited body).
    public mutating func endOfFile() -> Bool {
        guard case .untilClose = body else { return false }
        reset()
        return true
    }
}
