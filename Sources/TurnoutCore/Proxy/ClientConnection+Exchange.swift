import TurnoutHTTP
import TurnoutMetrics
import TurnoutPosix

/// Why an upstream attempt failed, which decides between a retry, a status and a close.
enum UpstreamFailure {
    /// connect(2) failed or timed out: nothing reached the server.
    case connect(timedOut: Bool)
    /// The connection was reset or closed before any response byte.
    case resetBeforeResponse
    /// No response (or no further response bytes) within `upstream_response_ms`.
    case responseTimeout
    /// The server sent something that is not a valid HTTP/1.1 response.
    case invalidResponse

    var status: Int {
        switch self {
        case .connect(let timedOut): return timedOut ? 504 : 502
        case .resetBeforeResponse, .invalidResponse: return 502
        case .responseTimeout: return 504
        }
    }

    /// How the failure counts in the server's traffic.
    var errorKind: UpstreamErrorKind {
        switch self {
        case .connect: return .connect
        case .resetBeforeResponse: return .reset
        case .responseTimeout: return .timeout
        case .invalidResponse: return .invalid
        }
    }

    var isReset: Bool {
        if case .resetBeforeResponse = self { return true }
        return false
    }

    var message: StaticString {
        switch self {
        case .connect(let timedOut): return timedOut ? "connecting to the upstream timed out" : "the upstream refused the connection"
        case .resetBeforeResponse: return "the upstream closed the connection before responding"
        case .responseTimeout: return "the upstream did not respond in time"
        case .invalidResponse: return "the upstream sent an invalid response"
        }
    }
}

extension ClientConnection {
    // MARK: Starting an exchange

    /// Routes the parsed request, encodes its head for the upstream and starts the attempt.
    func beginExchange() {
        let snapshot = worker.snapshot
        let inbound = inbound!
        let source = inbound.readable
        // One copy of the head for routing and encoding: each call given `self.request` directly
        // copies it (retaining its arrays), as the callee might, for all the compiler knows,
        // change the connection while it reads.
        let request = self.request
        requestMethod = request.method
        clientVersion = request.version
        captureForAccessLog(source: source)
        closeAfterResponse = !request.keepAlive || worker.draining
        requestBody = BodyTransfer()
        switch request.framing {
        case .none: requestBody = BodyTransfer(input: .none, output: .asReceived)
        case .contentLength(let length): requestBody = BodyTransfer(input: .length, output: .asReceived, length: length, limit: settings.maxBodyBytes)
        case .chunked: requestBody = BodyTransfer(input: .chunked, output: .chunked, limit: settings.maxBodyBytes)
        }

        if request.method == .connect {
            inbound.readIndex += request.headLength
            respondLocally(status: 501, message: "CONNECT is not supported by a reverse proxy", close: true)
            return
        }
        if case .contentLength(let length) = request.framing, length > settings.maxBodyBytes {
            worker.counters.rejected(status: 413)
            inbound.readIndex += request.headLength
            respondLocally(status: 413, message: "the request body is larger than limits.max_body_bytes", close: true)
            return
        }
        var random = worker.random
        let decision = snapshot.routing.route(request, source: source, randomBucket: random.below(StickyHash.bucketCount))
        worker.random = random
        guard case .pool(let poolIndex) = decision else {
            worker.counters.notRouted += 1
            inbound.readIndex += request.headLength
            respondLocally(status: 404, message: "no route matches this request", close: false)
            return
        }
        let pool = worker.pools[poolIndex]
        self.pool = pool

        let out = worker.buffers.acquire()
        upstreamOutbound = out
        let encoded = clientAddress.withUnsafeBytes { address in
            RequestHeadEncoder.encode(request, source: source, clientAddress: address, proto: "http", framing: request.framing,
                                      into: UnsafeMutableRawBufferPointer(start: out.writePointer, count: out.writableCount))
        }
        inbound.readIndex += request.headLength
        guard let encoded else {
            recycle(&upstreamOutbound)
            respondLocally(status: 431, message: "the request head is too large to forward", close: true)
            return
        }
        out.writeIndex += encoded
        encodedHeadLength = encoded
        upstreamInbound = worker.buffers.acquire()
        responseParser.reset()
        awaitingResponseHead = true
        responseStarted = false
        upstreamSpoke = false
        requestSent = false
        triedServers.removeAll()
        retriesUsed = 0
        phase = .exchange
        attachUpstream()
    }

    /// Picks a server of the pool not tried yet for this request and attaches a connection to
    /// it: an idle pooled one when there is one, else a new connect.
    func attachUpstream() {
        guard let pool else { return }
        while true {
            var random = worker.random
            let picked = pool.pick(excluding: triedServers, random: &random)
            worker.random = random
            guard let index = picked else {
                let status = retriesUsed == 0 && triedServers.isEmpty ? 503 : 502
                worker.counters.upstreamFailures += 1
                respondLocally(status: status, message: status == 503 ? "no upstream server is available" : "no upstream server could be reached", close: false)
                return
            }
            triedServers.insert(index)
            let server = pool.servers[index]
            if let idle = server.idle.popLast() {
                attach(idle)
                return
            }
            switch UpstreamConnection.open(to: server, worker: worker) {
            case .success(let connection):
                attach(connection)
                connection.arm(.connect, after: settings.upstreamConnectTimeout)
                return
            case .failure:
                worker.counters.connectFailures += 1
                server.traffic.stats.recordError(.connect)
                countOutcome(on: server, failed: true)
                guard settings.retryOnConnectFailure, retriesUsed < settings.retryAttempts else {
                    respondLocally(status: 502, message: UpstreamFailure.connect(timedOut: false).message, close: false)
                    return
                }
                retriesUsed += 1
            }
        }
    }

    private func attach(_ connection: UpstreamConnection) {
        connection.client = self
        connection.disarm()
        connection.server.inFlight += 1
        attempt.begin()
        upstream = connection
        if connection.connected { armResponseTimer() }
    }

    func armResponseTimer() {
        upstream?.arm(.response, after: settings.upstreamResponseTimeout)
    }

    // MARK: Driving an exchange

    func advanceExchange() -> Bool {
        guard let upstream else { return false }
        var progressed = false
        if !upstream.connected {
            guard upstream.writable || upstream.readable else { return false }
            if upstream.socket.pendingError() != nil {
                upstreamFailed(.connect(timedOut: false))
                return true
            }
            upstream.connected = true
            armResponseTimer()
            progressed = true
        }
        if !requestSent {
            switch pump(.towardsUpstream) {
            case .blocked: break
            case .progressed: progressed = true
            case .finished:
                requestSent = true
                progressed = true
            case .sourceFailed:
                // The client went away mid-body.
                close()
                return false
            case .destinationFailed:
                upstreamFailed(.resetBeforeResponse)
                return true
            case .invalid(let error):
                worker.counters.rejected(status: error.status)
                if responseStarted { close(); return false }
                respondLocally(status: error.status, message: error.message, close: true)
                return true
            }
            guard phase == .exchange else { return true }
        }
        if awaitingResponseHead {
            return readResponseHead() || progressed
        }
        switch pump(.towardsClient) {
        case .blocked: return progressed
        case .progressed: return true
        case .finished:
            finishExchange()
            return true
        case .sourceFailed:
            // The upstream died mid-response: the client must not mistake a cut body for a
            // whole one, so its connection closes (no fake status).
            worker.counters.upstreamResets += 1
            recordFailure(.reset)
            close()
            return false
        case .destinationFailed:
            // The client left; the server did answer.
            recordResponse()
            close()
            return false
        case .invalid:
            worker.counters.invalidResponses += 1
            recordFailure(.invalid)
            close()
            return false
        }
    }

    /// Reads and handles response heads: relays 1xx to HTTP/1.1 clients, turns 101 into a
    /// tunnel, and stages the final head for the client.
    private func readResponseHead() -> Bool {
        guard let upstream, let source = upstreamInbound else { return false }
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
                upstreamSpoke = true
                switch responseParser.parse(source.readable, requestMethod: requestMethod, into: &response) {
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
                attempt.bytesReceived &+= UInt64(n)
                armResponseTimer()
                progressed = true
            case .wouldBlock:
                upstream.readable = false
                return progressed
            case .endOfFile, .failed:
                upstreamFailed(upstreamSpoke ? .invalidResponse : .resetBeforeResponse)
                return true
            }
        }
    }

    private func handleResponseHead(source: ByteBuffer) {
        let head = source.readable
        let out = acquireOutbound()
        out.compact()
        let target = UnsafeMutableRawBufferPointer(start: out.writePointer, count: out.writableCount)

        attempt.firstByteAt = monotonicNanoseconds()
        if response.status == 101 {
            guard request.upgrade else {
                upstreamFailed(.invalidResponse)
                return
            }
            let written = ResponseHeadEncoder.encode(response, source: head, framing: .none, clientVersion: clientVersion,
                                                     connection: .upgrade, poolHeaderName: nil, poolName: nil, into: target)
            guard let written else { upstreamFailed(.invalidResponse); return }
            out.writeIndex += written
            source.readIndex += response.headLength
            responseStarted = true
            awaitingResponseHead = false
            requestBody = BodyTransfer(input: .untilClose, output: .asReceived)
            responseBody = BodyTransfer(input: .untilClose, output: .asReceived)
            requestSent = true
            upstream?.disarm()
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
                responseStarted = true
            }
            source.readIndex += response.headLength
            responseParser.reset()
            return
        }

        if retriedAfterServerError() { return }

        // The final response: choose how its body is framed for this client.
        var headerFraming = response.framing
        switch response.framing {
        case .none:
            // The encoder keeps the Content-Length a HEAD or 304 response declared.
            responseBody = BodyTransfer(input: .none, output: .asReceived)
        case .contentLength(let length):
            responseBody = BodyTransfer(input: .length, output: .asReceived, length: length)
        case .chunked:
            if clientVersion == .http1_1 {
                responseBody = BodyTransfer(input: .chunked, output: .chunked)
            } else {
                responseBody = BodyTransfer(input: .chunked, output: .unchunked)
                headerFraming = .closeDelimited
                closeAfterResponse = true
            }
        case .closeDelimited:
            if clientVersion == .http1_1 {
                responseBody = BodyTransfer(input: .untilClose, output: .chunked)
                headerFraming = .chunked
            } else {
                responseBody = BodyTransfer(input: .untilClose, output: .asReceived)
                closeAfterResponse = true
            }
        }
        let poolName = pool?.definition.nameBytes ?? []
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
        responseStarted = true
        awaitingResponseHead = false
        worker.counters.responses(status: response.status)
    }

    private func withPoolHeaderName<R>(_ body: (UnsafeRawBufferPointer?) -> R) -> R {
        guard let name = settings.poolHeaderName else { return body(nil) }
        return name.withUnsafeBytes { body($0) }
    }

    // MARK: Ending an exchange

    /// The response went out whole: pool the upstream connection if it can carry another
    /// request, then serve the next request or close.
    func finishExchange() {
        let reusable = response.keepAlive && requestSent && requestBody.inputDone
            && responseBody.input != .untilClose && (upstreamInbound?.isEmpty ?? true)
        // The upstream may answer before the whole request body has arrived (an early error, or
        // an echo that streams). Once the body is done the connection carries on; if it is not,
        // nobody can tell where the next request would begin, so the connection ends.
        let clientReusable = !closeAfterResponse && requestBody.inputDone
        writeAccessLog(status: response.status)
        recordResponse()
        endExchange(reusable: reusable)
        if clientReusable { startNextRequest() } else { close() }
    }

    /// Detaches the upstream connection (pooling or closing it) and releases exchange buffers.
    func endExchange(reusable: Bool) {
        if let upstream {
            upstream.server.inFlight -= 1
            upstream.disarm()
            if reusable && !upstream.server.retired && !worker.draining {
                upstream.returnToPool(idleTimeout: settings.upstreamIdleTimeout)
            } else {
                upstream.close()
            }
        }
        upstream = nil
        pool = nil
        recycle(&upstreamInbound)
        recycle(&upstreamOutbound)
        if phase == .exchange || phase == .tunnel { phase = .head }
    }

    /// An attempt failed. Before any response byte went to the client the request is replayed
    /// when that is safe — on a fresh connection to the same server when a pooled connection
    /// turned out dead, or on another server per the retry policy — or answered with 502/504.
    /// After that, the client connection can only be closed.
    func upstreamFailed(_ failure: UpstreamFailure) {
        guard let failed = upstream else { return }
        switch failure {
        case .connect: worker.counters.connectFailures += 1
        case .resetBeforeResponse: worker.counters.upstreamResets += 1
        case .responseTimeout: worker.counters.upstreamTimeouts += 1
        case .invalidResponse: worker.counters.invalidResponses += 1
        }
        let staleReuse = failed.reused && !upstreamSpoke
        let replayable = !requestBody.started
        // A pooled connection the server had closed is the keep-alive race, not the server
        // failing: it is replayed below and not counted against the server.
        if !(staleReuse && replayable && failure.isReset) { recordFailure(failure.errorKind) }
        failed.server.inFlight -= 1
        upstream = nil
        failed.close()
        guard !responseStarted else {
            close()
            return
        }
        if replayable { rewindRequest() }
        if case .resetBeforeResponse = failure, staleReuse, replayable {
            // The server closed an idle connection as we reused it: not a retry in the policy
            // sense. Another idle connection may be stale too, so connect afresh.
            if case .success(let connection) = UpstreamConnection.open(to: failed.server, worker: worker) {
                attach(connection)
                connection.arm(.connect, after: settings.upstreamConnectTimeout)
                return
            }
        }
        // A server that got the request may have acted on it: only idempotent methods go to
        // another server after that (as nginx does). A refused connect reached nobody.
        let policyAllows: Bool
        switch failure {
        case .connect: policyAllows = settings.retryOnConnectFailure
        case .resetBeforeResponse: policyAllows = settings.retryOnReset && requestMethod.isIdempotent
        case .responseTimeout: policyAllows = settings.retryOnTimeout && requestMethod.isIdempotent
        case .invalidResponse: policyAllows = false
        }
        if policyAllows && replayable && retriesUsed < settings.retryAttempts {
            retriesUsed += 1
            worker.counters.retries += 1
            attachUpstream()
            return
        }
        respondLocally(status: failure.status, message: failure.message, close: !requestBody.inputDone)
    }

    /// Rewinds the exchange to its encoded request head, for a replay or a retry: nothing of
    /// the body has been consumed yet.
    private func rewindRequest() {
        upstreamOutbound?.readIndex = 0
        upstreamOutbound?.writeIndex = encodedHeadLength
        requestSent = false
        upstreamInbound?.clear()
        responseParser.reset()
        upstreamSpoke = false
    }

    /// With `retries.on` holding "5xx", a 5xx head from one server sends an idempotent request
    /// whose body has not started to another server, while one is left untried; the last
    /// server's 5xx goes to the client as it is. Returns whether the request was retried.
    private func retriedAfterServerError() -> Bool {
        guard response.status >= 500, settings.retryOn5xx, requestMethod.isIdempotent, !requestBody.started, !responseStarted,
              retriesUsed < settings.retryAttempts, let pool, let failed = upstream,
              pool.hasServer(excluding: triedServers) else { return false }
        // The rest of that response is not wanted, so its connection cannot be reused.
        recordResponse()
        failed.server.inFlight -= 1
        upstream = nil
        failed.close()
        rewindRequest()
        retriesUsed += 1
        worker.counters.retries += 1
        attachUpstream()
        return true
    }

    /// The attached upstream connection's timer fired.
    func upstreamDeadlinePassed(_ kind: UpstreamConnection.Deadline) {
        switch kind {
        case .connect: upstreamFailed(.connect(timedOut: true))
        case .response: upstreamFailed(.responseTimeout)
        case .idle, .none: return
        }
        drive()
    }
}
