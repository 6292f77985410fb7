import TurnoutHTTP
import TurnoutPosix

/// One client connection and the exchange it is carrying: it reads a request head, routes it,
/// forwards it to an upstream connection, streams both bodies, and then reads the next request.
/// Pipelined requests wait in `inbound` and are answered in order, one at a time.
///
/// Readiness is edge-triggered, so `readable` and `writable` remember an edge until a call
/// returns EAGAIN. `drive()` runs the state machine until nothing can progress; it is called by
/// this connection's events, by its upstream connection's events, and by timers.
final class ClientConnection: TimerNode, EventHandler {
    enum Phase {
        /// Reading (or waiting for) a request head.
        case head
        /// A request is being forwarded and its response relayed.
        case exchange
        /// Sending a response the proxy made itself (an error or a 404).
        case localResponse
        /// After a 101: bytes flow both ways untouched.
        case tunnel
        case closed
    }

    /// Unowned(unsafe) is safe: this object is only ever called by its worker's loop, which
    /// the worker owns; a checked `unowned` costs a retain and release on every access.
    unowned(unsafe) let worker: Worker
    var socket: Socket
    private var registration: Registration?
    /// The client's address as text, for X-Forwarded-For.
    let clientAddress: [UInt8]
    var phase = Phase.head
    var readable = false
    var writable = false
    /// The peer closed its side or the socket has an error: read on until end of file, even
    /// after a short read (the edge for that has already been reported).
    var peerClosing = false

    /// Bytes from the client: request heads, bodies and pipelined requests.
    var inbound: ByteBuffer?
    /// Bytes staged for the client: response heads, chunk framing, local responses.
    var outbound: ByteBuffer?
    var parser: RequestHeadParser
    var request = RequestHead()
    /// When the current request's first byte arrived (0 while idle), for the header timeout.
    var requestStartedAt: UInt64 = 0
    /// When the connection was accepted; until its first request is answered, silence counts
    /// against `client_header_ms` from here (as nginx does), not against the idle timeout.
    private var acceptedAt: UInt64 = 0
    /// Some request on this connection was answered: it is a kept-alive connection now.
    private(set) var answeredAny = false
    /// Close once the current response is complete.
    var closeAfterResponse = false

    /// The request in flight: the data of phases `.exchange` and `.tunnel`.
    var exchange = Exchange()
    /// Response heads are parsed into storage kept across requests (no allocation per response).
    var responseParser: ResponseHeadParser
    var response = ResponseHead()
    /// The request's method and target for its access log line, and whether it is still due.
    var logMethod: [UInt8] = []
    var logTarget: [UInt8] = []
    var logPending = false

    init(worker: Worker, socket: consuming Socket, clientAddress: [UInt8]) {
        self.worker = worker
        self.socket = socket
        self.clientAddress = clientAddress
        parser = RequestHeadParser(limits: worker.settings.limits)
        responseParser = ResponseHeadParser(limits: worker.settings.limits)
    }

    func register() throws(Errno) {
        registration = try worker.loop.register(descriptor: socket.descriptor, events: EpollEvents.connection, handler: self)
        acceptedAt = worker.loop.now
        armIdleTimer()
    }

    var settings: ProxySettings { worker.settings }

    // MARK: Events

    func handleEvents(_ events: UInt32) {
        if events & (EpollEvents.readable | EpollEvents.readHangUp | EpollEvents.hangUp | EpollEvents.error) != 0 { readable = true }
        if events & (EpollEvents.readHangUp | EpollEvents.hangUp | EpollEvents.error) != 0 { peerClosing = true }
        if events & (EpollEvents.writable | EpollEvents.hangUp | EpollEvents.error) != 0 { writable = true }
        drive()
    }

    /// Runs the state machine until it stops making progress. A connection that still has work
    /// after 64 steps yields to the others and is resumed before the loop sleeps.
    func drive() {
        var budget = 64
        while budget > 0 {
            budget -= 1
            let progressed: Bool
            switch phase {
            case .head: progressed = advanceHead()
            case .exchange: progressed = advanceExchange()
            case .localResponse: progressed = advanceLocalResponse()
            case .tunnel: progressed = advanceTunnel()
            case .closed: return
            }
            if !progressed { return }
        }
        worker.loop.resumeSoon(self, events: 0)
    }

    // MARK: Reading a request head

    private func advanceHead() -> Bool {
        if let inbound, inbound.readableCount > 0 {
            if requestStartedAt == 0 { requestStartedAt = worker.loop.now }
            switch parser.parse(inbound.readable, into: &request) {
            case .complete:
                worker.timers.cancel(self)
                beginExchange()
                return true
            case .failed(let error):
                worker.counters.rejected(status: error.status)
                respondLocally(status: error.status, message: error.message, close: true)
                return true
            case .needMore:
                break
            }
        }
        guard readable else {
            requestStartedAt == 0 ? armIdleTimer() : armHeaderTimer()
            return false
        }
        let buffer = acquireInbound()
        if buffer.writableCount == 0 { buffer.compact() }
        let room = buffer.writableCount
        switch socket.read(into: buffer.writePointer, count: room) {
        case .bytes(let n):
            buffer.writeIndex += n
            // A short read emptied the socket: the next read would only say EAGAIN, and the
            // next arrival raises a new edge (one syscall less per request).
            if n < room && !peerClosing { readable = false }
            return true
        case .wouldBlock:
            readable = false
            releaseInboundIfEmpty()
            requestStartedAt == 0 ? armIdleTimer() : armHeaderTimer()
            return false
        case .endOfFile, .failed:
            close()
            return false
        }
    }

    func acquireInbound() -> ByteBuffer {
        if let inbound { return inbound }
        let buffer = worker.buffers.acquire()
        inbound = buffer
        return buffer
    }

    func acquireOutbound() -> ByteBuffer {
        if let outbound { return outbound }
        let buffer = worker.buffers.acquire()
        outbound = buffer
        return buffer
    }

    func releaseInboundIfEmpty() {
        if inbound?.isEmpty == true { recycle(&inbound) }
    }

    func releaseOutboundIfEmpty() {
        if outbound?.isEmpty == true { recycle(&outbound) }
    }

    /// Gives a held buffer back to the pool and leaves nil. The reference is moved out, not
    /// copied, so the hand-over costs no reference counting.
    func recycle(_ buffer: inout ByteBuffer?) {
        if let taken = buffer.take() { worker.buffers.release(taken) }
    }

    /// Gets ready for the next request on a kept-alive connection.
    func startNextRequest() {
        answeredAny = true
        phase = .head
        // The parser clears `request` as it starts on the next head (as the response parser
        // does `response`), so neither head is reset here.
        parser.reset()
        requestStartedAt = 0
        releaseInboundIfEmpty()
        releaseOutboundIfEmpty()
        armIdleTimer()
    }

    // MARK: Responses the proxy makes itself

    /// Answers the current request with a short error (or a 404) and then reads the next one,
    /// or closes when `close` says so or the request's body was not consumed. The caller has
    /// already consumed the request head (or is closing anyway).
    func respondLocally(status: Int, message: StaticString, close: Bool) {
        writeAccessLog(status: status)
        if phase == .exchange { endExchange(reusable: false) }
        // A request whose body was not read to its end leaves the connection's framing unknown.
        if close || !exchange.requestBody.inputDone { closeAfterResponse = true }
        let buffer = acquireOutbound()
        buffer.compact()
        var writer = ByteWriter(UnsafeMutableRawBufferPointer(start: buffer.writePointer, count: buffer.writableCount))
        CannedResponse.write(status: status, message: message, close: closeAfterResponse, into: &writer)
        buffer.writeIndex += writer.count
        phase = .localResponse
    }

    private func advanceLocalResponse() -> Bool {
        guard let buffer = outbound, !buffer.isEmpty else {
            if closeAfterResponse { close() } else { startNextRequest() }
            return phase != .closed
        }
        guard writable else { return false }
        switch socket.write(buffer.readPointer, count: buffer.readableCount) {
        case .bytes(let n):
            buffer.readIndex += n
            return true
        case .wouldBlock:
            writable = false
            return false
        case .endOfFile, .failed:
            close()
            return false
        }
    }

    // MARK: Timers

    func armIdleTimer() {
        var deadline = answeredAny ? worker.loop.now + settings.clientIdleTimeout : acceptedAt + settings.clientHeaderTimeout
        // Stopping: a kept-alive connection gets a short grace for a next request (answered with
        // `Connection: close`) instead of the idle timeout, then closes (`Worker.beginDrain`).
        if worker.draining && answeredAny { deadline = min(deadline, worker.drainIdleDeadline) }
        worker.timers.schedule(self, at: deadline)
    }

    func armHeaderTimer() {
        worker.timers.schedule(self, at: requestStartedAt + settings.clientHeaderTimeout)
    }

    override func timerExpired(now: UInt64) {
        switch phase {
        case .head where requestStartedAt != 0:
            // A client that started a request and never finished its head (slowloris).
            worker.counters.clientTimeouts += 1
            respondLocally(status: 408, message: "the request head did not arrive in time", close: true)
            drive()
        case .exchange where !exchange.requestSent:
            // The client stopped sending its request body.
            worker.counters.clientTimeouts += 1
            close()
        case .head where !answeredAny:
            // Connected and never sent a byte within client_header_ms: closed without an answer.
            worker.counters.clientTimeouts += 1
            close()
        default:
            close()
        }
    }

    // MARK: Closing

    /// Closes the connection and everything attached to it. Safe to call more than once.
    func close() {
        guard phase != .closed else { return }
        if phase == .exchange || phase == .tunnel { endExchange(reusable: false) }
        phase = .closed
        worker.timers.remove(self)
        recycle(&inbound)
        recycle(&outbound)
        if let registration { worker.loop.deregister(descriptor: socket.descriptor, registration: registration) }
        registration = nil
        socket.close()
        worker.clientClosed(self)
    }
}
