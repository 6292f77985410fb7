import TurnoutPosix

/// Idle and fast connections: sending the request and reading its response.
extension SoakConnection {
    /// Sends one request, with its response deadline.
    func send() {
        guard connected, !worker.stopping else { return }
        if input.isEmpty { input = [UInt8](repeating: 0, count: Self.inputBytes) }
        awaiting = true
        sent = 0
        reader.reset()
        sentAt = monotonicNanoseconds()
        worker.loop.timers.schedule(self, at: worker.loop.now &+ worker.plan.timeout)
        flush()
    }

    /// Writes what is left of the request; the rest goes when the socket is writable again.
    func flush() {
        let request = worker.plan.request
        while sent < request.count {
            let result = request.withUnsafeBytes { socket.write($0.baseAddress! + sent, count: $0.count - sent) }
            switch result {
            case .bytes(let n): sent += n
            case .wouldBlock: return
            case .endOfFile, .failed:
                lostInFlight()
                return
            }
        }
    }

    /// The connection broke with a request in flight: that request failed.
    func lostInFlight() {
        if kind == .fast { worker.tally.fastResets += 1 } else { worker.tally.idleFailures += 1 }
        close()
        connect()
    }

    /// Reads the response in flight; once complete, what follows is discarded (an idle
    /// connection waits for nothing but the proxy's close).
    func receive() {
        for _ in 0..<Self.readsPerWakeup {
            // A closed-and-replaced socket is still connecting: nothing to read yet.
            guard connected else { return }
            guard awaiting else {
                if kind == .idle { input = [] }
                discard()
                return
            }
            if filled == input.count && !compact() { return }
            let result = input.withUnsafeMutableBytes { socket.read(into: $0.baseAddress! + filled, count: $0.count - filled) }
            switch result {
            case .bytes(let n):
                filled += n
                consume()
            case .wouldBlock:
                return
            case .endOfFile:
                if reader.endOfFile() { complete() } else { lostInFlight() }
                return
            case .failed:
                lostInFlight()
                return
            }
        }
        // Edge-triggered: data left unread now would not be reported again.
        worker.loop.resumeSoon(self, events: EpollEvents.readable)
    }

    /// Hands what has arrived to the response reader.
    private func consume() {
        reading: while awaiting {
            let step = input.withUnsafeBytes { reader.consume(UnsafeRawBufferPointer(rebasing: $0[consumed..<filled])) }
            switch step {
            case .needMore(let used):
                consumed += used
                break reading
            case .head(_, let used):
                consumed += used
            case .complete(let used):
                consumed += used
                complete()
            case .failed:
                lostInFlight()
                return
            }
        }
        if consumed == filled {
            consumed = 0
            filled = 0
        }
    }

    /// The response is complete: counted, then the next request (fast) or the wait (idle).
    private func complete() {
        let now = monotonicNanoseconds()
        awaiting = false
        worker.loop.timers.cancel(self)
        let ok = reader.head.status == 200
        if kind == .fast {
            worker.tally.fastLatency.record(now &- sentAt)
            if ok {
                worker.tally.fastCompleted += 1
                completed += 1
            } else {
                worker.tally.fastNon200 += 1
            }
        } else if ok {
            worker.tally.idleAnswered += 1
        } else {
            worker.tally.idleFailures += 1
        }
        guard reader.head.keepAlive else {
            closedByProxy()
            return
        }
        guard kind == .fast else { return }
        if worker.plan.fastPause == 0 {
            send()
        } else {
            worker.loop.timers.schedule(self, at: worker.loop.now &+ worker.plan.fastPause)
        }
    }

    /// Moves unparsed bytes to the front; false (and the connection replaced) when a head
    /// does not fit the buffer at all.
    private func compact() -> Bool {
        guard consumed > 0 else {
            lostInFlight()
            return false
        }
        input.withUnsafeMutableBytes { raw in
            raw.baseAddress!.copyMemory(from: raw.baseAddress! + consumed, byteCount: filled - consumed)
        }
        filled -= consumed
        consumed = 0
        return true
    }
}
