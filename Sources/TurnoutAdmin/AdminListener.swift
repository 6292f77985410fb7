import TurnoutPosix

/// One admin listening socket (the Unix socket or the TCP address) on the admin loop. The admin
/// API is low volume: a handful of connections at a time, each served to completion.
final class AdminListener: TimerNode, EventHandler {
    private var socket: Socket
    private var registration: Registration?
    private unowned let server: AdminServer
    let isUnix: Bool
    /// How long to wait before accepting again after running out of descriptors.
    private static let backoffNanoseconds: UInt64 = 100_000_000

    init(socket: consuming Socket, isUnix: Bool, server: AdminServer) {
        self.socket = socket
        self.isUnix = isUnix
        self.server = server
        super.init()
    }

    var localAddress: SocketAddress? { socket.localAddress() }

    func register() throws(Errno) {
        registration = try server.loop.register(descriptor: socket.descriptor,
                                                events: EpollEvents.readable | EpollEvents.edgeTriggered, handler: self)
    }

    func handleEvents(_ events: UInt32) { acceptPending() }

    override func timerExpired(now: UInt64) { acceptPending() }

    private func acceptPending() {
        guard socket.isOpen else { return }
        while true {
            switch socket.accept() {
            case .accepted(let descriptor, let peer):
                server.adopt(descriptor, peer: peer, isUnix: isUnix)
            case .empty:
                return
            case .failed(let error) where error.isResourceExhaustion:
                server.loop.timers.schedule(self, at: monotonicNanoseconds() &+ Self.backoffNanoseconds)
                return
            case .failed:
                continue
            }
        }
    }

    func close() {
        server.loop.timers.remove(self)
        if let registration {
            server.loop.deregister(descriptor: socket.descriptor, registration: registration)
            self.registration = nil
        }
        socket.close()
    }
}
