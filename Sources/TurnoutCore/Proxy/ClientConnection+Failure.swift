import TurnoutHTTP
import TurnoutPosix

extension ClientConnection {
    /// What the retry decision needs to know of this request and its current attempt.
    func retryContext(reusedConnection: Bool, serverSpoke: Bool) -> RetryContext {
        RetryContext(idempotent: exchange.method.isIdempotent, bodyStarted: exchange.requestBody.started,
                     responseStarted: exchange.responseStarted, reusedConnection: reusedConnection, serverSpoke: serverSpoke,
                     retriesUsed: exchange.attempts.retriesUsed,
                     untriedServerLeft: exchange.pool?.hasServer(excluding: exchange.attempts.tried) ?? false)
    }

    /// An attempt failed. `RetryDecision` says what follows: a replay on a fresh connection to
    /// the same server (a pooled connection turned out dead), a retry on another server, an
    /// answer with 502/504, or (once a response byte went to the client) a close.
    func upstreamFailed(_ failure: UpstreamFailure) {
        guard let failed = exchange.upstream else { return }
        switch failure {
        case .connect: worker.counters.connectFailures += 1
        case .resetBeforeResponse: worker.counters.upstreamResets += 1
        case .responseTimeout: worker.counters.upstreamTimeouts += 1
        case .invalidResponse, .serverError: worker.counters.invalidResponses += 1
        }
        let context = retryContext(reusedConnection: failed.reused, serverSpoke: exchange.serverSpoke)
        var decision = RetryDecision.decide(failure, context, RetryPolicy(settings))
        // The keep-alive race is not counted against the server.
        if decision != .reconnect { recordFailure(failure.errorKind) }
        exchange.upstream = nil
        failed.server.inFlight -= 1
        failed.close()
        if decision == .reconnect {
            rewindRequest()
            if connect(to: failed.server) { return }
            // Connecting afresh failed at once: decide as for any attempt on a new connection.
            decision = RetryDecision.decide(failure, retryContext(reusedConnection: false, serverSpoke: false), RetryPolicy(settings))
        }
        switch decision {
        case .closeClient:
            close()
        case .retryElsewhere:
            rewindRequest()
            exchange.attempts.retriesUsed += 1
            worker.counters.retries += 1
            attachUpstream()
        case .answer, .reconnect:
            respondLocally(status: failure.status, message: failure.message, close: !exchange.requestBody.inputDone)
        }
    }

    /// Rewinds the exchange to its encoded request head, for a replay or a retry: nothing of
    /// the body has been consumed yet.
    private func rewindRequest() {
        exchange.upstreamOutbound?.readIndex = 0
        exchange.upstreamOutbound?.writeIndex = exchange.encodedHeadLength
        exchange.requestSent = false
        exchange.upstreamInbound?.clear()
        responseParser.reset()
        exchange.response = .awaitingHead(serverSpoke: false, interimRelayed: false)
    }

    /// A 5xx head arrived: with `retries.on` holding "5xx" an idempotent request whose body has
    /// not started goes to a server not tried yet, while one is left; otherwise the 5xx is
    /// relayed as it is. Returns whether the request was retried.
    func retriedAfterServerError() -> Bool {
        guard let failed = exchange.upstream else { return false }
        let context = retryContext(reusedConnection: failed.reused, serverSpoke: true)
        guard RetryDecision.decide(.serverError(status: response.status), context, RetryPolicy(settings)) == .retryElsewhere else {
            return false
        }
        // The rest of that response is not wanted, so its connection cannot be reused.
        recordResponse()
        exchange.upstream = nil
        failed.server.inFlight -= 1
        failed.close()
        rewindRequest()
        exchange.attempts.retriesUsed += 1
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
