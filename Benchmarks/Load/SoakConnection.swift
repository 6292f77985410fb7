import Glibc
import TurnoutHTTP
import TurnoutPosix

/// One connection slot of a soak, of one kind, on its thread's event loop. Whenever it loses
/// its socket it opens another, so the soak keeps holding as many as it was asked to. It has
/// one timer at a time, whose meaning follows from its state: the connect deadline, a retry
/// after a failed connect, the next slowloris byte, a response deadline, or a fast
/// connection's pause.
final class SoakConnection: TimerNode, EventHandler {
    unowned let worker: SoakWorker
    let kind: SoakKind
    var socket = Socket(adopting: -1)
    var registration: Registration?
    var connected = false
    var connectedAt: UInt64 = 0
    /// Slowloris: bytes trickled on this socket. Idle and fast: bytes of the request written.
    var sent = 0
    /// A request is out and its response is not complete.
    var awaiting = false
    /// When the request in flight was sent: a fast request's latency starts here.
    var sentAt: UInt64 = 0
    /// 200s this slot got over all its sockets: a starved fast client shows as 0.
    var completed = 0
    /// A slowloris connection has read the proxy's answer (expected: 408) before the close.
    var answered = false

    // The response being read (idle and fast): head, then body by its framing.
    var input: [UInt8] = []
    var filled = 0
    var consumed = 0
    var reader = ResponseReader()

    /// Reads per wakeup before yielding to the other connections of the thread.
    static let readsPerWakeup = 64
    /// Input buffer of a connection awaiting a response: any response head fits.
    static let inputBytes = 16 * 1024
    /// Delay before a failed connect is tried again: at once would spin on EMFILE.
    static let retryDelay: UInt64 = 100_000_000

    init(worker: SoakWorker, kind: SoakKind) {
        self.worker = worker
        self.kind = kind
        super.init()
    }

    // MARK: Lifecycle

    /// Starts a non-blocking connect, with its deadline.
    func connect() {
        guard !worker.stopping else { return }
        do {
            socket = try Socket.connect(to: worker.plan.address)
            registration = try worker.loop.register(descriptor: socket.descriptor, events: EpollEvents.connection, handler: self)
        } catch {
            worker.tally[kind].errors += 1
            close()
            worker.loop.timers.schedule(self, at: worker.loop.now &+ Self.retryDelay)
            return
        }
        sent = 0
        answered = false
        worker.loop.timers.schedule(self, at: worker.loop.now &+ worker.plan.timeout)
    }

    /// Closes the socket, if any, and forgets the exchange in flight. Not a count of its own.
    func close() {
        if let registration { worker.loop.deregister(descriptor: socket.descriptor, registration: registration) }
        registration = nil
        socket.close()
        if connected { worker.tally[kind].held -= 1 }
        connected = false
        awaiting = false
        filled = 0
        consumed = 0
        worker.loop.timers.cancel(self)
        // An idle connection keeps no buffer while it sits: thousands of them would cost 16 KiB each.
        if kind == .idle { input = [] }
    }

    /// The proxy ended an established connection: counted, and the slot connects again.
    func closedByProxy() {
        worker.tally[kind].closedByProxy += 1
        if kind == .slowloris { worker.tally.slowlorisHeldFor.record(worker.loop.now &- connectedAt) }
        close()
        connect()
    }

    /// The soak is over: closes without counting.
    func stop() {
        close()
    }

    // MARK: Events

    /// Completes a connect, then writes what is pending and reads what arrived.
    func handleEvents(_ events: UInt32) {
        guard socket.isOpen else { return }
        if !connected {
            guard events & (EpollEvents.writable | EpollEvents.error | EpollEvents.hangUp) != 0 else { return }
            if socket.pendingError() != nil {
                worker.tally[kind].errors += 1
                close()
                worker.loop.timers.schedule(self, at: worker.loop.now &+ Self.retryDelay)
                return
            }
            connected = true
            connectedAt = worker.loop.now
            worker.opened(kind)
            worker.loop.timers.cancel(self)
            switch kind {
            case .slowloris:
                // The first byte at a random point of the first interval spreads the writes.
                worker.loop.timers.schedule(self, at: worker.loop.now &+ 1 &+ worker.random(below: worker.plan.trickleInterval))
            case .idle, .fast:
                send()
            }
        }
        // A send that failed has already replaced the socket with one still connecting.
        guard connected else { return }
        if awaiting && sent < worker.plan.request.count && events & EpollEvents.writable != 0 { flush() }
        guard connected else { return }
        if events & (EpollEvents.readable | EpollEvents.readHangUp | EpollEvents.hangUp | EpollEvents.error) != 0 {
            if awaiting { receive() } else { discard() }
        }
    }

    /// The one timer fired; what it meant follows from the state.
    override func timerExpired(now: UInt64) {
        guard !worker.stopping else { return }
        if !socket.isOpen {
            connect()
        } else if !connected {
            // The connect did not complete within the timeout.
            worker.tally[kind].errors += 1
            close()
            connect()
        } else if kind == .slowloris {
            trickle()
        } else if awaiting {
            if kind == .fast { worker.tally.fastTimeouts += 1 } else { worker.tally.idleFailures += 1 }
            close()
            connect()
        } else if kind == .fast {
            // A fast connection's pause is over.
            send()
        }
    }

    // MARK: Slowloris

    /// Sends the next byte of a head that never ends, and schedules the one after.
    private func trickle() {
        var byte = worker.plan.slowlorisByte(sent)
        switch socket.write(&byte, count: 1) {
        case .bytes:
            sent += 1
        case .wouldBlock:
            break
        case .endOfFile, .failed:
            // EPIPE or ECONNRESET: the proxy closed first; its 408 may still be unread.
            if !discard() { closedByProxy() }
            return
        }
        worker.loop.timers.schedule(self, at: worker.loop.now &+ worker.plan.trickleInterval)
    }

    /// Reads what the connection does not keep (a slowloris's 408, anything while idle) into
    /// the thread's scratch buffer, until it would block or the proxy closes. True when the
    /// connection was closed and replaced.
    @discardableResult
    func discard() -> Bool {
        for _ in 0..<Self.readsPerWakeup {
            switch socket.read(into: worker.scratch.baseAddress!, count: worker.scratch.count) {
            case .bytes(let n):
                if kind == .slowloris && !answered {
                    answered = true
                    if n >= 12 && worker.scratch[9] == UInt8(ascii: "4") && worker.scratch[10] == UInt8(ascii: "0")
                        && worker.scratch[11] == UInt8(ascii: "8") {
                        worker.tally.slowloris408 += 1
                    }
                }
            case .wouldBlock:
                return false
            case .endOfFile, .failed:
                closedByProxy()
                return true
            }
        }
        // Nothing sends a held connection this much: count it and start again.
        worker.tally[kind].errors += 1
        close()
        connect()
        return true
    }
}
