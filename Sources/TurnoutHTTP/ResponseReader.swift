/// Reads HTTP/1.1 responses one after another from a client connection's bytes: the head (1xx
/// interim answers skipped), then the body by its framing — Content-Length, chunked, or until the
/// connection closes. The load generator, the soak client and the demo's traffic share it.
public struct ResponseReader {
    /// The head of the response being read (valid from `.head` until the next response starts).
    public private(set) var head = ResponseHead()
    private var parser = ResponseHeadParser(limits: HTTPLimits())
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

    public init() {}

    /// Forgets any partial response (a new connection, a new request).
    public mutating func reset() {
        parser.reset()
        body = .head
    }

    /// Reads as far into `window` as the next event.
    public mutating func consume(_ window: UnsafeRawBufferPointer) -> Step {
        var used = 0
        while true {
            switch body {
            case .head:
                let start = used
                switch parser.parse(UnsafeRawBufferPointer(rebasing: window[used...]), requestMethod: .get, into: &head) {
                case .needMore: return .needMore(consumed: used)
                case .failed: return .failed
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
                used += take
                guard take == remaining else {
                    body = .length(remaining - take)
                    return .needMore(consumed: used)
                }
                reset()
                return .complete(consumed: used)
            case .chunked:
                switch chunked.decode(UnsafeRawBufferPointer(rebasing: window[used...])) {
                case .data(let range): used += range.upperBound
                case .needMore(let consumed): return .needMore(consumed: used + consumed)
                case .end(let consumed):
                    reset()
                    return .complete(consumed: used + consumed)
                case .failed: return .failed
                }
            case .untilClose:
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
