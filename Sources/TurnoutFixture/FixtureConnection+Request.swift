import TurnoutHTTP
import TurnoutPosix

/// The request side of the state machine: parse a head, decide the answer, read (or echo) the body.
extension FixtureConnection {
    /// Phase `.head`: parses the buffered bytes; a complete head starts its request.
    func startNextRequest() -> Bool {
        guard let buffer = input, !buffer.isEmpty else {
            // A peer that closed between requests is done; anything produced still goes out.
            if peerClosed { phase = .closing; return true }
            return false
        }
        // Whatever the head asks for first (a 100, a 101 or echo head, an error) fits in
        // `headRoom`; until the output has that much free, let it drain.
        guard acquireOutput().makeRoom(Self.headRoom) else { return false }
        switch parser.parse(buffer.readable, into: &head) {
        case .needMore:
            if peerClosed { phase = .closing; return true }
            return false
        case .failed(let error):
            output!.writing { CannedResponse.write(status: error.status, message: error.message, close: true, into: &$0) }
            owner.served.add(1, ordering: .relaxed)
            phase = .closing
            return true
        case .complete:
            beginRequest(buffer)
            return true
        }
    }

    /// Takes a complete head out of `buffer` and moves to the body, the tunnel or the answer.
    private func beginRequest(_ buffer: ByteBuffer) {
        resetResponse()
        let bytes = buffer.readable
        isHead = head.method == .head
        http10 = head.version == .http1_0
        keepAlive = head.keepAlive
        route = FixtureRoute.parse(path: UnsafeRawBufferPointer(rebasing: bytes[head.path]),
                                   query: head.query.map { UnsafeRawBufferPointer(rebasing: bytes[$0]) }, method: head.method,
                                   divergePrefix: owner.currentAnswers().divergePrefix)
        switch head.framing {
        case .none:
            requestBody = .none
        case .contentLength(let length):
            requestBody = length > 0 ? .length : .none
            requestRemaining = length
        case .chunked:
            requestBody = .chunked
            decoder.reset()
        }
        // Copies what outlives the head's bytes, which are consumed below.
        var upgradeValue = false
        if head.upgrade, let value = head.field("upgrade", in: bytes), value.count <= Self.maxUpgradeValue {
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: bytes[value])
            upgradeValue = true
        } else if route == .headers {
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: bytes[0..<head.headLength])
        }
        consumeInput(buffer, head.headLength)
        parser.reset()

        let out = output!
        if upgradeValue {
            out.writing { w in
                w.writeStatusLine(101)
                w.write("Connection: Upgrade\r\nUpgrade: ")
                w.write(scratch)
                w.write("\r\n")
                w.write(owner.state.nameField)
                w.write("\r\n")
            }
            owner.served.add(1, ordering: .relaxed)
            phase = .tunnel
            return
        }
        if head.expectContinue && requestBody != .none && !http10 {
            out.writing { $0.write("HTTP/1.1 100 Continue\r\n\r\n") }
        }
        if route == .echo {
            // The echo answers as the body arrives, so its head goes out first, framed like the
            // request: the body is never held whole.
            echo = true
            switch requestBody {
            case .none: responseFraming = .length(0)
            case .length: responseFraming = .length(Int(requestRemaining))
            case .chunked: responseFraming = http10 ? .closeDelimited : .chunked
            }
            writeResponseHead(into: out)
        }
        if requestBody == .none { bodyFinished() } else { phase = .body }
    }

    /// Phase `.body`: consumes request body bytes, echoing them when the route is `/echo`.
    func consumeBody() -> Bool {
        guard let buffer = input, !buffer.isEmpty else {
            // The peer closed in the middle of a body: there is nobody left to answer.
            if peerClosed { close() }
            return false
        }
        // The room an echo may use now; a full output stops the echo until it drains.
        var room = Int.max
        if echo {
            let out = acquireOutput()
            if out.writableCount < Self.compactBelow { out.compact() }
            room = out.writableCount - Self.chunkOverhead
            guard room > 0 else { return false }
        }
        switch requestBody {
        case .none:
            bodyFinished()
        case .length:
            let count = Int(min(Int64(min(buffer.readableCount, room)), requestRemaining))
            if echo { _ = output!.append(UnsafeRawBufferPointer(start: buffer.readPointer, count: count)) }
            consumeInput(buffer, count)
            requestRemaining -= Int64(count)
            if requestRemaining == 0 { bodyFinished() }
        case .chunked:
            let window = UnsafeRawBufferPointer(start: buffer.readPointer, count: min(buffer.readableCount, room))
            switch decoder.decode(window) {
            case .data(let range):
                if echo { appendEchoed(UnsafeRawBufferPointer(rebasing: window[range])) }
                consumeInput(buffer, range.upperBound)
            case .needMore(let consumed):
                consumeInput(buffer, consumed)
            case .end(let consumed):
                consumeInput(buffer, consumed)
                bodyFinished()
            case .failed(let error):
                if echo {
                    // The answer has begun; the only honest signal left is the close.
                    close()
                } else {
                    _ = output!.makeRoom(Self.headRoom)
                    output!.writing { CannedResponse.write(status: error.status, message: error.message, close: true, into: &$0) }
                    phase = .closing
                }
            }
        }
        return true
    }

    /// Writes echoed payload in the response's framing (a chunk of the same size when chunked).
    private func appendEchoed(_ payload: UnsafeRawBufferPointer) {
        let out = output!
        if case .chunked = responseFraming {
            out.writing { w in
                w.writeHex(payload.count)
                w.write("\r\n")
                w.write(payload)
                w.write("\r\n")
            }
        } else {
            _ = out.append(payload)
        }
    }

    /// The body is read: an echo goes on to its end, anything else to its (perhaps delayed) answer.
    private func bodyFinished() {
        if echo {
            phase = .responding
            return
        }
        let delay = prepareResponse()
        if delay > 0 {
            phase = .delaying
            owner.loop.timers.schedule(self, at: monotonicNanoseconds() &+ delay)
        } else {
            phase = .responding
        }
    }
}
