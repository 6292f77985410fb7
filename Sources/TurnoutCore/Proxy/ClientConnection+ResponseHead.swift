import TurnoutHTTP
import TurnoutPosix

extension ClientConnection {
    /// Reads and handles response heads: relays 1xx to HTTP/1.1 clients, turns 101 into a
    /// tunnel, and stages the final head for the client.
    func readResponseHead() -> Bool {
        guard let upstream = exchange.upstream, let source = exchange.upstreamInbound else { return false }
        var progressed = false
        while true {
            if let out = outbound, !out.isEmpty, writable {
                // A relayed 1xx waiting to go out.
                switch socket.write(out.readPointer, count: out.readableCount) {
                case .bytes(let n): out.readIndex += n; progressed = true; continue
                case .wouldBlock: writable = false
                case .endOfFile, .failed: close(); return false
                }
            }
            if source.readableCount > 0 {
                if case .awaitingHead(false, let interimRelayed) = exchange.response {
                    exchange.response = .awaitingHead(serverSpoke: true, interimRelayed: interimRelayed)
                }
                switch responseParser.parse(source.readable, requestMethod: exchange.method, into: &response) {
                case .complete:
                    handleResponseHead(source: source)
                    return true
                case .failed:
                    upstreamFailed(.invalidResponse)
                    return true
                case .needMore:
                    break
                }
            }
            guard upstream.readable else { return progressed }
            if source.writableCount == 0 { source.compact() }
            guard source.writableCount > 0 else {
                upstreamFailed(.invalidResponse)
                return true
            }
            let room = source.writableCount
            switch upstream.socket.read(into: source.writePointer, count: room) {
            case .bytes(let n):
                source.writeIndex += n
                if n < room && !upstream.peerClosing { upstream.readable = false }
                exchange.meter.bytesReceived &+= UInt64(n)
                armResponseTimer()
                progressed = true
            case .wouldBlock:
                upstream.readable = false
                return progressed
            case .endOfFile, .failed:
                upstreamFailed(exchange.serverSpoke ? .invalidResponse : .resetBeforeResponse)
                return true
            }
        }
    }

    private func handleResponseHead(source: ByteBuffer) {
        let head = source.readable
        let out = acquireOutbound()
        out.compact()
        let target = UnsafeMutableRawBufferPointer(start: out.writePointer, count: out.writableCount)
        let clientVersion = exchange.clientVersion

        exchange.meter.firstByteAt = monotonicNanoseconds()
        if response.status == 101 {
            guard exchange.upgrade else {
                upstreamFailed(.invalidResponse)
                return
            }
            let written = ResponseHeadEncoder.encode(response, source: head, framing: .none, clientVersion: clientVersion,
                                                     connection: .upgrade, poolHeaderName: nil, poolName: nil, into: target)
            guard let written else { upstreamFailed(.invalidResponse); return }
            out.writeIndex += written
            source.readIndex += response.headLength
            exchange.response = .relaying
            exchange.requestBody = BodyTransfer(input: .untilClose, output: .asReceived)
            exchange.responseBody = BodyTransfer(input: .untilClose, output: .asReceived)
            exchange.requestSent = true
            exchange.upstream?.disarm()
            recordResponse()
            phase = .tunnel
            return
        }
        if response.isInformational {
            // 1xx: relayed to HTTP/1.1 clients (100 Continue, 103 Early Hints), never to 1.0.
            if clientVersion == .http1_1 {
                let written = ResponseHeadEncoder.encode(response, source: head, framing: .none, clientVersion: clientVersion,
                                                         connection: .keepAlive, poolHeaderName: nil, poolName: nil, into: target)
                guard let written else { upstreamFailed(.invalidResponse); return }
                out.writeIndex += written
                exchange.response = .awaitingHead(serverSpoke: true, interimRelayed: true)
            }
            source.readIndex += response.headLength
            responseParser.reset()
            return
        }

        if response.status >= 500 && retriedAfterServerError() { return }

        // The final response: choose how its body is framed for this client.
        var headerFraming = response.framing
        switch response.framing {
        case .none:
            // The encoder keeps the Content-Length a HEAD or 304 response declared.
            exchange.responseBody = BodyTransfer(input: .none, output: .asReceived)
        case .contentLength(let length):
            exchange.responseBody = BodyTransfer(input: .length, output: .asReceived, length: length)
        case .chunked:
            if clientVersion == .http1_1 {
                exchange.responseBody = BodyTransfer(input: .chunked, output: .chunked)
            } else {
                exchange.responseBody = BodyTransfer(input: .chunked, output: .unchunked)
                headerFraming = .closeDelimited
                closeAfterResponse = true
            }
        case .closeDelimited:
            if clientVersion == .http1_1 {
                exchange.responseBody = BodyTransfer(input: .untilClose, output: .chunked)
                headerFraming = .chunked
            } else {
                exchange.responseBody = BodyTransfer(input: .untilClose, output: .asReceived)
                closeAfterResponse = true
            }
        }
        let poolName = exchange.pool?.definition.nameBytes ?? []
        let written = poolName.withUnsafeBytes { name in
            withPoolHeaderName { headerName in
                ResponseHeadEncoder.encode(response, source: head, framing: headerFraming, clientVersion: clientVersion,
                                           connection: closeAfterResponse ? .close : .keepAlive,
                                           poolHeaderName: headerName, poolName: headerName == nil ? nil : name, into: target)
            }
        }
        guard let written else { upstreamFailed(.invalidResponse); return }
        out.writeIndex += written
        source.readIndex += response.headLength
        exchange.response = .relaying
        worker.counters.responses(status: response.status)
    }

    private func withPoolHeaderName<R>(_ body: (UnsafeRawBufferPointer?) -> R) -> R {
        guard let name = settings.poolHeaderName else { return body(nil) }
        return name.withUnsafeBytes { body($0) }
    }
}
