import TurnoutHTTP
import TurnoutPosix

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
        captureForAccessLog(source: source)
        closeAfterResponse = !request.keepAlive || worker.draining
        let requestBody: BodyTransfer
        switch request.framing {
        case .none: requestBody = BodyTransfer(input: .none, output: .asReceived)
        case .contentLength(let length): requestBody = BodyTransfer(input: .length, output: .asReceived, length: length, limit: settings.maxBodyBytes)
        case .chunked: requestBody = BodyTransfer(input: .chunked, output: .chunked, limit: settings.maxBodyBytes)
        }
        exchange.start(method: request.method, clientVersion: request.version, upgrade: request.upgrade, requestBody: requestBody)

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
        guard case .pool(let poolIndex, let routeIndex) = decision else {
            worker.counters.notRouted += 1
            inbound.readIndex += request.headLength
            respondLocally(status: 404, message: "no route matches this request", close: false)
            return
        }
        exchange.pool = worker.pools[poolIndex]

        let out = worker.buffers.acquire()
        exchange.upstreamOutbound = out
        let encoded = clientAddress.withUnsafeBytes { address in
            RequestHeadEncoder.encode(request, source: source, clientAddress: address, proto: "http", framing: request.framing,
                                      into: UnsafeMutableRawBufferPointer(start: out.writePointer, count: out.writableCount))
        }
        inbound.readIndex += request.headLength
        guard let encoded else {
            recycle(&exchange.upstreamOutbound)
            respondLocally(status: 431, message: "the request head is too large to forward", close: true)
            return
        }
        out.writeIndex += encoded
        exchange.encodedHeadLength = encoded
        exchange.upstreamInbound = worker.buffers.acquire()
        responseParser.reset()
        phase = .exchange
        attachUpstream()
        if phase == .exchange, let policy = snapshot.routing.routes[routeIndex].mirror {
            startMirror(policy, route: routeIndex, pool: poolIndex, request: request, source: source)
        }
    }

    /// Picks a server of the pool not tried yet for this request and attaches a connection to
    /// it: an idle pooled one when there is one, else a new connect.
    func attachUpstream() {
        guard let pool = exchange.pool else { return }
        while true {
            var random = worker.random
            let picked = pool.pick(excluding: exchange.attempts.tried, random: &random)
            worker.random = random
            guard let index = picked else {
                let status = exchange.attempts.retriesUsed == 0 && exchange.attempts.tried.isEmpty ? 503 : 502
                worker.counters.upstreamFailures += 1
                respondLocally(status: status, message: status == 503 ? "no upstream server is available" : "no upstream server could be reached", close: false)
                return
            }
            exchange.attempts.tried.insert(index)
            let server = pool.servers[index]
            if let idle = server.idle.popLast() {
                attach(idle)
                return
            }
            if connect(to: server) { return }
            worker.counters.connectFailures += 1
            server.traffic.stats.recordError(.connect)
            countOutcome(on: server, failed: true)
            let failure = UpstreamFailure.connect(timedOut: false)
            switch RetryDecision.decide(failure, retryContext(reusedConnection: false, serverSpoke: false), RetryPolicy(settings)) {
            case .retryElsewhere:
                exchange.attempts.retriesUsed += 1
            case .answer, .reconnect, .closeClient:
                respondLocally(status: failure.status, message: failure.message, close: false)
                return
            }
        }
    }

    /// Opens a new connection to `server` and attaches it; false when the connect failed at once.
    func connect(to server: ServerRuntime) -> Bool {
        guard case .success(let connection) = UpstreamConnection.open(to: server, worker: worker) else { return false }
        attach(connection)
        connection.arm(.connect, after: settings.upstreamConnectTimeout)
        return true
    }

    private func attach(_ connection: UpstreamConnection) {
        connection.client = self
        connection.disarm()
        connection.server.inFlight += 1
        exchange.meter.begin()
        exchange.upstream = connection
        if connection.connected { armResponseTimer() }
    }

    /// The upstream must make progress within `upstream_response_ms`: take request bytes while
    /// the request goes out, then answer, then keep sending its answer. Re-armed on each.
    func armResponseTimer() {
        exchange.upstream?.arm(.response, after: settings.upstreamResponseTimeout)
    }

    // MARK: Driving an exchange

    func advanceExchange() -> Bool {
        guard let upstream = exchange.upstream else { return false }
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
        if !exchange.requestSent {
            switch pump(.towardsUpstream) {
            case .blocked: break
            case .progressed: progressed = true
            case .finished:
                exchange.requestSent = true
                // A request with a body: the server's time to answer counts from its last byte.
                if exchange.requestBody.input != .none { armResponseTimer() }
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
                if exchange.responseStarted { close(); return false }
                respondLocally(status: error.status, message: error.message, close: true)
                return true
            }
            guard phase == .exchange else { return true }
        }
        if exchange.awaitingResponseHead {
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

    // MARK: Ending an exchange

    /// The response went out whole: pool the upstream connection if it can carry another
    /// request, then serve the next request or close.
    func finishExchange() {
        let reusable = response.keepAlive && exchange.requestSent && exchange.requestBody.inputDone
            && exchange.responseBody.input != .untilClose && (exchange.upstreamInbound?.isEmpty ?? true)
        // The upstream may answer before the whole request body has arrived (an early error, or
        // an echo that streams). Once the body is done the connection carries on; if it is not,
        // nobody can tell where the next request would begin, so the connection ends.
        let clientReusable = !closeAfterResponse && exchange.requestBody.inputDone
        writeAccessLog(status: response.status)
        recordResponse()
        exchange.mirror?.primaryAnswered(status: response.status)
        endExchange(reusable: reusable)
        if clientReusable { startNextRequest() } else { close() }
    }

    /// Detaches the upstream connection (pooling or closing it) and releases exchange buffers.
    func endExchange(reusable: Bool) {
        if let upstream = exchange.upstream.take() {
            upstream.server.inFlight -= 1
            upstream.disarm()
            if reusable && !upstream.server.retired && !worker.draining {
                upstream.returnToPool(idleTimeout: settings.upstreamIdleTimeout)
            } else {
                upstream.close()
            }
        }
        exchange.mirror.take()?.primaryEnded()
        exchange.pool = nil
        recycle(&exchange.upstreamInbound)
        recycle(&exchange.upstreamOutbound)
        if phase == .exchange || phase == .tunnel { phase = .head }
    }
}
