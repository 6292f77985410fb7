import Glibc
import TurnoutPosix

/// The admin API's transport (SPEC §6): HTTP/1.1 on a Unix socket created mode 0600, and
/// optionally on TCP, served by one event loop on its own thread, away from the workers. Every
/// request goes to `handler` on that thread; a slow admin call delays other admin calls, never
/// a proxied request.
public final class AdminServer: @unchecked Sendable {
    let loop: EventLoop
    let handler: @Sendable (AdminRequest) -> AdminResponse
    let token: BearerToken?
    private var listeners: [AdminListener] = []
    private var connections: [ObjectIdentifier: AdminConnection] = [:]
    private var thread: pthread_t?
    /// The socket file and its inode, removed at stop only while it is still ours.
    private var socketFile: (path: String, inode: ino_t)?
    /// At most this many admin connections at once; beyond that a new connection is closed at
    /// once, so a flood cannot take the process's descriptors.
    static let maxConnections = 64

    /// The TCP address actually bound (port 0 picks one), if TCP is on.
    public private(set) var tcpAddress: SocketAddress?

    /// Binds the listeners. Throws with the reason (a live socket not stolen, a path not a
    /// socket, an address in use) so the caller can refuse to start.
    public init(socketPath: String?, tcp: SocketAddress?, token: BearerToken?,
                handler: @escaping @Sendable (AdminRequest) -> AdminResponse) throws(AdminError) {
        do {
            loop = try EventLoop(index: -1, bufferSize: 4096)
        } catch {
            throw AdminError("admin: cannot create its event loop: \(error)")
        }
        self.handler = handler
        self.token = token
        if let socketPath {
            let socket = try AdminSocketFile.listen(path: socketPath)
            listeners.append(AdminListener(socket: socket, isUnix: true, server: self))
            if let inode = AdminSocketFile.inode(of: socketPath) { socketFile = (socketPath, inode) }
        }
        if let tcp {
            do {
                // SO_REUSEPORT so that a binary upgrade (`turnout run --takeover`) can bind the same
                // admin address while the old process still holds it; the Unix socket, which is
                // never shared, is what keeps a second turnout from starting by mistake.
                let socket = try Socket.listen(on: tcp, reusePort: true, backlog: 64)
                let listener = AdminListener(socket: socket, isUnix: false, server: self)
                tcpAddress = listener.localAddress
                listeners.append(listener)
            } catch {
                removeSocketFile()
                throw AdminError("admin.listen \(tcp): cannot listen: \(error)")
            }
        }
        for listener in listeners {
            do {
                try listener.register()
            } catch {
                removeSocketFile()
                throw AdminError("admin: cannot register a listener: \(error)")
            }
        }
    }

    /// Starts the admin thread.
    public func start() {
        let loop = self.loop
        thread = LoopThread.start(name: "turnout-admin") { loop.run() }
    }

    /// Stops serving, closes every admin connection and removes the socket file.
    public func stop() {
        guard let thread else { removeSocketFile(); return }
        let done = Latch()
        loop.execute { [self] in
            for listener in listeners { listener.close() }
            for connection in Array(connections.values) { connection.close() }
            done.signal()
        }
        _ = done.wait(seconds: 5)
        loop.stop()
        LoopThread.join(thread)
        self.thread = nil
        removeSocketFile()
    }

    private func removeSocketFile() {
        if let socketFile { AdminSocketFile.remove(path: socketFile.path, inode: socketFile.inode) }
        socketFile = nil
    }

    // MARK: Called on the admin loop

    func adopt(_ descriptor: Int32, peer: SocketAddress, isUnix: Bool) {
        var socket = Socket(adopting: descriptor)
        guard connections.count < Self.maxConnections else {
            socket.close()
            return
        }
        let caller: AdminCaller
        if isUnix {
            guard let credentials = socket.peerCredentials() else { socket.close(); return }
            caller = .unix(uid: credentials.uid, pid: credentials.pid)
        } else {
            caller = .tcp(address: peer.description)
        }
        let connection = AdminConnection(socket: socket, caller: caller, server: self)
        do {
            try connection.register()
            connections[ObjectIdentifier(connection)] = connection
        } catch {
            connection.close()
        }
    }

    func connectionClosed(_ connection: AdminConnection) {
        connections[ObjectIdentifier(connection)] = nil
    }
}
