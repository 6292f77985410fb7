import TurnoutPosix

/// One connection to an upstream server, owned by one worker. While a request uses it, it is
/// attached to that request's client connection (or to a shadow copy's leg) and forwards its
/// readiness there; while idle
/// it waits in its server's pool, where any event means the server closed it (or sent bytes
/// nobody asked for) and it is discarded before a request can trip over it.
final class UpstreamConnection: TimerNode, EventHandler {
    /// Unowned(unsafe) is safe: this object is only ever called by its worker's loop, which
    /// the worker owns; a checked `unowned` costs a retain and release on every access.
    unowned(unsafe) let worker: Worker
    let server: ServerRuntime
    var socket: Socket
    private var registration: Registration?
    /// The non-blocking connect finished successfully.
    var connected = false
    /// Edge-triggered readiness: set by events, cleared when a call returns EAGAIN.
    var readable = false
    var writable = false
    /// The peer closed its side or the socket has an error: read on until end of file, even
    /// after a short read (the edge for that has already been reported).
    var peerClosing = false
    /// The connection has carried a complete exchange before (so a failure before any response
    /// byte may just mean the server closed it while idle).
    var reused = false
    /// The client connection whose request this connection carries; nil while idle.
    var client: ClientConnection?
    /// The shadow copy this connection carries instead; nil while idle. (Two optionals rather
    /// than one protocol-typed owner: the primary's path stays a direct call.)
    var shadow: ShadowLeg?
    /// Why the timer is armed.
    enum Deadline { case none, connect, response, idle }
    var deadlineKind = Deadline.none

    private init(worker: Worker, server: ServerRuntime, socket: consuming Socket) {
        self.worker = worker
        self.server = server
        self.socket = socket
    }

    /// Starts connecting to `server`; the result arrives as an event.
    static func open(to server: ServerRuntime, worker: Worker) -> Result<UpstreamConnection, Errno> {
        let socket: Socket
        do {
            socket = try Socket.connect(to: server.definition.address)
        } catch {
            return .failure(error)
        }
        let connection = UpstreamConnection(worker: worker, server: server, socket: socket)
        do {
            connection.registration = try worker.loop.register(descriptor: connection.socket.descriptor, events: EpollEvents.connection, handler: connection)
        } catch {
            connection.socket.close()
            return .failure(error)
        }
        return .success(connection)
    }

    func handleEvents(_ events: UInt32) {
        if events & (EpollEvents.readable | EpollEvents.readHangUp | EpollEvents.hangUp | EpollEvents.error) != 0 { readable = true }
        if events & (EpollEvents.readHangUp | EpollEvents.hangUp | EpollEvents.error) != 0 { peerClosing = true }
        if events & (EpollEvents.writable | EpollEvents.hangUp | EpollEvents.error) != 0 { writable = true }
        if let client {
            client.drive()
        } else if let shadow {
            shadow.drive()
        } else if events & (EpollEvents.readable | EpollEvents.readHangUp | EpollEvents.hangUp | EpollEvents.error) != 0 {
            // Idle in the pool: the server hung up or spoke out of turn. Either way it is unusable.
            discardFromPool()
        }
    }

    override func timerExpired(now: UInt64) {
        let kind = deadlineKind
        deadlineKind = .none
        if let client {
            client.upstreamDeadlinePassed(kind)
        } else if let shadow {
            shadow.deadlinePassed(kind)
        } else if kind == .idle {
            discardFromPool()
        }
    }

    func arm(_ kind: Deadline, after nanoseconds: UInt64) {
        deadlineKind = kind
        worker.timers.schedule(self, at: worker.loop.now + nanoseconds)
    }

    func disarm() {
        deadlineKind = .none
        worker.timers.cancel(self)
    }

    /// Parks the connection in its server's idle pool after a clean exchange.
    func returnToPool(idleTimeout: UInt64) {
        client = nil
        shadow = nil
        reused = true
        arm(.idle, after: idleTimeout)
        server.idle.append(self)
    }

    private func discardFromPool() {
        if let index = server.idle.firstIndex(where: { $0 === self }) { server.idle.remove(at: index) }
        close()
    }

    /// Closes the socket and forgets every reference (the client's, the timer's, the loop's).
    func close() {
        guard socket.isOpen else { return }
        client = nil
        shadow = nil
        deadlineKind = .none
        worker.timers.remove(self)
        if let registration { worker.loop.deregister(descriptor: socket.descriptor, registration: registration) }
        registration = nil
        socket.close()
    }
}
