import Glibc
import Synchronization
import TurnoutHTTP
import TurnoutPosix

/// One event-loop thread of a fixture: its epoll loop, its own `SO_REUSEPORT` listener, the
/// connections it accepted, and a free list of connection objects so steady-state accepting
/// allocates nothing. Everything but the counters is touched only on the loop's thread
/// (or before it starts and after it is joined), which is why it is `@unchecked Sendable`.
final class FixtureLoop: @unchecked Sendable {
    let loop: EventLoop
    let state: FixtureState
    private(set) var listener: FixtureListener!
    /// Open connections, so `shutdown` can close every one; each knows its index here.
    private var connections: [FixtureConnection] = []
    private var spareConnections: [FixtureConnection] = []
    /// The behaviour this loop answers with, refreshed when `state.behaviorVersion` moves.
    private var behavior: FixtureBehavior
    private var behaviorVersion: Int
    /// The bytes of `behavior`'s answers, prepared with it.
    private var answers: FixtureAnswers
    var random: FixtureRandom
    /// Head limits matched to the buffer size: a head must fit in one input buffer.
    let limits: HTTPLimits

    /// Per-loop counters, summed by `FixtureUpstream`; separate per loop so loops do not fight
    /// over one cache line on every request.
    let accepted = Atomic<Int>(0)
    let served = Atomic<Int>(0)

    /// The size of every pooled buffer. A request head must fit in one.
    static let bufferSize = 16 * 1024

    init(index: Int, listening socket: consuming Socket, state: FixtureState) throws(Errno) {
        loop = try EventLoop(index: index, bufferSize: Self.bufferSize)
        self.state = state
        (behavior, behaviorVersion) = state.currentBehavior()
        answers = FixtureAnswers(name: state.name, behavior: behavior)
        random = FixtureRandom(seed: monotonicNanoseconds() &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(index))
        limits = HTTPLimits(maxHeadBytes: Self.bufferSize, maxRequestLineBytes: 8192, maxHeaderCount: 128)
        listener = FixtureListener(socket: socket, owner: self)
        try listener.register()
    }

    /// The behaviour for the next request (one atomic load unless it changed).
    func currentBehavior() -> FixtureBehavior {
        refreshBehavior()
        return behavior
    }

    /// The bytes of the current behaviour's answers (one atomic load unless it changed).
    func currentAnswers() -> FixtureAnswers {
        refreshBehavior()
        return answers
    }

    private func refreshBehavior() {
        guard state.behaviorVersion.load(ordering: .acquiring) != behaviorVersion else { return }
        (behavior, behaviorVersion) = state.currentBehavior()
        answers = FixtureAnswers(name: state.name, behavior: behavior)
    }

    /// Takes over an accepted descriptor: a spare connection object is reused when there is one.
    func adopt(_ descriptor: Int32) {
        accepted.add(1, ordering: .relaxed)
        let connection = spareConnections.popLast() ?? FixtureConnection(owner: self)
        connection.listIndex = connections.count
        connections.append(connection)
        if !connection.open(descriptor) {
            // Registration failed (out of memory in the kernel): the descriptor is already closed.
            remove(connection)
        }
    }

    /// Called by a connection that closed: forget it and keep the object for the next accept.
    func remove(_ connection: FixtureConnection) {
        let index = connection.listIndex
        guard index >= 0, index < connections.count, connections[index] === connection else { return }
        let last = connections.removeLast()
        if index < connections.count {
            connections[index] = last
            last.listIndex = index
        }
        connection.listIndex = -1
        if spareConnections.count < 1024 { spareConnections.append(connection) }
    }

    /// Closes the listener and every connection, then stops the loop. Runs on the loop's thread
    /// (or on any thread before the loop ever ran).
    func shutdown() {
        listener.close()
        while let connection = connections.last {
            connection.close()
        }
        spareConnections.removeAll()
        loop.stop()
    }
}
