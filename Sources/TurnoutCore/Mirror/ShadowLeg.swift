import TurnoutHTTP
import TurnoutMetrics
import TurnoutMirror
import TurnoutPosix

/// One copy of a mirrored request on its way to one server: the shadow pool's, or (with the
/// noise filter) a second server of the primary pool. It sends the copy's bytes as they become
/// available, reads the whole answer (digesting its body when the mirror compares) and ends by
/// telling its `MirrorCopy` what came back. Its failures end here, as counts.
///
/// It runs on an upstream connection of the worker's own pool (idle ones are reused, and a
/// clean exchange returns its connection for the next request, shadow or not), driven by that
/// connection's events and timers, never by the client's.
final class ShadowLeg: EventHandler {
    enum Role { case shadow, secondPrimary }

    enum Outcome {
        case answered(RecordedAnswer)
        case failed(ShadowFailure)
        /// The copy was given up (its body grew past the limit or never arrived whole).
        case abandoned
    }

    /// How far the answer has come.
    private enum Reading {
        case head
        case length(remaining: Int64)
        case chunked
        case untilClose
        case done
    }

    /// Unowned(unsafe) is safe: a leg lives on its worker's loop, which the worker owns.
    unowned(unsafe) let worker: Worker
    let copy: MirrorCopy
    let role: Role
    private let pool: PoolRuntime
    private var connection: UpstreamConnection?
    /// Bytes of `copy.request` written to the current connection.
    private var sent = 0
    private var inbound: ByteBuffer?
    private var parser: ResponseHeadParser
    private var head = ResponseHead()
    private var reading = Reading.head
    private var chunks = ChunkedDecoder()
    /// The answer's body as the comparison needs it; nil without `compare`.
    private var recorder: AnswerRecorder?
    /// When the connection was attached and when the final head arrived, for the server's traffic.
    private var attachedAt: UInt64 = 0
    private var firstByteAt: UInt64 = 0
    /// The server sent some byte on the current connection.
    private var serverSpoke = false
    /// A pooled connection turned out closed before answering: the copy was sent again once.
    private var replayed = false
    private var resumeQueued = false
    private var ended = false
    /// Servers not to pick (the primary's, for the second primary).
    private let excluded: ServerSet

    init(copy: MirrorCopy, role: Role, pool: PoolRuntime, excluding: ServerSet) {
        worker = copy.worker
        self.copy = copy
        self.role = role
        self.pool = pool
        excluded = excluding
        parser = ResponseHeadParser(limits: copy.worker.settings.limits)
        recorder = copy.policy.compare ? AnswerRecorder(compareLimit: copy.policy.compareBodyBytes) : nil
    }

    /// Picks a server and attaches a connection; the first bytes go out on the next turn of the
    /// loop, after the primary's.
    func start() {
        var random = worker.random
        let picked = pool.pick(excluding: excluded, random: &random)
        worker.random = random
        guard let index = picked else {
            // Every server of the pool is down, drained or ejected.
            fail(.connect, server: nil)
            return
        }
        let server = pool.servers[index]
        if let idle = server.idle.popLast() {
            attach(idle)
            scheduleDrive()
        } else {
            open(to: server)
        }
    }

    private func open(to server: ServerRuntime) {
        guard case .success(let fresh) = UpstreamConnection.open(to: server, worker: worker) else {
            fail(.connect, server: server)
            return
        }
        attach(fresh)
        fresh.arm(.connect, after: worker.settings.upstreamConnectTimeout)
    }

    private func attach(_ connection: UpstreamConnection) {
        connection.shadow = self
        connection.disarm()
        connection.server.inFlight += 1
        self.connection = connection
        attachedAt = monotonicNanoseconds()
        sent = 0
        serverSpoke = false
        if connection.connected { connection.arm(.response, after: worker.settings.upstreamResponseTimeout) }
    }

    // MARK: Driving

    /// The copy has more request bytes: a connected leg that had sent everything writes again.
    func requestGrew() {
        if let connection, connection.connected, connection.writable { scheduleDrive() }
    }

    func handleEvents(_ events: UInt32) {
        resumeQueued = false
        drive()
    }

    private func scheduleDrive() {
        guard !resumeQueued, !ended else { return }
        resumeQueued = true
        worker.loop.resumeSoon(self, events: 0)
    }

    /// Connects, writes what the copy holds, reads what the server sent. Called by the
    /// connection's events and by `scheduleDrive`.
    func drive() {
        guard !ended, let connection else { return }
        if !connection.connected {
            guard connection.writable || connection.readable else { return }
            if connection.socket.pendingError() != nil {
                fail(.connect)
                return
            }
            connection.connected = true
            connection.arm(.response, after: worker.settings.upstreamResponseTimeout)
        }
        guard send(on: connection) else { return }
        receive(on: connection)
    }

    /// Writes the copy's unsent bytes while the socket takes them; false when the leg ended.
    private func send(on connection: UpstreamConnection) -> Bool {
        while sent < copy.request.count && connection.writable {
            let result = copy.request.withUnsafeBytes { bytes in
                connection.socket.write(bytes.baseAddress! + sent, count: bytes.count - sent)
            }
            switch result {
            case .bytes(let n):
                sent += n
                connection.arm(.response, after: worker.settings.upstreamResponseTimeout)
            case .wouldBlock:
                connection.writable = false
            case .endOfFile, .failed:
                closedEarly()
                return false
            }
        }
        return true
    }

    /// Reads and consumes what the server sent, a bounded number of reads per call.
    private func receive(on connection: UpstreamConnection) {
        for _ in 0..<16 {
            guard connection.readable else { return }
            let buffer = inbound ?? acquireInbound()
            if buffer.isEmpty { buffer.clear() } else if buffer.writableCount == 0 { buffer.compact() }
            guard buffer.writableCount > 0 else {
                // A head larger than a buffer.
                fail(.invalid)
                return
            }
            let room = buffer.writableCount
            switch connection.socket.read(into: buffer.writePointer, count: room) {
            case .bytes(let n):
                buffer.writeIndex += n
                serverSpoke = true
                if n < room && !connection.peerClosing { connection.readable = false }
                connection.arm(.response, after: worker.settings.upstreamResponseTimeout)
                consume(buffer)
                if ended { return }
            case .wouldBlock:
                connection.readable = false
                return
            case .endOfFile:
                if case .untilClose = reading {
                    answered(reusable: false)
                } else {
                    closedEarly()
                }
                return
            case .failed:
                closedEarly()
                return
            }
        }
        scheduleDrive()
    }

    private func acquireInbound() -> ByteBuffer {
        let buffer = worker.buffers.acquire()
        inbound = buffer
        return buffer
    }

    /// Parses the answer's head, skipping 1xx, then follows its body's framing to the end.
    private func consume(_ buffer: ByteBuffer) {
        while true {
            switch reading {
            case .head:
                switch parser.parse(buffer.readable, requestMethod: copy.method, into: &head) {
                case .complete:
                    buffer.readIndex += head.headLength
                    parser.reset()
                    if head.isInformational {
                        // A copy never asks to upgrade, so a 101 is a broken answer.
                        if head.status == 101 { fail(.invalid); return }
                        continue
                    }
                    firstByteAt = monotonicNanoseconds()
                    switch head.framing {
                    case .none: reading = .done
                    case .contentLength(let length): reading = length == 0 ? .done : .length(remaining: length)
                    case .chunked: reading = .chunked
                    case .closeDelimited: reading = .untilClose
                    }
                case .failed:
                    fail(.invalid)
                    return
                case .needMore:
                    return
                }
            case .length(let remaining):
                let n = min(Int64(buffer.readableCount), remaining)
                guard n > 0 else { return }
                recorder?.record(UnsafeRawBufferPointer(start: buffer.readPointer, count: Int(n)))
                buffer.readIndex += Int(n)
                reading = n == remaining ? .done : .length(remaining: remaining - n)
            case .chunked:
                guard buffer.readableCount > 0 else { return }
                switch chunks.decode(buffer.readable) {
                case .data(let range):
                    recorder?.record(UnsafeRawBufferPointer(start: buffer.readPointer + range.lowerBound, count: range.count))
                    buffer.readIndex += range.upperBound
                case .needMore(let consumed):
                    buffer.readIndex += consumed
                    return
                case .end(let consumed):
                    buffer.readIndex += consumed
                    reading = .done
                case .failed:
                    fail(.invalid)
                    return
                }
            case .untilClose:
                recorder?.record(buffer.readable)
                buffer.readIndex = buffer.writeIndex
                return
            case .done:
                answered(reusable: head.keepAlive && buffer.isEmpty)
                return
            }
        }
    }

    // MARK: Ending

    /// The whole answer arrived. The connection is pooled again when it can carry another request.
    private func answered(reusable: Bool) {
        let now = monotonicNanoseconds()
        if role == .shadow, let server = connection?.server {
            // The shadow pool's own traffic (its servers get no other): latency, errors and
            // bytes as for any pool, so /stats and the dashboard show how the new version runs.
            server.traffic.stats.recordResponse(status: head.status, latencyNanoseconds: now &- attachedAt,
                                                firstByteNanoseconds: (firstByteAt == 0 ? now : firstByteAt) &- attachedAt)
        }
        let wholeRequestSent = copy.requestComplete && sent == copy.request.count
        detach(reusable: reusable && wholeRequestSent)
        end(.answered(RecordedAnswer(status: head.status, recorded: recorder, latencyNanoseconds: now &- copy.startedAt)))
    }

    /// The server closed the connection (or it failed) before a whole answer. A pooled
    /// connection that closes before any byte of an answer was most likely closed while idle:
    /// the copy goes once more over a new connection to the same server, as a primary's would.
    private func closedEarly() {
        if let connection, connection.reused, !serverSpoke, !replayed {
            replayed = true
            let server = connection.server
            detach(reusable: false)
            open(to: server)
            return
        }
        fail(.reset)
    }

    /// The connection's deadline passed: it did not connect, or the server went quiet.
    func deadlinePassed(_ kind: UpstreamConnection.Deadline) {
        switch kind {
        case .connect: fail(.connect)
        case .response: fail(.timeout)
        case .idle, .none: return
        }
    }

    /// Counts the failure in the mirror's counts and, for the shadow pool, in the server's
    /// traffic. A second primary's failures stay out of the primary pool's traffic, which the
    /// rollout analyzer and the outlier detection read: the copy is Turnout's doing, not a user's.
    private func fail(_ failure: ShadowFailure, server: ServerRuntime? = nil) {
        guard !ended else { return }
        if role == .shadow, let server = server ?? connection?.server {
            let kind: UpstreamErrorKind
            switch failure {
            case .connect: kind = .connect
            case .reset: kind = .reset
            case .timeout: kind = .timeout
            case .invalid: kind = .invalid
            }
            server.traffic.stats.recordError(kind)
        }
        copy.cell.counts.recordFailure(failure)
        detach(reusable: false)
        end(.failed(failure))
    }

    /// The copy was given up: the connection closes mid-request, nothing is counted here.
    func abandon() {
        guard !ended else { return }
        detach(reusable: false)
        end(.abandoned)
    }

    private func detach(reusable: Bool) {
        guard let connection = connection.take() else { return }
        connection.shadow = nil
        connection.server.inFlight -= 1
        connection.disarm()
        if reusable && !connection.server.retired && !worker.draining {
            connection.returnToPool(idleTimeout: worker.settings.upstreamIdleTimeout)
        } else {
            connection.close()
        }
    }

    private func end(_ outcome: Outcome) {
        ended = true
        if let buffer = inbound.take() { worker.buffers.release(buffer) }
        copy.legEnded(self, outcome)
    }
}
