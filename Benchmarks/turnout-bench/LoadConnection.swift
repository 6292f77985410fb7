import Glibc
import TurnoutHTTP
import TurnoutLoad
import TurnoutMetrics
import TurnoutPosix

/// One keep-alive connection of the load generator, on its thread's event loop. Closed loop: the
/// next request leaves when the previous response is complete. Open loop (a rate): the thread's
/// pacer hands the connection a request when one is due and latency counts from when it was
/// due, so time spent waiting for a free connection shows in the percentiles (coordinated
/// omission, as wrk2 corrects it).
final class LoadConnection: TimerNode, EventHandler {
    private unowned let worker: LoadWorker
    private var socket = Socket(adopting: -1)
    private var registration: Registration?
    private var connected = false
    private var written = 0
    private var awaiting = false
    private var input = [UInt8](repeating: 0, count: 64 * 1024)
    private var filled = 0
    private var reader = ResponseReader()
    /// When the request in flight was due (open loop) or sent (closed loop).
    private var startedAt: UInt64 = 0
    private let closedLoop: Bool

    init(worker: LoadWorker, closedLoop: Bool) {
        self.worker = worker
        self.closedLoop = closedLoop
        super.init()
    }

    func start() { connect() }

    private func connect() {
        do {
            socket = try Socket.connect(to: worker.plan.address)
            registration = try worker.loop.register(descriptor: socket.descriptor, events: EpollEvents.connection, handler: self)
        } catch {
            worker.result.connectErrors += 1
            reset(reconnect: false)
            worker.loop.timers.schedule(self, at: worker.loop.now &+ 10_000_000)
            return
        }
        connected = false
        filled = 0
        awaiting = false
    }

    /// A failed connect is retried 10 ms later.
    override func timerExpired(now: UInt64) {
        guard !worker.stopping else { return }
        if !socket.isOpen { connect() }
    }

    func handleEvents(_ events: UInt32) {
        guard socket.isOpen else { return }
        if !connected && events & (EpollEvents.writable | EpollEvents.error | EpollEvents.hangUp) != 0 {
            if socket.pendingError() != nil {
                worker.result.connectErrors += 1
                reset(reconnect: true)
                return
            }
            connected = true
            ready()
        }
        if awaiting && written < worker.plan.request.count && events & EpollEvents.writable != 0 { flush() }
        if events & (EpollEvents.readable | EpollEvents.readHangUp | EpollEvents.hangUp | EpollEvents.error) != 0 { read() }
    }

    /// Able to send: the next request at once (closed loop) or when the pacer has one due.
    private func ready() {
        guard !awaiting, !worker.stopping else { return }
        if closedLoop { send(due: monotonicNanoseconds()) } else { worker.pacer?.idle(self) }
    }

    /// Sends one request, due at `due` (the latency's start).
    func send(due: UInt64) {
        guard connected, !worker.stopping else { return }
        startedAt = due
        awaiting = true
        written = 0
        reader.reset()
        flush()
    }

    private func flush() {
        let request = worker.plan.request
        while written < request.count {
            let result = request.withUnsafeBytes { socket.write($0.baseAddress! + written, count: $0.count - written) }
            switch result {
            case .bytes(let n): written += n
            case .wouldBlock: return
            case .endOfFile, .failed:
                worker.result.writeErrors += 1
                reset(reconnect: true)
                return
            }
        }
    }

    private func read() {
        while socket.isOpen {
            if filled == input.count { compact() }
            let result = input.withUnsafeMutableBytes { socket.read(into: $0.baseAddress! + filled, count: $0.count - filled) }
            switch result {
            case .bytes(let n):
                filled += n
                consume()
            case .wouldBlock:
                return
            case .endOfFile:
                if awaiting && reader.endOfFile() { complete() } else if awaiting { worker.result.readErrors += 1 }
                reset(reconnect: true)
                return
            case .failed:
                worker.result.readErrors += 1
                reset(reconnect: true)
                return
            }
        }
    }

    /// Hands what has arrived to the response reader; counts the status and the pool when the
    /// head is in.
    private var consumed = 0
    private func consume() {
        reading: while awaiting {
            let step = input.withUnsafeBytes { reader.consume(UnsafeRawBufferPointer(rebasing: $0[consumed..<filled])) }
            switch step {
            case .needMore(let used):
                consumed += used
                break reading
            case .head(let start, let used):
                worker.result.count(status: reader.head.status)
                input.withUnsafeBytes { raw in
                    let window = UnsafeRawBufferPointer(rebasing: raw[(consumed + start)..<filled])
                    if let range = reader.head.field("x-turnout-pool", in: window) {
                        worker.result.count(pool: UnsafeRawBufferPointer(rebasing: window[range]))
                    }
                }
                consumed += used
            case .complete(let used):
                consumed += used
                complete()
            case .failed:
                worker.result.readErrors += 1
                reset(reconnect: true)
                return
            }
        }
        if consumed == filled { consumed = 0; filled = 0 }
    }

    private func complete() {
        let now = monotonicNanoseconds()
        worker.result.latency.record(now &- startedAt)
        worker.result.completed += 1
        awaiting = false
        if !reader.head.keepAlive {
            reset(reconnect: true)
            return
        }
        ready()
    }

    private func compact() {
        guard consumed > 0 else {
            // A head larger than the buffer: count it and start over.
            worker.result.readErrors += 1
            reset(reconnect: true)
            return
        }
        input.withUnsafeMutableBytes { raw in
            raw.baseAddress!.copyMemory(from: raw.baseAddress! + consumed, byteCount: filled - consumed)
        }
        filled -= consumed
        consumed = 0
    }

    /// Closes the socket; with `reconnect`, opens a new one at once (a request that was in
    /// flight is lost and counted by the caller).
    private func reset(reconnect: Bool) {
        if let registration { worker.loop.deregister(descriptor: socket.descriptor, registration: registration) }
        registration = nil
        socket.close()
        connected = false
        awaiting = false
        filled = 0
        consumed = 0
        if reconnect && !worker.stopping {
            worker.result.reconnects += 1
            connect()
        }
    }

    func stop() {
        worker.loop.timers.cancel(self)
        reset(reconnect: false)
    }
}
