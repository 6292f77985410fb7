import Glibc
import TurnoutPosix

/// Everything one event-loop thread owns: its loop, listeners, client connections, the
/// per-pool balancing state and idle upstream connections, counters, and the routing snapshot
/// it currently routes by. Nothing here is shared with another worker; other threads reach it
/// only through `loop.execute`, which is why it is `@unchecked Sendable`.
public final class Worker: @unchecked Sendable {
    public let loop: EventLoop
    /// `loop.timers` and `loop.buffers`, which the loop owns for the worker's whole life. A call
    /// on an object loaded from a field (even an `unowned(unsafe)` one) retains and releases it
    /// around the call; connections re-arm timers and hand buffers over several times per
    /// request, so they reach these two as `Unmanaged`, whose forwarding methods call without
    /// reference counting.
    let timers: Unmanaged<TimerWheel>
    let buffers: Unmanaged<BufferPool>
    public private(set) var snapshot: ProxySnapshot
    /// `snapshot.settings`, kept inline: connections read a timeout or a limit several times
    /// per request, and a field of a stored struct costs no reference counting to read.
    private(set) var settings: ProxySettings
    var pools: [PoolRuntime] = []
    var random: FastRandom
    var counters = WorkerCounters()
    /// Per pool and server traffic, recorded without locks; read through the inbox.
    let traffic = TrafficBook()
    /// Shadow traffic counts, mismatches and copies in flight; read through the inbox.
    let mirrors = MirrorBook()
    /// Where servers that keep failing are reported.
    let outliers: OutlierReports
    /// This worker's access log lines on their way to the writer; nil when the log is off.
    let accessLog: AccessLogBatch?
    var listeners: [Listener] = []
    /// Live client connections, so shutdown can find the idle ones.
    private var clients: [ObjectIdentifier: ClientConnection] = [:]
    /// Connections this worker may hold: its share of limits.max_connections.
    var connectionLimit: Int
    /// Set by a graceful stop: no new requests on kept-alive connections, close when idle.
    private(set) var draining = false
    /// While draining, when kept-alive connections with no request stop waiting for one.
    private(set) var drainIdleDeadline: UInt64 = 0
    /// How long a kept-alive connection may still bring a request once a drain began: long
    /// enough for a client that is sending one as the drain starts (its request is answered with
    /// `Connection: close` instead of being cut off), short next to `drain_ms`.
    static let drainIdleGrace: UInt64 = 1_000_000_000
    /// Scratch iovecs for the sendmsg of a staged head and the body bytes behind it, allocated once.
    let vectors: UnsafeMutablePointer<iovec>
    private var onDrained: (@Sendable () -> Void)?

    init(index: Int, snapshot: ProxySnapshot, connectionLimit: Int, accessLog: AccessLogWriter?, outliers: OutlierReports) throws(Errno) {
        self.outliers = outliers
        let loop = try EventLoop(index: index, bufferSize: snapshot.settings.bufferSize)
        self.loop = loop
        timers = .passUnretained(loop.timers)
        buffers = .passUnretained(loop.buffers)
        self.accessLog = accessLog.map { AccessLogBatch(writer: $0, loop: loop) }
        self.snapshot = snapshot
        settings = snapshot.settings
        self.connectionLimit = connectionLimit
        random = FastRandom(seed: monotonicNanoseconds() &+ UInt64(index) &* 0x9e37_79b9_7f4a_7c15)
        vectors = .allocate(capacity: 2)
        adopt(snapshot)
    }

    deinit { vectors.deallocate() }

    /// Starts routing by `snapshot` from the next request on. Pools whose servers are unchanged
    /// keep their balancer state and idle connections; servers no longer configured are retired
    /// (their idle connections close now, busy ones after their exchange).
    func adopt(_ snapshot: ProxySnapshot) {
        let previous = pools
        if pools.isEmpty || pools.map(\.definition) != snapshot.routing.pools {
            pools = snapshot.routing.pools.map { definition in
                let old = previous.first { $0.definition.name == definition.name }?.servers ?? []
                return PoolRuntime(definition: definition, reusing: old, traffic: traffic)
            }
            let kept = Set(pools.flatMap { $0.servers.map(ObjectIdentifier.init) })
            for server in previous.flatMap(\.servers) where !kept.contains(ObjectIdentifier(server)) {
                server.retired = true
                for connection in server.idle { connection.close() }
                server.idle.removeAll()
            }
        }
        mirrors.adopt(snapshot.routing)
        self.snapshot = snapshot
        settings = snapshot.settings
    }

    // MARK: Accepting

    func acceptConnections(from listener: Listener) {
        while clients.count < connectionLimit && !draining {
            switch listener.socket.accept() {
            case .accepted(let descriptor, let address):
                let socket = Socket(adopting: descriptor)
                socket.setNoDelay()
                let connection = ClientConnection(worker: self, socket: socket, clientAddress: Array(address.hostText.utf8))
                do {
                    try connection.register()
                } catch {
                    connection.socket.close()
                    continue
                }
                clients[ObjectIdentifier(connection)] = connection
                counters.acceptedConnections += 1
                connection.drive()
            case .empty:
                return
            case .failed(let error) where error.isResourceExhaustion:
                // Out of descriptors or kernel memory: back off briefly instead of spinning on
                // a listener that stays readable, and never crash.
                listener.pause(for: 100_000_000)
                return
            case .failed:
                // ECONNABORTED and the like concern one connection only.
                continue
            }
        }
        if clients.count >= connectionLimit { listener.pause(for: nil) }
    }

    func clientClosed(_ connection: ClientConnection) {
        clients.removeValue(forKey: ObjectIdentifier(connection))
        if clients.count < connectionLimit && !draining {
            for listener in listeners where listener.paused { listener.resume() }
        }
        if draining && clients.isEmpty { finishDrain() }
    }

    // MARK: Stopping

    /// Stops accepting, closes idle connections, lets in-flight exchanges finish; `done` runs
    /// on this loop once no client connection is left.
    ///
    /// Closing a listener resets the connections still in its accept queue, and with a second
    /// process on the same port (a binary upgrade) clients keep connecting until the last
    /// moment: so the queue is accepted first, and those connections are served. A connection
    /// that has not sent its first request yet is not closed either: its client is about to send
    /// one on it, and a new connection that fails is a failed request for any client. It gets its
    /// answer (with `Connection: close`), or is closed by `client_header_ms` or the drain's end.
    /// A kept-alive idle connection is read once more (its next request may be in the socket
    /// already, unseen) and then waits for a request for at most `drainIdleGrace` (half of
    /// `drain_ms` if that is shorter): a client sending one as the drain begins gets its answer,
    /// with `Connection: close`, rather than a connection closed under it. Closing idle kept-alive
    /// connections at once (as nginx does) leaves that race to the client, which may send again
    /// on a new connection (RFC 9112 §9.3.1) or count an error, as load generators do.
    func beginDrain(done: @escaping @Sendable () -> Void) {
        for listener in listeners where !listener.paused { acceptConnections(from: listener) }
        draining = true
        drainIdleDeadline = loop.now + min(Self.drainIdleGrace, settings.drainTimeout / 2)
        onDrained = done
        for listener in listeners { listener.close() }
        for pool in pools {
            for server in pool.servers {
                for connection in server.idle { connection.close() }
                server.idle.removeAll()
            }
        }
        for connection in Array(clients.values) {
            connection.closeAfterResponse = true
            if connection.phase == .head && connection.requestStartedAt == 0 && connection.answeredAny {
                connection.readable = true
                connection.drive()
            }
        }
        if clients.isEmpty { finishDrain() }
    }

    /// Closes whatever is left (the drain deadline passed).
    func closeEverything() {
        for connection in Array(clients.values) { connection.close() }
        finishDrain()
    }

    private func finishDrain() {
        let done = onDrained
        onDrained = nil
        done?()
    }

    var openConnectionCount: Int { clients.count }
}
