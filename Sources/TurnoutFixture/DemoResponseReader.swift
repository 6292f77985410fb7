import TurnoutHTTP

/// Reads one HTTP/1.1 response after another from a client connection's bytes: the head (1xx
/// interim answers skipped), then the body by its framing, which is only skipped. Like the load
/// generator's reader (Benchmarks/Load), which this module cannot depend on; it also hands back
/// what the demo counts: the status and the `X-Turnout-Pool` value.
struct DemoResponseReader {
    private var parser = ResponseHeadParser(limits: HTTPLimits())
    private var head = ResponseHead()
    private var chunked = ChunkedDecoder()
    private enum Body { case head, length(Int64), chunked, untilClose }
    private var body = Body.head
    /// The final head's status and pool, kept until the body ends.
    private(set) var status = 0
    private(set) var pool: String?
    private(set) var keepAlive = false

    /// What one call of `consume` found.
    enum Step: Equatable {
        /// Everything usable was used (`consumed` bytes); call again with more.
        case needMore(consumed: Int)
        /// The response ended `consumed` bytes into the window.
        case complete(consumed: Int)
        /// Not a valid response: the connection cannot be used further.
        case failed
    }

    /// Forgets any partial response.
    mutating func reset() {
        parser.reset()
        body = .head
        status = 0
        pool = nil
        keepAlive = false
    }

    /// Reads as far into `window` as the end of the response.
    mutating func consume(_ window: UnsafeRawBufferPointer) -> Step {
        var used = 0
        while true {
            switch body {
            case .head:
                let rest = UnsafeRawBufferPointer(rebasing: window[used...])
                switch parser.parse(rest, requestMethod: .get, into: &head) {
                case .needMore: return .needMore(consumed: used)
                case .failed: return .failed
                case .complete:
                    used += head.headLength
                    if head.isInformational {
                        // 101 is no answer to a plain GET; anything else interim is skipped.
                        if head.status == 101 { return .failed }
                        parser.reset()
                        continue
                    }
                    status = head.status
                    pool = head.field("x-turnout-pool", in: rest).map { String(decoding: rest[$0], as: UTF8.self) }
                    keepAlive = head.keepAlive
                    parser.reset()
                    switch head.framing {
                    case .none: body = .length(0)
                    case .contentLength(let length): body = .length(length)
                    case .chunked: chunked.reset(); body = .chunked
                    case .closeDelimited: body = .untilClose
                    }
                }
            case .length(let remaining):
                let take = min(remaining, Int64(window.count - used))
                used += Int(take)
                guard take == remaining else {
                    body = .length(remaining - take)
                    return .needMore(consumed: used)
                }
                body = .head
                return .complete(consumed: used)
            case .chunked:
                switch chunked.decode(UnsafeRawBufferPointer(rebasing: window[used...])) {
                case .data(let range): used += range.upperBound
                case .needMore(let consumed): return .needMore(consumed: used + consumed)
                case .end(let consumed):
                    body = .head
                    return .complete(consumed: used + consumed)
                case .failed: return .failed
                }
            case .untilClose:
                return .needMore(consumed: window.count)
            }
        }
    }

    /// The connection closed: true when that ends the response (a close-delimited body).
    mutating func endOfFile() -> Bool {
        guard case .untilClose = body else { return false }
        body = .head
        return true
    }
}
