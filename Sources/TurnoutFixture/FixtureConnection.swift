import TurnoutHTTP
import TurnoutPosix

/// One accepted client connection of a fixture: a state machine over a pooled input buffer (bytes
/// read, not yet used) and a pooled output buffer (bytes produced, not yet written).
///
/// Each wakeup runs `drive()`, which repeats three moves until none makes progress: advance the
/// state machine as far as the buffers allow, write what is produced, read more if the state
/// wants input. Reading stops while the output cannot drain, so a slow reader holds back a fast
/// sender (backpressure) and no body is ever held whole. Pipelined requests are answered in
/// order; their answers share writes. The object is reused for later connections of its loop.
final class FixtureConnection: TimerNode, EventHandler {
    /// Where the connection is in its request/response cycle.
    enum Phase {
        /// Waiting for (or parsing) a request head.
        case head
        /// Reading the request body: discarding it, or echoing it for `/echo`.
        case body
        /// The body is read; the answer waits for its timer (latency, `/delay`).
        case delaying
        /// Writing the response head and body.
        case responding
        /// After a 101: every byte read is written back.
        case tunnel
        /// The last response is produced; close once it is written.
        case closing
        /// Write side shut down; discarding input until the peer closes (or a timeout), so
        /// unread pipelined bytes cannot turn our close into a reset that destroys the response
        /// the client has not read yet.
        case lingering
        /// Not connected (closed, or spare in the loop's free list).
        case closed
    }

    /// How the request body is framed.
    enum RequestBody { case none, length, chunked }

    /// How the response body is framed on the wire.
    enum ResponseFraming {
        /// No body and no Content-Length (204, 304).
        case none
        case length(Int)
        case chunked
        /// Body until the connection closes.
        case closeDelimited
    }

    /// Where response body bytes come from.
    enum BodySource {
        case none
        /// `bodyArray`: one of the fixture's prepared bodies.
        case bytes
        /// `scratch`: the copied request head of `/headers`.
        case scratch
        /// `BytePattern`.
        case pattern
    }

    unowned let owner: FixtureLoop
    /// This connection's index in the loop's list of open connections.
    var listIndex = -1
    var socket = Socket(adopting: -1)
    var registration: Registration?
    var phase = Phase.closed
    var input: ByteBuffer?
    var output: ByteBuffer?

    // Readiness as edge-triggered epoll reported it: true until a call says EAGAIN.
    var canRead = true
    var canWrite = true
    /// The peer's FIN (or an error) was reported: keep reading until it shows as end of file.
    var hangUpReported = false
    /// Read returned end of file.
    var peerClosed = false
    var resumeQueued = false

    var parser: RequestHeadParser
    var head = RequestHead()
    var decoder = ChunkedDecoder()

    // The request being served.
    var route = FixtureRoute.standard
    var isHead = false
    var keepAlive = true
    var http10 = false
    var requestBody = RequestBody.none
    var requestRemaining: Int64 = 0
    var echo = false

    // The response being produced.
    var status = 200
    var responseFraming = ResponseFraming.none
    var bodySource = BodySource.none
    var bodyArray: [UInt8] = []
    var bodyTotal = 0
    var bodySent = 0
    var checksumTrailer = false
    var checksum: UInt32 = 0
    var closeAfter = false
    var earlyHints = false
    var headPending = false
    /// Reused storage for a copied request head (`/headers`) or Upgrade value (101): keeps its
    /// capacity, so only the first such request of a connection allocates.
    var scratch: [UInt8] = []

    /// Rounds of read/produce/write per wakeup before yielding to other connections.
    static let roundsPerWakeup = 32
    /// Output space kept free before a head is written: heads are a few hundred bytes, plus an
    /// echoed Upgrade value of at most `maxUpgradeValue`.
    static let headRoom = 2048
    static let maxUpgradeValue = 1024
    /// Bytes around a chunk's payload: size in hex, two CRLFs, and the last-chunk line.
    static let chunkOverhead = 32
    /// The largest chunk `/bytes?chunked=1` sends.
    static let maxChunk = 8192
    /// Input buffers are compacted when less than this is free, so reads stay large.
    static let compactBelow = 4096
    /// How long a closing connection waits for the peer's FIN before closing anyway.
    static let lingerNanoseconds: UInt64 = 2_000_000_000

    init(owner: FixtureLoop) {
        self.owner = owner
        parser = RequestHeadParser(limits: owner.limits)
        super.init()
    }

    // MARK: Lifecycle

    /// Adopts an accepted descriptor; returns false (descriptor closed) if epoll refused it.
    func open(_ descriptor: Int32) -> Bool {
        socket = Socket(adopting: descriptor)
        socket.setNoDelay()
        phase = .head
        canRead = true
        canWrite = true
        hangUpReported = false
        peerClosed = false
        resumeQueued = false
        parser.reset()
        resetResponse()
        do {
            // Registered once for in and out, edge-triggered; the first event arrives at once
            // because the socket is writable.
            registration = try owner.loop.register(descriptor: socket.descriptor, events: EpollEvents.connection, handler: self)
        } catch {
            phase = .closed
            socket.close()
            return false
        }
        return true
    }

    /// Closes the connection now and gives the object back to the loop.
    func close() {
        guard phase != .closed else { return }
        phase = .closed
        owner.loop.timers.remove(self)
        if let registration {
            owner.loop.deregister(descriptor: socket.descriptor, registration: registration)
            self.registration = nil
        }
        socket.close()
        if let input { owner.loop.buffers.release(input) }
        if let output { owner.loop.buffers.release(output) }
        input = nil
        output = nil
        bodyArray = []
        owner.remove(self)
    }

    // MARK: Events

    func handleEvents(_ events: UInt32) {
        if events & (EpollEvents.readHangUp | EpollEvents.hangUp | EpollEvents.error) != 0 {
            hangUpReported = true
            canRead = true
            canWrite = true
        }
        if events & EpollEvents.readable != 0 { canRead = true }
        if events & EpollEvents.writable != 0 { canWrite = true }
        drive()
    }

    override func timerExpired(now: UInt64) {
        switch phase {
        case .delaying:
            phase = .responding
            drive()
        case .lingering:
            close()
        default:
            break
        }
    }

    /// Makes all the progress the socket allows now; see the type's comment.
    func drive() {
        resumeQueued = false
        var rounds = 0
        while phase != .closed {
            var progressed = advance()
            if phase == .closed { return }
            switch flush() {
            case .progressed: progressed = true
            case .idle: break
            case .failed: close(); return
            }
            switch receive() {
            case .progressed: progressed = true
            case .idle: break
            case .failed: close(); return
            }
            if !progressed { break }
            rounds += 1
            if rounds == Self.roundsPerWakeup {
                // Fairness: let the other connections of this wakeup run; edge-triggered epoll
                // will not report what is already pending, so ask to be called again.
                if !resumeQueued {
                    resumeQueued = true
                    owner.loop.resumeSoon(self, events: 0)
                }
                return
            }
        }
        releaseIdleBuffers()
    }

    /// The result of one read or write attempt.
    enum IOStep { case progressed, idle, failed }

    /// Writes what the output buffer holds (one send).
    func flush() -> IOStep {
        guard canWrite, let out = output, !out.isEmpty else { return .idle }
        let count = out.readableCount
        switch socket.write(out.readPointer, count: count) {
        case .bytes(let n):
            out.readIndex += n
            if out.isEmpty { out.clear() }
            // A short write means the socket buffer is full: EPOLLOUT will say when it drains.
            if n < count { canWrite = false }
            return n > 0 ? .progressed : .idle
        case .wouldBlock, .endOfFile:
            canWrite = false
            return .idle
        case .failed:
            return .failed
        }
    }

    /// Reads once into the input buffer when the state wants input and there is room.
    func receive() -> IOStep {
        guard canRead, !peerClosed else { return .idle }
        switch phase {
        case .head, .body, .tunnel, .lingering: break
        case .delaying, .responding, .closing, .closed: return .idle
        }
        let buffer = acquireInput()
        if phase == .lingering { buffer.clear() }
        if buffer.writableCount < Self.compactBelow { buffer.compact() }
        let room = buffer.writableCount
        guard room > 0 else { return .idle }
        switch socket.read(into: buffer.writePointer, count: room) {
        case .bytes(let n):
            buffer.writeIndex += n
            // A short read drained the socket; new data will raise a new edge. Not so for a
            // reported FIN: that edge has passed, so keep reading until end of file shows.
            if n < room && !hangUpReported { canRead = false }
            return .progressed
        case .wouldBlock:
            canRead = false
            return .idle
        case .endOfFile:
            peerClosed = true
            return .progressed
        case .failed:
            return .failed
        }
    }

    // MARK: Buffers

    func acquireInput() -> ByteBuffer {
        if let input { return input }
        let buffer = owner.loop.buffers.acquire()
        input = buffer
        return buffer
    }

    func acquireOutput() -> ByteBuffer {
        if let output { return output }
        let buffer = owner.loop.buffers.acquire()
        output = buffer
        return buffer
    }

    /// Marks `count` input bytes as used.
    func consumeInput(_ buffer: ByteBuffer, _ count: Int) {
        buffer.readIndex += count
        if buffer.isEmpty { buffer.clear() }
    }

    /// Gives empty buffers back to the loop's pool, so an idle keep-alive connection holds none.
    private func releaseIdleBuffers() {
        if let buffer = input, buffer.isEmpty {
            owner.loop.buffers.release(buffer)
            input = nil
        }
        if let buffer = output, buffer.isEmpty {
            owner.loop.buffers.release(buffer)
            output = nil
        }
    }

    // MARK: State machine

    /// Runs the state machine until it needs I/O; returns whether anything happened.
    private func advance() -> Bool {
        var progressed = false
        while true {
            let stepped: Bool
            switch phase {
            case .head: stepped = startNextRequest()
            case .body: stepped = consumeBody()
            case .responding: stepped = produceResponse()
            case .tunnel: stepped = pumpTunnel()
            case .closing: stepped = beginLingering()
            case .lingering: stepped = linger()
            case .delaying, .closed: stepped = false
            }
            guard stepped else { return progressed }
            progressed = true
        }
    }
}
