import Glibc
import TurnoutHTTP
import TurnoutPosix

/// Which way bytes move: request bodies and tunnel uploads towards the upstream, response
/// bodies and tunnel downloads towards the client.
enum Direction {
    case towardsUpstream
    case towardsClient
}

/// What one call of `pump` achieved.
enum PumpResult: Equatable {
    /// Nothing could move: waiting for readiness on one side.
    case blocked
    case progressed
    /// The body (with its terminal framing) has been written out completely.
    case finished
    /// The source closed or failed before the body was complete.
    case sourceFailed
    /// Writing to the destination failed (peer gone).
    case destinationFailed
    /// The body's framing is invalid (bad chunk) or over a limit.
    case invalid(HTTPError)
}

extension ClientConnection {
    /// Moves body bytes one way: flushes what is staged, lets the transfer consume more of the
    /// source, reads more from the source socket when the transfer needs it. Bounded per call
    /// so that one busy connection yields to the rest of the loop.
    func pump(_ direction: Direction) -> PumpResult {
        guard let upstream = exchange.upstream else { return .blocked }
        let towardsUpstream = direction == .towardsUpstream
        guard let source = towardsUpstream ? acquireInbound() : exchange.upstreamInbound,
              let staging = towardsUpstream ? exchange.upstreamOutbound : acquireOutbound() else { return .blocked }
        var progressed = false
        for _ in 0..<16 {
            let direct = towardsUpstream ? exchange.requestBody.direct : exchange.responseBody.direct
            let outputDone = towardsUpstream ? exchange.requestBody.outputDone : exchange.responseBody.outputDone
            // The transfer takes what the source already holds before anything is written, so
            // a staged head and the body bytes behind it leave in one sendmsg (one packet for a
            // small response, not two).
            var step = BodyTransfer.Step.blocked
            if direct == 0 && !outputDone {
                let stagedBefore = staging.readableCount
                step = towardsUpstream
                    ? exchange.requestBody.process(source: source, staging: staging)
                    : exchange.responseBody.process(source: source, staging: staging)
                switch step {
                case .progress:
                    progressed = true
                    if let mirror = exchange.mirror { copyForMirror(mirror, direction, source: source, staging: staging, stagedBefore: stagedBefore) }
                    continue
                case .failed(let error):
                    return .invalid(error)
                case .blocked, .needInput:
                    break
                }
            }
            if staging.readableCount > 0 || direct > 0 {
                guard towardsUpstream ? upstream.writable : writable else { return progressed ? .progressed : .blocked }
                let result = towardsUpstream
                    ? flush(staging, source, direct: &exchange.requestBody.direct, to: upstream.socket.descriptor)
                    : flush(staging, source, direct: &exchange.responseBody.direct, to: socket.descriptor)
                switch result {
                case .bytes(let n):
                    if towardsUpstream {
                        exchange.meter.bytesSent &+= UInt64(n)
                        requestBodyProgressed()
                    }
                    progressed = true
                    continue
                case .wouldBlock:
                    if towardsUpstream { upstream.writable = false } else { writable = false }
                    return progressed ? .progressed : .blocked
                case .endOfFile, .failed:
                    return .destinationFailed
                }
            }
            if outputDone { return .finished }
            guard case .needInput = step else { return progressed ? .progressed : .blocked }
            guard towardsUpstream ? readable : upstream.readable else { return progressed ? .progressed : .blocked }
            if source.isEmpty { source.clear() } else if source.writableCount == 0 { source.compact() }
            let room = source.writableCount
            let result = towardsUpstream
                ? socket.read(into: source.writePointer, count: room)
                : upstream.socket.read(into: source.writePointer, count: room)
            switch result {
            case .bytes(let n):
                source.writeIndex += n
                progressed = true
                // A short read emptied the socket (see advanceHead).
                if n < room {
                    if towardsUpstream { if !peerClosing { readable = false } } else if !upstream.peerClosing { upstream.readable = false }
                }
                if towardsUpstream { armBodyTimer(); requestBodyProgressed() } else { exchange.meter.bytesReceived &+= UInt64(n); armResponseTimer() }
            case .wouldBlock:
                if towardsUpstream { readable = false } else { upstream.readable = false }
                return progressed ? .progressed : .blocked
            case .endOfFile:
                let ended = towardsUpstream
                    ? exchange.requestBody.finishAtEndOfInput(staging: staging)
                    : exchange.responseBody.finishAtEndOfInput(staging: staging)
                guard ended else { return .sourceFailed }
                progressed = true
            case .failed:
                return .sourceFailed
            }
        }
        return .progressed
    }

    /// Writes the staged bytes and then `direct` bytes of `source` in one call: sendmsg when
    /// both have bytes, send when one does (no msghdr and iovec for the kernel to copy in).
    private func flush(_ staging: ByteBuffer, _ source: ByteBuffer, direct: inout Int, to descriptor: Int32) -> IOResult {
        let result: IOResult
        if staging.readableCount > 0 && direct > 0 {
            let vectors = worker.vectors
            vectors[0] = iovec(iov_base: staging.readPointer, iov_len: staging.readableCount)
            vectors[1] = iovec(iov_base: source.readPointer, iov_len: direct)
            var message = msghdr()
            message.msg_iov = vectors
            message.msg_iovlen = 2
            result = Socket.classify(retryingInterrupts { sendmsg(descriptor, &message, Int32(MSG_NOSIGNAL)) }, zeroIsEOF: false)
        } else {
            let (bytes, count) = staging.readableCount > 0 ? (UnsafeRawPointer(staging.readPointer), staging.readableCount)
                                                           : (UnsafeRawPointer(source.readPointer), direct)
            result = Socket.classify(retryingInterrupts { send(descriptor, bytes, count, Int32(MSG_NOSIGNAL)) }, zeroIsEOF: false)
        }
        if case .bytes(var n) = result {
            let fromStaging = min(n, staging.readableCount)
            staging.readIndex += fromStaging
            n -= fromStaging
            source.readIndex += n
            direct -= n
        }
        return result
    }

    /// While the client uploads a body, its silence is bounded by the idle timeout.
    func armBodyTimer() {
        worker.timers.schedule(self, at: worker.loop.now + settings.clientIdleTimeout)
    }

    /// A request body moved (read from the client or written upstream): the upstream is not
    /// late while the request is still on its way, so its deadline starts again. Without this
    /// the deadline ran from the attempt's start, and a body still arriving when
    /// `upstream_response_ms` ran out was answered 504 — also when it was about to cross
    /// `max_body_bytes`, whose 413 then lost the race to the timer.
    @inline(__always)
    private func requestBodyProgressed() {
        if phase == .exchange && exchange.requestBody.input != .none { armResponseTimer() }
    }

    // MARK: Tunnels

    /// After a 101 both directions are raw byte streams. When one side finishes sending, the
    /// other side's write half is shut down; when both are done the tunnel closes.
    func advanceTunnel() -> Bool {
        guard let upstream = exchange.upstream else { close(); return false }
        var progressed = false
        if !exchange.requestBody.outputDone || exchange.requestBody.direct > 0 || !(exchange.upstreamOutbound?.isEmpty ?? true) {
            switch pump(.towardsUpstream) {
            case .blocked: break
            case .progressed: progressed = true
            case .finished:
                upstream.socket.shutdownWrite()
                progressed = true
            case .sourceFailed, .destinationFailed, .invalid:
                close()
                return false
            }
        }
        if !exchange.responseBody.outputDone || exchange.responseBody.direct > 0 || !(outbound?.isEmpty ?? true) {
            switch pump(.towardsClient) {
            case .blocked: break
            case .progressed: progressed = true
            case .finished:
                socket.shutdownWrite()
                progressed = true
            case .sourceFailed, .destinationFailed, .invalid:
                close()
                return false
            }
        }
        if exchange.requestBody.outputDone && exchange.responseBody.outputDone && exchange.requestBody.direct == 0 && exchange.responseBody.direct == 0
            && (exchange.upstreamOutbound?.isEmpty ?? true) && (outbound?.isEmpty ?? true) {
            close()
            return false
        }
        return progressed
    }
}
