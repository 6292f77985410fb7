import TurnoutPosix

/// One worker's listening socket (each worker binds its own with SO_REUSEPORT, so the kernel
/// spreads connections without a shared accept lock).
final class Listener: TimerNode, EventHandler {
    /// Unowned(unsafe) is safe: this object is only ever called by its worker's loop, which
    /// the worker owns; a checked `unowned` costs a retain and release on every access.
    unowned(unsafe) let worker: Worker
    var socket: Socket
    var registration: Registration?
    /// Accepting is paused: at max_connections, or after EMFILE/ENFILE/ENOBUFS/ENOMEM.
    private(set) var paused = false

    init(worker: Worker, socket: consuming Socket) {
        self.worker = worker
        self.socket = socket
    }

    func register() throws(Errno) {
        registration = try worker.loop.register(descriptor: socket.descriptor, events: EpollEvents.readable | EpollEvents.edgeTriggered, handler: self)
    }

    func handleEvents(_ events: UInt32) {
        worker.acceptConnections(from: self)
    }

    /// Stops accepting; the kernel keeps queueing connections in the backlog meanwhile.
    func pause(for nanoseconds: UInt64?) {
        guard let registration, !paused else { return }
        paused = true
        worker.counters.acceptPauses += 1
        worker.loop.modify(descriptor: socket.descriptor, registration: registration, events: 0)
        if let nanoseconds { worker.timers.schedule(self, at: worker.loop.now + nanoseconds) }
    }

    /// Accepts again; EPOLL_CTL_MOD re-reports a backlog that filled while paused.
    func resume() {
        guard let registration, paused else { return }
        paused = false
        worker.timers.cancel(self)
        worker.loop.modify(descriptor: socket.descriptor, registration: registration, events: EpollEvents.readable | EpollEvents.edgeTriggered)
    }

    override func timerExpired(now: UInt64) { resume() }

    func close() {
        worker.timers.remove(self)
        if let registration { worker.loop.deregister(descriptor: socket.descriptor, registration: registration) }
        registration = nil
        socket.close()
    }
}
