import TurnoutHTTP
import TurnoutPosix

/// One keep-alive connection of `DemoTraffic`: one request at a time, non-blocking, on the
/// pacer's loop. Its one timer is the deadline of what it waits for (the connect, the
/// response). When the connection ends — closed by the proxy while idle, `Connection: close`,
/// an error — it goes back to `closed`, and the next request sent on it connects again.
final class DemoTrafficConnection: TimerNode, EventHandler {
    /// Where the connection is.
    enum Phase {
        /// No socket; `send` connects first.
        case closed
        /// A non-blocking connect is under way; the request goes once it completes.
        case connecting
        /// Connected, nothing in flight.
        case idle
        /// The request is partly written.
        case sending
        /// Reading the response.
        case receiving
    }

    unowned let pacer: DemoTrafficPacer
    private(set) var phase = Phase.closed
    private var socket = Socket(adopting: -1)
    private var registration: Registration?
    /// The request being sent or answered (one of the pacer's arrays, shared, not copied).
    private var request: [UInt8] = []
    private var written = 0
    private var input: [UInt8] = []
    private var filled = 0
    private var consumed = 0
    private var reader = ResponseReader()
    /// The answer's status, pool and keep-alive, taken from its head as it arrives.
    private var status = 0
    private var pool: String?
    private var keepAlive = false

    /// Reads per wakeup before yielding (edge-triggered: the rest is picked up by `resumeSoon`).
    static let readsPerWakeup = 16
    /// Any response head fits.
    static let inputBytes = 16 * 1024

    init(pacer: DemoTrafficPacer) {
        self.pacer = pacer
        super.init()
    }

    var isIdle: Bool { phase == .idle }
    var isClosed: Bool { phase == .closed }

    private var loop: EventLoop { pacer.loop }

    /// Sends `request` (connecting first when closed). Call only when idle or closed.
    func send(_ request: [UInt8]) {
        self.request = request
        switch phase {
        case .closed:
            do {
                socket = try Socket.connect(to: pacer.target)
                registration = try loop.register(descriptor: socket.descriptor, events: EpollEvents.connection, handler: self)
            } catch {
                failed()
                return
            }
            phase = .connecting
            loop.timers.schedule(self, at: monotonicNanoseconds() &+ DemoTrafficPacer.timeout)
        case .idle:
            start()
        case .connecting, .sending, .receiving:
            preconditionFailure("a request sent on a busy connection")
        }
    }

    /// Writes the request with its response deadline.
    private func start() {
        if input.isEmpty { input = [UInt8](repeating: 0, count: Self.inputBytes) }
        phase = .sending
        written = 0
        reader.reset()
        loop.timers.schedule(self, at: monotonicNanoseconds() &+ DemoTrafficPacer.timeout)
        flush()
    }

    func handleEvents(_ events: UInt32) {
        switch phase {
        case .closed:
            break
        case .connecting:
            guard events & (EpollEvents.writable | EpollEvents.error | EpollEvents.hangUp) != 0 else { return }
            if socket.pendingError() != nil {
                failed()
                return
            }
            pacer.tally.update { $0.connectionsOpened += 1 }
            start()
        case .sending:
            flush()
        case .receiving:
            receive()
        case .idle:
            // Nothing is expected while idle: the proxy closing a kept-alive connection (its
            // keep-alive timeout, a reload) is the usual reason, and not an error.
            drainIdle()
        }
    }

    override func timerExpired(now: UInt64) {
        switch phase {
        case .connecting, .sending, .receiving: failed()
        case .closed, .idle: break
        }
    }

    private func flush() {
        while written < request.count {
            let result = request.withUnsafeBytes { socket.write($0.baseAddress! + written, count: $0.count - written) }
            switch result {
            case .bytes(let n): written += n
            case .wouldBlock: return
            case .endOfFile, .failed:
                failed()
                return
            }
        }
        phase = .receiving
        receive()
    }

    private func receive() {
        for _ in 0..<Self.readsPerWakeup {
            guard phase == .receiving else { return }
            if filled == input.count {
                // A head larger than the buffer: not an answer the demo can use.
                guard consumed > 0 else { failed(); return }
                compact()
            }
            let result = input.withUnsafeMutableBytes { socket.read(into: $0.baseAddress! + filled, count: $0.count - filled) }
            switch result {
            case .bytes(let n):
                filled += n
                consume()
            case .wouldBlock:
                return
            case .endOfFile:
                if reader.endOfFile() { complete() } else { failed() }
                return
            case .failed:
                failed()
                return
            }
        }
        if phase == .receiving { loop.resumeSoon(self, events: EpollEvents.readable) }
    }

    private func consume() {
        reading: while true {
            let step = input.withUnsafeBytes { raw -> ResponseReader.Step in
                let window = UnsafeRawBufferPointer(rebasing: raw[consumed..<filled])
                let step = reader.consume(window)
                if case .head(let start, _) = step { noteHead(UnsafeRawBufferPointer(rebasing: window[start...])) }
                return step
            }
            switch step {
            case .head(_, let used):
                consumed += used
                // 101 is no answer to a plain GET.
                guard status != 101 else { failed(); return }
            case .needMore(let used):
                consumed += used
                break reading
            case .complete(let used):
                consumed += used
                complete()
                break reading
            case .failed:
                failed()
                return
            }
        }
        if consumed == filled {
            consumed = 0
            filled = 0
        }
    }

    private func compact() {
        input.withUnsafeMutableBytes { raw in
            raw.baseAddress!.copyMemory(from: raw.baseAddress! + consumed, byteCount: filled - consumed)
        }
        filled -= consumed
        consumed = 0
    }

    /// Keeps what the demo counts from a final head; `window` starts at the head.
    private func noteHead(_ window: UnsafeRawBufferPointer) {
        let head = reader.head
        status = head.status
        pool = head.field("x-turnout-pool", in: window).map { String(decoding: window[$0], as: UTF8.self) }
        keepAlive = head.keepAlive
    }

    /// A whole response: counted; the connection waits for the next request, or closes.
    private func complete() {
        pacer.tally.update { counts in
            counts.responses += 1
            switch status {
            case 200..<300: counts.status2xx += 1
            case 300..<400: counts.status3xx += 1
            case 400..<500: counts.status4xx += 1
            default: counts.status5xx += 1
            }
            if let pool { counts.byPool[pool, default: 0] += 1 } else { counts.withoutPool += 1 }
        }
        loop.timers.cancel(self)
        // Bytes after the response on a connection that sent one request are not ours to read.
        if keepAlive && consumed == filled {
            phase = .idle
        } else {
            close()
        }
    }

    /// The request got no response: counted, and the connection starts over.
    private func failed() {
        pacer.tally.update { $0.errors += 1 }
        close()
    }

    /// Reads whatever arrives on an idle connection; its end or anything unexpected closes it.
    private func drainIdle() {
        var byte: UInt8 = 0
        switch socket.read(into: &byte, count: 1) {
        case .wouldBlock: return
        case .bytes, .endOfFile, .failed: close()
        }
    }

    /// Closes the socket; the next `send` connects again.
    func close() {
        loop.timers.cancel(self)
        if let registration {
            loop.deregister(descriptor: socket.descriptor, registration: registration)
            self.registration = nil
        }
        socket.close()
        phase = .closed
        filled = 0
        consumed = 0
        reader.reset()
    }
}
