import Synchronization

/// Turnout's etcd client: blocking HTTP/1.1 calls to etcd's v3 JSON gateway, each bounded by
/// `timeout` from its start to its complete answer (connect included), run on the caller's
/// thread, never a worker's.
///
/// Several endpoints give failover: a call goes to the endpoint that answered last, and moves on
/// when it cannot connect, or (for reads) when the connection breaks or the member has no
/// leader; the endpoint that answers becomes the first for the next call. A write whose request
/// was sent but whose answer never came is not sent again anywhere: it may have been applied,
/// and a second put or transaction would apply twice (a compare-and-swap would then report a
/// conflict with itself). Such a call throws `.timeout` or `.unavailable` saying so; the caller
/// re-reads and decides.
///
/// One idle connection is kept for the next call (HTTP keep-alive): etcd calls come one at a
/// time from a control loop, so one is enough, and a second concurrent call simply opens its
/// own. An idle connection that etcd closed meanwhile is noticed before reuse (it reads as
/// ready), and one that fails on its first write is replaced once by a fresh connection.
public final class EtcdClient: Sendable {
    public let endpoints: [EtcdEndpoint]
    /// Seconds each call may take, from its start to its complete answer.
    public let timeout: Double
    /// The largest answer accepted; a larger one fails as `.malformed` saying so.
    public static let maxAnswerBytes = 64 << 20

    /// The endpoint to try first, and the connection kept for the next call.
    struct Pool: ~Copyable {
        var preferred = 0
        var idle: EtcdConnection? = nil
    }

    let pool = Mutex(Pool())

    public init(endpoints: [EtcdEndpoint], timeout: Double = 2) {
        self.endpoints = endpoints
        self.timeout = timeout
    }

    // MARK: Calls

    /// What one attempt at one endpoint came to.
    enum Attempt {
        /// An HTTP answer (any status) from this endpoint.
        case answer(status: Int, body: [UInt8])
        /// Nothing reached etcd, or the call only reads: the next endpoint may be tried.
        case tryNext(String, timedOut: Bool)
        /// A kept connection turned out closed before it carried anything that matters: the
        /// same endpoint is tried once more on a fresh connection.
        case staleConnection
        /// The call is over with this error.
        case fail(EtcdError)
    }

    /// Sends `request` and returns the body of etcd's 200 answer; any other status becomes the
    /// error its body reports. `resendable` calls (reads, lease renewals) may be sent again elsewhere
    /// after a broken connection or from a member without a leader; others are never sent twice.
    func call(_ request: (path: String, body: [UInt8]), resendable: Bool) throws(EtcdError) -> [UInt8] {
        guard !endpoints.isEmpty else { throw .unavailable("no etcd endpoints are configured") }
        let deadline = Deadline.after(seconds: timeout)
        let first = pool.withLock { $0.preferred }
        var failures: [String] = []
        var anyTimedOut = false
        var serverError: EtcdError? = nil
        for step in 0..<endpoints.count {
            let index = (first + step) % endpoints.count
            // A connect gets its share of the time left, so one black-holed member cannot use
            // up the whole call before the others are tried; the last one gets all of it.
            let share = deadline.remainingSeconds / Double(endpoints.count - step)
            let connectDeadline = Deadline.after(seconds: share).capped(at: deadline)
            switch attempt(index, request, resendable: resendable, connectDeadline: connectDeadline, deadline: deadline) {
            case .answer(let status, let body):
                pool.withLock { $0.preferred = index }
                if status == 200 { return body }
                let error = EtcdCodec.decodeError(status: status, body: body)
                if resendable && error.isUnavailableOnServer {
                    // This member cannot serve now (no leader, leader changed); another may.
                    failures.append("\(endpoints[index]) answered: \(error)")
                    serverError = error
                } else {
                    throw located(error, index, request.path)
                }
            case .tryNext(let reason, let timedOut):
                failures.append(reason)
                anyTimedOut = anyTimedOut || timedOut
            case .staleConnection:
                failures.append("\(endpoints[index]): the connection closed twice before answering")
            case .fail(let error):
                throw error
            }
            if deadline.hasPassed { break }
        }
        if let serverError, failures.count == 1 { throw serverError }
        let what = "POST \(request.path)"
        if anyTimedOut {
            throw .timeout("etcd did not answer \(what) within \(Self.seconds(timeout)): \(failures.joined(separator: "; "))")
        }
        if endpoints.count == 1, let only = failures.first {
            throw .unavailable("etcd at \(only)")
        }
        throw .unavailable("etcd is unreachable at every endpoint (\(what)): \(failures.joined(separator: "; "))")
    }

    /// An error from etcd, with the endpoint and call when it is about the answer's form.
    private func located(_ error: EtcdError, _ index: Int, _ path: String) -> EtcdError {
        if case .malformed(let text) = error { return .malformed("\(text) (etcd at \(endpoints[index]), POST \(path))") }
        return error
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\((value * 1000).rounded() / 1000) s"
    }
}
