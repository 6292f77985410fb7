/// One call's attempt at one endpoint: the kept connection or a new one, the request, the
/// answer, and what a failure allows next (another endpoint, or nothing, for a write that may
/// have been applied).
extension EtcdClient {
    /// One try at endpoint `index`: on the kept connection if it is for this endpoint and still
    /// open (and once more on a fresh one if it was stale after all), else on a new connection.
    func attempt(_ index: Int, _ request: (path: String, body: [UInt8]), resendable: Bool,
                 connectDeadline: Deadline, deadline: Deadline) -> Attempt {
        let endpoint = endpoints[index]
        let bytes = EtcdConnection.request(path: request.path, body: request.body, endpoint: endpoint)
        if let idle = takeIdle(for: endpoint) {
            let outcome = exchange(idle, bytes, request.path, resendable: resendable, reused: true, deadline: deadline)
            if case .staleConnection = outcome {} else { return outcome }
        }
        let connection: EtcdConnection
        do {
            connection = try open(endpoint, until: connectDeadline)
        } catch {
            return .tryNext(error.reason, timedOut: error.timedOut)
        }
        return exchange(connection, bytes, request.path, resendable: resendable, reused: false, deadline: deadline)
    }

    /// The request and its answer on one connection, which is kept for the next call when the
    /// answer allows it and closed otherwise.
    private func exchange(_ connection: consuming EtcdConnection, _ request: [UInt8], _ path: String,
                          resendable: Bool, reused: Bool, deadline: Deadline) -> Attempt {
        let endpoint = connection.endpoint
        let what = "POST \(path)"
        do {
            try connection.send(request, until: deadline)
        } catch {
            // Nothing complete was sent, so etcd did nothing: safe to go on, writes included.
            switch error {
            case .send where reused: return .staleConnection
            case .send(let errno): return .tryNext("\(endpoint): sending \(what) failed: \(errno.words)", timedOut: false)
            default: return .tryNext("\(endpoint): \(what) could not be sent in time", timedOut: true)
            }
        }
        var decoder = HTTPAnswerDecoder(maxBodyBytes: Self.maxAnswerBytes)
        let leftover: Int
        do {
            leftover = try connection.receive(into: &decoder, until: deadline)
        } catch {
            switch error {
            case .answerTimeout:
                let applied = resendable ? "" : "; the request may or may not have been applied: re-read before retrying"
                return .fail(.timeout("etcd at \(endpoint) did not answer \(what) within \(Self.seconds(timeout))\(applied)"))
            case .broken(_, answered: false) where reused && resendable:
                return .staleConnection
            case .broken(let reason, let answered):
                if resendable { return .tryNext("\(endpoint): \(reason) (\(what))", timedOut: false) }
                let when = answered ? "while answering" : "after the request was sent and before any answer"
                return .fail(.unavailable("etcd at \(endpoint) broke off \(what) \(when) (\(reason)); the request may or may not have been applied: re-read before retrying"))
            case .malformed(let reason):
                return .fail(.malformed("etcd at \(endpoint) answered \(what) with an answer Turnout cannot read: \(reason)"))
            case .connect, .connectTimeout, .send, .sendTimeout:
                return .fail(.unavailable("etcd at \(endpoint): \(what) failed"))
            }
        }
        let status = decoder.status ?? 0
        let body = decoder.takeBody()
        if decoder.keepAlive && leftover == 0 { keepIdle(connection) }
        return .answer(status: status, body: body)
    }

    /// A new connection to `endpoint`.
    private func open(_ endpoint: EtcdEndpoint, until deadline: Deadline) throws(OpenFailure) -> EtcdConnection {
        do {
            return try EtcdConnection.open(to: endpoint, until: deadline)
        } catch {
            switch error {
            case .connect(let errno): throw OpenFailure("\(endpoint) is unreachable: \(errno.words)", timedOut: false)
            default: throw OpenFailure("\(endpoint) did not accept a connection in time", timedOut: true)
            }
        }
    }

    /// The kept connection if it is for `endpoint` and still usable; a stale or other one is closed.
    private func takeIdle(for endpoint: EtcdEndpoint) -> EtcdConnection? {
        guard let idle = pool.withLock({ $0.idle.take() }) else { return nil }
        guard idle.endpoint == endpoint, !idle.isStale else { return nil }
        return idle
    }

    /// Keeps `connection` for the next call, unless one is kept already (then it is closed).
    private func keepIdle(_ connection: consuming EtcdConnection) {
        var offered: EtcdConnection? = connection
        pool.withLock { pool in
            if pool.idle == nil { pool.idle = offered.take() }
        }
    }
}

/// Why no connection was made, in words for the call's error.
struct OpenFailure: Error {
    let reason: String
    let timedOut: Bool
    init(_ reason: String, timedOut: Bool) {
        self.reason = reason
        self.timedOut = timedOut
    }
}
