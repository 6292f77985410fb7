import TurnoutHTTP
import TurnoutMetrics

/// Why an upstream attempt failed, which decides between a retry, a status and a close.
enum UpstreamFailure: Equatable {
    /// connect(2) failed or timed out: nothing reached the server.
    case connect(timedOut: Bool)
    /// The connection was reset or closed before any response byte.
    case resetBeforeResponse
    /// No response (or no further response bytes) within `upstream_response_ms`.
    case responseTimeout
    /// The server sent something that is not a valid HTTP/1.1 response.
    case invalidResponse
    /// The server answered with this 5xx status (a valid answer: retried only with `5xx` in
    /// `retries.on`, else relayed as it is).
    case serverError(status: Int)

    /// The status the client gets when the failure is not retried.
    var status: Int {
        switch self {
        case .connect(let timedOut): return timedOut ? 504 : 502
        case .resetBeforeResponse, .invalidResponse: return 502
        case .responseTimeout: return 504
        case .serverError(let status): return status
        }
    }

    /// How the failure counts in the server's traffic.
    var errorKind: UpstreamErrorKind {
        switch self {
        case .connect: return .connect
        case .resetBeforeResponse: return .reset
        case .responseTimeout: return .timeout
        case .invalidResponse, .serverError: return .invalid
        }
    }

    var message: StaticString {
        switch self {
        case .connect(let timedOut): return timedOut ? "connecting to the upstream timed out" : "the upstream refused the connection"
        case .resetBeforeResponse: return "the upstream closed the connection before responding"
        case .responseTimeout: return "the upstream did not respond in time"
        case .invalidResponse, .serverError: return "the upstream sent an invalid response"
        }
    }
}

/// `retries` from the configuration, as the decision reads it.
struct RetryPolicy: Equatable {
    var attempts: Int
    var onConnectFailure: Bool
    var onReset: Bool
    var onTimeout: Bool
    var on5xx: Bool

    init(attempts: Int, onConnectFailure: Bool = false, onReset: Bool = false, onTimeout: Bool = false, on5xx: Bool = false) {
        self.attempts = attempts
        self.onConnectFailure = onConnectFailure
        self.onReset = onReset
        self.onTimeout = onTimeout
        self.on5xx = on5xx
    }

    init(_ settings: ProxySettings) {
        self.init(attempts: settings.retryAttempts, onConnectFailure: settings.retryOnConnectFailure,
                  onReset: settings.retryOnReset, onTimeout: settings.retryOnTimeout, on5xx: settings.retryOn5xx)
    }
}

/// What the decision needs to know of the request and the failed attempt.
struct RetryContext: Equatable {
    /// GET, HEAD, PUT, DELETE, OPTIONS, TRACE: sending it twice does no more than once.
    var idempotent: Bool
    /// Some request body byte has been consumed from the client: the request cannot be sent again.
    var bodyStarted: Bool
    /// Some response byte went to the client: nothing but a close is left.
    var responseStarted: Bool
    /// The attempt ran on a pooled connection that had carried an exchange before.
    var reusedConnection: Bool
    /// The attempt's server sent some byte before failing.
    var serverSpoke: Bool
    var retriesUsed: Int
    /// The pool has a server this request has not tried that is not down or drained.
    var untriedServerLeft: Bool
}

/// What to do after an upstream attempt failed: a pure function of the failure, the request and
/// the policy, so every case is tested by table without a socket.
enum RetryDecision: Equatable {
    /// A pooled connection the server had closed as it was reused (the keep-alive race): send
    /// the request again on a fresh connection to the same server. Not a retry in the policy
    /// sense, and not counted against the server.
    case reconnect
    /// Send the request to another server of the pool, spending one policy retry.
    case retryElsewhere
    /// Answer the client with the failure's status (for a 5xx from the server: relay it).
    case answer
    /// A response has started: the client connection can only be closed.
    case closeClient

    static func decide(_ failure: UpstreamFailure, _ request: RetryContext, _ policy: RetryPolicy) -> RetryDecision {
        let replayable = !request.bodyStarted
        let budgetLeft = replayable && request.retriesUsed < policy.attempts
        if case .serverError = failure {
            // A valid answer: relayed as it is unless it may go to a server not tried yet (the
            // last server's 5xx reaches the client) before any of it was relayed.
            let retry = policy.on5xx && request.idempotent && request.untriedServerLeft && !request.responseStarted
            return retry && budgetLeft ? .retryElsewhere : .answer
        }
        if request.responseStarted { return .closeClient }
        if isKeepAliveRace(failure, request) { return .reconnect }
        // A server that got the request may have acted on it: only idempotent methods go to
        // another server after that (as nginx does). A refused connect reached nobody.
        let policyAllows: Bool
        switch failure {
        case .connect: policyAllows = policy.onConnectFailure
        case .resetBeforeResponse: policyAllows = policy.onReset && request.idempotent
        case .responseTimeout: policyAllows = policy.onTimeout && request.idempotent
        case .invalidResponse, .serverError: policyAllows = false
        }
        return policyAllows && budgetLeft ? .retryElsewhere : .answer
    }

    /// A pooled connection that the server closed while it sat idle fails with a reset before
    /// the server says anything: that is the keep-alive race, not the server failing.
    static func isKeepAliveRace(_ failure: UpstreamFailure, _ request: RetryContext) -> Bool {
        failure == .resetBeforeResponse && request.reusedConnection && !request.serverSpoke && !request.bodyStarted
    }
}
