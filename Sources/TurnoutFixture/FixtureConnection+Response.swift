import TurnoutHTTP
import TurnoutPosix

/// The response side of the state machine: decide an answer, write it in pieces as the output
/// drains, then keep the connection, tunnel, or close it politely.
extension FixtureConnection {
    /// Forgets the previous exchange; the arrays keep their storage.
    func resetResponse() {
        status = 200
        responseFraming = .none
        bodySource = .none
        bodyArray = []
        bodyTotal = 0
        bodySent = 0
        checksumTrailer = false
        closeAfter = false
        earlyHints = false
        headPending = false
        echo = false
        requestRemaining = 0
    }

    /// Decides the answer to the request just read and returns how long to wait before it, in
    /// nanoseconds.
    func prepareResponse() -> UInt64 {
        let state = owner.state
        var delay: UInt64 = 0
        headPending = true
        switch route {
        case .healthz:
            let healthy = state.healthy.load(ordering: .relaxed)
            respond(healthy ? 200 : 503, with: healthy ? state.healthyBody : state.unhealthyBody)
        case .echo:
            preconditionFailure("the echo answers while its body is read")
        case .bytes(let count, let chunked, let close):
            status = 200
            bodySource = .pattern
            bodyTotal = count
            if close || (chunked && http10) {
                // HTTP/1.0 has no chunked coding: the end of the connection ends the body.
                responseFraming = .closeDelimited
            } else if chunked {
                responseFraming = .chunked
                checksumTrailer = true
            } else {
                responseFraming = .length(count)
            }
        case .status(let code):
            if code == 204 || code == 304 {
                status = code
                responseFraming = .none
            } else {
                respond(code, with: state.nameBody)
            }
        case .delay(let milliseconds):
            respond(200, with: state.nameBody)
            delay = UInt64(milliseconds) &* 1_000_000
        case .die:
            // Promises more than it sends, then closes: a proxy must not pass this off as whole.
            status = 200
            bodySource = .pattern
            bodyTotal = 10
            responseFraming = .length(1000)
            closeAfter = true
        case .close:
            respond(200, with: state.nameBody)
            closeAfter = true
        case .headers:
            status = 200
            bodySource = .scratch
            bodyTotal = scratch.count
            responseFraming = .length(scratch.count)
        case .earlyHints:
            respond(200, with: state.nameBody)
            earlyHints = !http10
        case .counter:
            // Written into the connection's scratch array: no allocation once it has grown.
            let count = state.counter.add(1, ordering: .relaxed).newValue
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: "count ".utf8)
            appendDecimal(count, to: &scratch)
            scratch.append(UInt8(ascii: "\n"))
            status = 200
            bodySource = .scratch
            bodyTotal = scratch.count
            responseFraming = .length(scratch.count)
        case .standard:
            let behavior = owner.currentBehavior()
            delay = behavior.delayNanoseconds(using: &owner.random)
            if behavior.shouldFail(using: &owner.random) {
                respond(500, with: state.errorBody)
            } else if let size = behavior.bodyBytes {
                status = 200
                bodySource = .pattern
                bodyTotal = size
                responseFraming = .length(size)
            } else {
                respond(200, with: owner.currentAnswers().body)
            }
        case .diverged(let failing):
            let behavior = owner.currentBehavior()
            delay = behavior.delayNanoseconds(using: &owner.random)
            if behavior.shouldFail(using: &owner.random) {
                respond(500, with: state.errorBody)
            } else {
                respond(failing ? 500 : 200, with: owner.currentAnswers().divergedBody)
            }
        case .invalid:
            respond(400, with: state.badRouteBody)
        case .counts:
            // Built per request, like the control route's answers: a script's poll, not traffic.
            // This response is not written yet, so it is not among the served.
            let (accepted, served) = state.counts()
            respond(200, with: Array("{\"accepted\":\(accepted),\"served\":\(served)}\n".utf8))
        case .control(let control):
            // Built per request: a person's curl line, not traffic.
            switch control {
            case .show:
                respond(200, with: FixtureControl.json(name: state.name, state.currentBehavior().0))
            case .change(let change):
                respond(200, with: FixtureControl.json(name: state.name, state.changeBehavior(change)))
            case .refused(let code, let message):
                respond(code, with: Array("\(state.name): \(message)\n".utf8))
            }
        }
        // A HEAD answer has the head a GET would get and no body at all.
        if isHead { bodyTotal = 0 }
        return delay
    }

    /// Appends `value` (not negative) in decimal.
    private func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// A whole body from one of the fixture's prepared arrays (shared, not copied).
    private func respond(_ code: Int, with body: [UInt8]) {
        status = code
        bodySource = .bytes
        bodyArray = body
        bodyTotal = body.count
        responseFraming = .length(body.count)
    }

    /// Whether the connection ends after this response.
    var closesAfterResponse: Bool {
        if closeAfter || !keepAlive { return true }
        if case .closeDelimited = responseFraming { return true }
        return false
    }

    /// Writes the status line and fields of the current response (room checked by the caller).
    func writeResponseHead(into out: ByteBuffer) {
        let closing = closesAfterResponse
        out.writing { w in
            w.writeStatusLine(status)
            w.write(owner.state.nameField)
            switch responseFraming {
            case .none, .closeDelimited:
                break
            case .length(let count):
                w.write("Content-Length: ")
                w.writeDecimal(count)
                w.write("\r\n")
            case .chunked:
                w.write("Transfer-Encoding: chunked\r\n")
                if checksumTrailer { w.write("Trailer: X-Checksum\r\n") }
            }
            if closing {
                w.write("Connection: close\r\n")
            } else if http10 {
                w.write("Connection: keep-alive\r\n")
            }
            w.write("\r\n")
        }
    }

    /// Phase `.responding`: one piece of the answer (head, a body slice, the last chunk) per call.
    func produceResponse() -> Bool {
        let out = acquireOutput()
        if headPending {
            guard out.makeRoom(Self.headRoom) else { return false }
            if earlyHints {
                out.writing { $0.write("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n") }
            }
            writeResponseHead(into: out)
            headPending = false
            return true
        }
        let chunked: Bool
        if case .chunked = responseFraming { chunked = !isHead } else { chunked = false }
        if bodySent < bodyTotal {
            if out.writableCount < Self.compactBelow { out.compact() }
            var count = min(bodyTotal - bodySent, out.writableCount - (chunked ? Self.chunkOverhead : 0))
            if chunked || bodySource == .pattern { count = min(count, Self.maxChunk) }
            guard count > 0 else { return false }
            if chunked { out.writing { $0.writeHex(count); $0.write("\r\n") } }
            copyBody(count, to: out.writePointer)
            out.writeIndex += count
            if chunked { out.writing { $0.write("\r\n") } }
            bodySent += count
            return true
        }
        if chunked {
            let trailers = echo ? decoder.trailers : []
            guard out.makeRoom(trailers.count + Self.chunkOverhead + 32) else { return false }
            out.writing { w in
                w.write("0\r\n")
                if checksumTrailer {
                    w.write("X-Checksum: ")
                    w.writeDecimal(Int(BytePattern.checksum(count: bodyTotal)))
                    w.write("\r\n")
                }
                w.write(trailers)
                w.write("\r\n")
            }
        }
        owner.served.add(1, ordering: .relaxed)
        phase = closesAfterResponse ? .closing : .head
        return true
    }

    /// Copies the next `count` body bytes to `destination`.
    private func copyBody(_ count: Int, to destination: UnsafeMutableRawPointer) {
        switch bodySource {
        case .none:
            preconditionFailure("a response without a body source has no body bytes")
        case .bytes:
            bodyArray.withUnsafeBytes { destination.copyMemory(from: $0.baseAddress! + bodySent, byteCount: count) }
        case .scratch:
            scratch.withUnsafeBytes { destination.copyMemory(from: $0.baseAddress! + bodySent, byteCount: count) }
        case .pattern:
            BytePattern.copy(offset: bodySent, count: count, to: destination)
        }
    }

    /// Phase `.tunnel`: everything read is written back, as fast as the output drains.
    func pumpTunnel() -> Bool {
        guard let buffer = input, !buffer.isEmpty else {
            if peerClosed { phase = .closing; return true }
            return false
        }
        let out = acquireOutput()
        if out.writableCount < Self.compactBelow { out.compact() }
        let count = min(buffer.readableCount, out.writableCount)
        guard count > 0 else { return false }
        _ = out.append(UnsafeRawBufferPointer(start: buffer.readPointer, count: count))
        consumeInput(buffer, count)
        return true
    }

    /// Phase `.closing`: once the output is written, shuts the write side and starts lingering.
    func beginLingering() -> Bool {
        if let out = output, !out.isEmpty { return false }
        socket.shutdownWrite()
        phase = .lingering
        owner.loop.timers.schedule(self, at: monotonicNanoseconds() &+ Self.lingerNanoseconds)
        return true
    }

    /// Phase `.lingering`: input is thrown away until the peer's end of file (or the timer).
    func linger() -> Bool {
        input?.clear()
        if peerClosed { close() }
        return false
    }
}
