import TurnoutPosix

/// A loop's listening socket. It accepts until the kernel queue is empty (edge-triggered), at
/// most `acceptBatch` per wakeup so a connection storm cannot starve established connections,
/// and backs off for a while when descriptors run out instead of spinning on EMFILE.
final class FixtureListener: TimerNode, EventHandler {
    private var socket: Socket
    private var registration: Registration?
    private unowned let owner: FixtureLoop
    private static let acceptBatch = 64
    /// How long to wait before accepting again after EMFILE/ENFILE/ENOBUFS/ENOMEM.
    private static let backoffNanoseconds: UInt64 = 100_000_000

    init(socket: consuming Socket, owner: FixtureLoop) {
        self.socket = socket
        self.owner = owner
        super.init()
    }

    func register() throws(Errno) {
        registration = try owner.loop.register(descriptor: socket.descriptor,
                                               events: EpollEvents.readable | EpollEvents.edgeTriggered,
                                               handler: self)
    }

    func handleEvents(_ events: UInt32) { acceptPending() }

    override func timerExpired(now: UInt64) { acceptPending() }

    private func acceptPending() {
        guard socket.isOpen else { return }
        for _ in 0..<Self.acceptBatch {
            switch socket.accept() {
            case .accepted(let descriptor, _):
                owner.adopt(descriptor)
            case .empty:
                return
            case .failed(let error) where error.isResourceExhaustion:
                owner.loop.timers.schedule(self, at: monotonicNanoseconds() &+ Self.backoffNanoseconds)
                return
            case .failed:
                // ECONNABORTED and friends: that one connection is gone; the next may be fine.
                continue
            }
        }
        // More may be queued and the edge will not fire again for them.
        owner.loop.resumeSoon(self, events: EpollEvents.readable)
    }

    /// Stops accepting and closes the listening socket.
    func close() {
        owner.loop.timers.remove(self)
        if let registration {
            owner.loop.deregister(descriptor: socket.descriptor, registration: registration)
            self.registration = nil
        }
        socket.close()
    }
}
