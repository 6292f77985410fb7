import TurnoutHTTP

/// Reads one HTTP/1.1 answer from the bytes of a connection, in whatever pieces they arrive:
/// the head with Turnout's strict parser (interim 1xx heads skipped), then the body by its
/// framing (Content-Length, chunked, or until the connection closes), collected in `body`.
///
/// Pure, so it is tested with answers split at every byte. Unary calls feed it until
/// `.complete`; the watch feeds it forever and takes the body out as it grows (`takeBody`).
/// The body held at once is bounded: an answer past `maxBodyBytes` is an error, not a
/// 64 MiB-and-counting allocation.
struct HTTPAnswerDecoder {
    /// What one `consume` reached.
    enum Step: Equatable {
        /// Everything given was used; the answer needs more bytes.
        case needMore
        /// The answer ended; `leftover` bytes at the end of the window were not part of it.
        case complete(leftover: Int)
    }

    /// Why the bytes are not an answer Turnout can read.
    struct Failure: Error, Equatable {
        let message: String
    }

    /// A head longer than this is not etcd's.
    static let limits = HTTPLimits(maxHeadBytes: 16 * 1024, maxRequestLineBytes: 1024, maxHeaderCount: 64)

    let maxBodyBytes: Int
    /// The final head's status, once it is parsed.
    private(set) var status: Int?
    /// Whether the connection may carry another request after this answer.
    private(set) var keepAlive = false
    /// Body bytes received and not yet taken.
    private(set) var body: [UInt8] = []

    private enum Phase { case head, length(Int64), chunked, untilClose, done }
    private var phase = Phase.head
    private var headBytes: [UInt8] = []
    private var parser = ResponseHeadParser(limits: HTTPAnswerDecoder.limits)
    private var head = ResponseHead()
    private var chunked = ChunkedDecoder(maxLineBytes: 1024, maxTrailerBytes: 16 * 1024)

    init(maxBodyBytes: Int = 64 << 20) {
        self.maxBodyBytes = maxBodyBytes
    }

    /// The body so far, handed over and forgotten (the watch's stream of objects).
    mutating func takeBody() -> [UInt8] {
        defer { body.removeAll(keepingCapacity: true) }
        return body
    }

    var isComplete: Bool {
        if case .done = phase { return true }
        return false
    }

    /// Reads as much of `window` as belongs to this answer.
    mutating func consume(_ window: UnsafeRawBufferPointer) throws(Failure) -> Step {
        var used = 0
        while true {
            switch phase {
            case .done:
                return .complete(leftover: window.count - used)
            case .head:
                guard used < window.count else { return .needMore }
                used += try consumeHead(UnsafeRawBufferPointer(rebasing: window[used...]))
                if case .head = phase { return .needMore }
            case .length(let remaining):
                let take = Int(min(remaining, Int64(window.count - used)))
                try append(UnsafeRawBufferPointer(rebasing: window[used..<(used + take)]))
                used += take
                if Int64(take) == remaining {
                    phase = .done
                } else {
                    phase = .length(remaining - Int64(take))
                    return .needMore
                }
            case .chunked:
                guard used < window.count else { return .needMore }
                let rest = UnsafeRawBufferPointer(rebasing: window[used...])
                switch chunked.decode(rest) {
                case .data(let range):
                    try append(UnsafeRawBufferPointer(rebasing: rest[range]))
                    used += range.upperBound
                case .needMore(let consumed):
                    used += consumed
                case .end(let consumed):
                    used += consumed
                    phase = .done
                case .failed(let error):
                    throw Failure(message: "its chunked body is malformed (\(error.message))")
                }
            case .untilClose:
                try append(UnsafeRawBufferPointer(rebasing: window[used...]))
                return .needMore
            }
        }
    }

    /// The connection closed: true when that completes the answer (a body that runs until the
    /// close); an error when the answer was cut short.
    mutating func endOfFile() throws(Failure) {
        switch phase {
        case .done: return
        case .untilClose: phase = .done
        case .head:
            throw Failure(message: headBytes.isEmpty ? "the connection closed before any answer" : "the connection closed in the middle of the answer's head")
        case .length, .chunked:
            throw Failure(message: "the connection closed in the middle of the answer's body")
        }
    }

    /// Adds head bytes and parses; returns how many of `window` were used (all of it until the
    /// head completes, then only the head's share).
    private mutating func consumeHead(_ window: UnsafeRawBufferPointer) throws(Failure) -> Int {
        headBytes.append(contentsOf: window)
        while true {
            let result = headBytes.withUnsafeBytes { parser.parse($0, requestMethod: .post, into: &head) }
            switch result {
            case .needMore:
                return window.count
            case .failed(let error):
                throw Failure(message: "its head is malformed (\(error.message))")
            case .complete:
                if head.isInformational && head.status != 101 {
                    // An interim answer; the real one follows.
                    headBytes.removeSubrange(0..<head.headLength)
                    parser.reset()
                    if headBytes.isEmpty { return window.count }
                    continue
                }
                // Only the head's bytes of this window were used; the rest is body, read next.
                let used = window.count - (headBytes.count - head.headLength)
                status = head.status
                keepAlive = head.keepAlive
                headBytes.removeAll()
                switch head.framing {
                case .none: phase = .done
                case .contentLength(let length):
                    guard length <= Int64(maxBodyBytes) else { throw tooLarge() }
                    phase = length == 0 ? .done : .length(length)
                case .chunked: phase = .chunked
                case .closeDelimited: phase = .untilClose
                }
                return used
            }
        }
    }

    private mutating func append(_ bytes: UnsafeRawBufferPointer) throws(Failure) {
        guard body.count + bytes.count <= maxBodyBytes else { throw tooLarge() }
        body.append(contentsOf: bytes)
    }

    private func tooLarge() -> Failure {
        Failure(message: "its body is larger than the \(maxBodyBytes >> 20) MiB Turnout accepts")
    }
}
