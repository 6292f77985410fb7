import Glibc
import Synchronization
import TurnoutPosix

/// One soak thread: an event loop and its share of the connections. Its state is touched only
/// on the loop's thread; `held` is the one value published for other threads to read.
final class SoakWorker: @unchecked Sendable {
    let loop: EventLoop
    let plan: SoakPlan
    var tally = SoakTally()
    var stopping = false
    private var connections: [SoakConnection] = []
    /// Where slowloris and idle connections read what they do not keep (a 408, nothing at all):
    /// one buffer per thread, so a held connection costs no buffer of its own.
    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    /// Held counts as of the last `publish()`, for the thread that samples.
    let published = Mutex(SoakHeld())
    /// A small pseudo-random stream (xorshift) to spread first bytes over the trickle interval,
    /// so thousands of slowloris connections do not write in the same tick.
    private var seed: UInt64

    init(index: Int, plan: SoakPlan) throws(Errno) {
        loop = try EventLoop(index: index, bufferSize: 4096)
        self.plan = plan
        seed = 0x9E37_79B9_7F4A_7C15 &+ UInt64(index)
    }

    deinit { scratch.deallocate() }

    /// On the loop: opens this thread's connections, fast ones first so timing starts at once.
    func start(slowloris: Int, idle: Int, fast: Int) {
        for (kind, count) in [(SoakKind.fast, fast), (.idle, idle), (.slowloris, slowloris)] {
            for _ in 0..<count {
                let connection = SoakConnection(worker: self, kind: kind)
                connections.append(connection)
                connection.connect()
            }
        }
    }

    /// On the loop: copies the held counts where `published` can be read from elsewhere.
    func publish() {
        var held = SoakHeld()
        held.slowloris = tally[.slowloris].held
        held.idle = tally[.idle].held
        held.fast = tally[.fast].held
        published.withLock { $0 = held }
    }

    /// On the loop: closes every connection (not counted as the proxy's closes) and notes the
    /// least served fast connection.
    func finish() {
        publish()
        for index in tally.kinds.indices { tally.kinds[index].heldAtEnd = tally.kinds[index].held }
        stopping = true
        for connection in connections {
            if connection.kind == .fast { tally.fastFewestCompleted = min(tally.fastFewestCompleted, connection.completed) }
            connection.stop()
        }
        connections.removeAll()
    }

    /// A connection of `kind` was established.
    func opened(_ kind: SoakKind) {
        tally[kind].opened += 1
        tally[kind].held += 1
        tally[kind].peakHeld = max(tally[kind].peakHeld, tally[kind].held)
        tally.peakHeldTotal = max(tally.peakHeldTotal, tally.held)
    }

    /// A number in 0..<bound (0 when bound is 0); statistical quality does not matter here.
    func random(below bound: UInt64) -> UInt64 {
        seed ^= seed << 13
        seed ^= seed >> 7
        seed ^= seed << 17
        return bound == 0 ? 0 : seed % bound
    }
}
