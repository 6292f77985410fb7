import TurnoutHTTP
import TurnoutPosix

/// One `GET` on a fresh non-blocking connection with `Connection: close`, as the control side
/// sends it straight to an upstream server: the health checks (which need the status only) and
/// a switch's preflight (which reads the body too, up to `bodyLimit` bytes). The answer is read
/// by `ResponseReader`, so any framing works: Content-Length, chunked, or until the close.
///
/// The owner is the `EventHandler` registered for the socket and keeps the deadline on its
/// loop's timer wheel: it passes its events to `handle` until an outcome comes back, and calls
/// `cancel` when its deadline passes first. An exchange that reached an outcome has closed its
/// connection already.
struct ProbeExchange: ~Copyable {
    /// What came back.
    struct Answer: Sendable, Equatable {
        var status: Int
        /// The body's first bytes, at most `bodyLimit`.
        var body: [UInt8]
        /// Whether the body went on past `body` (only its first `bodyLimit` bytes were read).
        var truncated: Bool
    }

    /// Why no answer came back.
    enum Failure: Sendable, Equatable {
        /// connect(2) failed, at once or later (`ECONNREFUSED` on loopback comes at once).
        case connect(Errno)
        /// The request could not be written.
        case send
        /// The server closed the connection before a complete head (`afterStatus` nil), or
        /// before the end of the body of an answer with that status.
        case closed(afterStatus: Int?)
        /// The bytes are not an HTTP/1.1 answer (the reason from the codec).
        case invalid(String)
    }

    enum Outcome: Sendable, Equatable {
        case answered(Answer)
        case failed(Failure)
    }

    private enum Phase { case idle, connecting, reading }

    /// The most body bytes kept; 0 ends the exchange at the head.
    let bodyLimit: Int
    private var phase = Phase.idle
    private var socket = Socket(adopting: -1)
    private var registration: Registration?
    private var loop: EventLoop?
    private var request: [UInt8] = []
    private var reader: ResponseReader
    /// Bytes read and not yet consumed by the reader: `input[consumed..<filled]`.
    private var input: [UInt8]
    private var filled = 0
    private var consumed = 0
    private var status: Int?
    private var body: [UInt8] = []
    private var truncated = false

    /// An exchange whose answer head must fit `headLimit` bytes and whose body is kept up to
    /// `bodyLimit` bytes.
    init(headLimit: Int, bodyLimit: Int) {
        self.bodyLimit = bodyLimit
        reader = ResponseReader(limits: HTTPLimits(maxHeadBytes: headLimit, maxRequestLineBytes: min(headLimit, 8192), maxHeaderCount: 128))
        input = [UInt8](repeating: 0, count: headLimit)
    }

    /// The request bytes: `GET path` to `host` (`host:port`, which is what the server is
    /// configured as), naming the prober in `User-Agent`.
    static func request(path: String, host: String, userAgent: String) -> [UInt8] {
        Array("GET \(path) HTTP/1.1\r\nHost: \(host)\r\nUser-Agent: \(userAgent)\r\nConnection: close\r\n\r\n".utf8)
    }

    /// Whether a connect is under way (the owner's deadline then means "not accepted in time").
    var isConnecting: Bool { phase == .connecting }
    /// Whether the exchange is under way.
    var isActive: Bool { phase != .idle }

    /// Starts connecting to `address` with `handler` registered for the socket; a failure at once
    /// (refused on loopback, no descriptor left) is returned and nothing stays open.
    mutating func start(to address: SocketAddress, request: [UInt8], on loop: EventLoop, handler: EventHandler) -> Failure? {
        self.request = request
        filled = 0
        consumed = 0
        status = nil
        body.removeAll(keepingCapacity: true)
        truncated = false
        reader.reset()
        do {
            socket = try Socket.connect(to: address)
            registration = try loop.register(descriptor: socket.descriptor, events: EpollEvents.connection, handler: handler)
        } catch {
            socket.close()
            return .connect(error)
        }
        self.loop = loop
        phase = .connecting
        return nil
    }

    /// Moves the exchange on with the socket's `events`; the outcome once there is one (the
    /// connection is closed then), nil while it goes on.
    mutating func handle(_ events: UInt32) -> Outcome? {
        if phase == .connecting && events & (EpollEvents.writable | EpollEvents.error | EpollEvents.hangUp) != 0 {
            if let error = socket.pendingError() { return finish(.failed(.connect(error))) }
            // A request of a few hundred bytes on a fresh connection fits the socket buffer; a
            // short write is a failure rather than a state to keep.
            let result = request.withUnsafeBytes { socket.write($0.baseAddress!, count: $0.count) }
            guard case .bytes(let n) = result, n == request.count else { return finish(.failed(.send)) }
            phase = .reading
        }
        if phase == .reading && events & (EpollEvents.readable | EpollEvents.readHangUp | EpollEvents.hangUp | EpollEvents.error) != 0 {
            return read()
        }
        return nil
    }

    /// Gives up (the owner's deadline passed, or it stops): closes the connection.
    mutating func cancel() {
        close()
    }

    private mutating func read() -> Outcome? {
        while true {
            if consumed == filled {
                consumed = 0
                filled = 0
            } else if filled == input.count {
                // The head so far fills the buffer, which is as large as the head limit: the
                // reader has refused it already unless it is exactly that long.
                guard consumed > 0 else { return finish(.failed(.invalid("the answer's head is larger than \(input.count) bytes"))) }
                input.withUnsafeMutableBytes { raw in
                    raw.baseAddress!.copyMemory(from: raw.baseAddress! + consumed, byteCount: filled - consumed)
                }
                filled -= consumed
                consumed = 0
            }
            let result = input.withUnsafeMutableBytes { socket.read(into: $0.baseAddress! + filled, count: $0.count - filled) }
            switch result {
            case .bytes(let n):
                filled += n
                if let outcome = consume() { return outcome }
            case .wouldBlock:
                return nil
            case .endOfFile:
                if reader.endOfFile(), let status { return finish(answer(status)) }
                return finish(.failed(.closed(afterStatus: status)))
            case .failed:
                return finish(.failed(.closed(afterStatus: status)))
            }
        }
    }

    /// Feeds the reader what has arrived; the outcome when the answer is complete, or has
    /// given all the body the exchange keeps.
    private mutating func consume() -> Outcome? {
        // Every step but `.head` ends the call, and a head consumes bytes: this loop ends.
        while true {
            let limit = bodyLimit
            var kept = body
            var cut = truncated
            body = []
            let step = input.withUnsafeBytes { raw in
                reader.consume(UnsafeRawBufferPointer(rebasing: raw[consumed..<filled])) { piece in
                    let room = limit - kept.count
                    if piece.count > room { cut = true }
                    if room > 0 { kept.append(contentsOf: piece.prefix(room)) }
                }
            }
            body = kept
            truncated = cut
            switch step {
            case .head(_, let used):
                consumed += used
                status = reader.head.status
                if bodyLimit == 0 { return finish(answer(reader.head.status)) }
            case .needMore(let used):
                consumed += used
                if let status, truncated { return finish(answer(status)) }
                return nil
            case .complete(let used):
                consumed += used
                return finish(answer(status ?? reader.head.status))
            case .failed:
                return finish(.failed(.invalid(reader.error.map { "\($0.message)" } ?? "not an HTTP/1.1 answer")))
            }
        }
    }

    private func answer(_ status: Int) -> Outcome {
        .answered(Answer(status: status, body: body, truncated: truncated))
    }

    private mutating func finish(_ outcome: Outcome) -> Outcome {
        close()
        return outcome
    }

    private mutating func close() {
        if let registration, let loop { loop.deregister(descriptor: socket.descriptor, registration: registration) }
        registration = nil
        loop = nil
        socket.close()
        phase = .idle
    }
}
