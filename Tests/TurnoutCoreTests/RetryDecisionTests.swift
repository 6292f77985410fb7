import Testing
@testable import TurnoutCore

/// Every way an attempt can fail, against the request's state and the retry policy.
struct RetryDecisionTests {
    static let all = RetryPolicy(attempts: 2, onConnectFailure: true, onReset: true, onTimeout: true, on5xx: true)
    static let none = RetryPolicy(attempts: 2)

    /// A fresh request: idempotent, nothing sent of its body, nothing answered, servers left.
    static func request(idempotent: Bool = true, bodyStarted: Bool = false, responseStarted: Bool = false,
                        reused: Bool = false, spoke: Bool = false, retriesUsed: Int = 0, serverLeft: Bool = true) -> RetryContext {
        RetryContext(idempotent: idempotent, bodyStarted: bodyStarted, responseStarted: responseStarted, reusedConnection: reused,
                     serverSpoke: spoke, retriesUsed: retriesUsed, untriedServerLeft: serverLeft)
    }

    struct Case: CustomTestStringConvertible {
        let name: String
        let failure: UpstreamFailure
        let request: RetryContext
        let policy: RetryPolicy
        let expected: RetryDecision
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        // Connect failures reached nobody: any method may go elsewhere.
        Case(name: "refused connect, policy on", failure: .connect(timedOut: false), request: request(), policy: all, expected: .retryElsewhere),
        Case(name: "refused connect of a POST", failure: .connect(timedOut: false), request: request(idempotent: false), policy: all, expected: .retryElsewhere),
        Case(name: "connect timeout", failure: .connect(timedOut: true), request: request(), policy: all, expected: .retryElsewhere),
        Case(name: "refused connect, policy off", failure: .connect(timedOut: false), request: request(), policy: none, expected: .answer),
        Case(name: "refused connect, budget spent", failure: .connect(timedOut: false), request: request(retriesUsed: 2), policy: all, expected: .answer),
        Case(name: "refused connect, body started", failure: .connect(timedOut: false), request: request(bodyStarted: true), policy: all, expected: .answer),
        // A reset: the server may have acted, so only idempotent requests go elsewhere.
        Case(name: "reset of a GET", failure: .resetBeforeResponse, request: request(), policy: all, expected: .retryElsewhere),
        Case(name: "reset of a POST", failure: .resetBeforeResponse, request: request(idempotent: false), policy: all, expected: .answer),
        Case(name: "reset, policy off", failure: .resetBeforeResponse, request: request(), policy: none, expected: .answer),
        Case(name: "reset after the body started", failure: .resetBeforeResponse, request: request(bodyStarted: true), policy: all, expected: .answer),
        // The keep-alive race: a pooled connection closed under us, before any response byte.
        Case(name: "reused connection reset, silent", failure: .resetBeforeResponse, request: request(reused: true), policy: none, expected: .reconnect),
        Case(name: "reused connection reset of a POST", failure: .resetBeforeResponse, request: request(idempotent: false, reused: true), policy: none, expected: .reconnect),
        Case(name: "reused connection reset after speaking", failure: .resetBeforeResponse, request: request(reused: true, spoke: true), policy: none, expected: .answer),
        Case(name: "reused connection reset after the body started", failure: .resetBeforeResponse, request: request(bodyStarted: true, reused: true), policy: all, expected: .answer),
        Case(name: "reused connection timed out", failure: .responseTimeout, request: request(reused: true), policy: none, expected: .answer),
        // Timeouts.
        Case(name: "timeout of a GET", failure: .responseTimeout, request: request(), policy: all, expected: .retryElsewhere),
        Case(name: "timeout of a POST", failure: .responseTimeout, request: request(idempotent: false), policy: all, expected: .answer),
        Case(name: "timeout, policy off", failure: .responseTimeout, request: request(), policy: RetryPolicy(attempts: 2, onReset: true), expected: .answer),
        // An invalid response is never retried.
        Case(name: "invalid response", failure: .invalidResponse, request: request(), policy: all, expected: .answer),
        // Once a byte went to the client, only a close is left.
        Case(name: "reset after a 1xx was relayed", failure: .resetBeforeResponse, request: request(responseStarted: true), policy: all, expected: .closeClient),
        Case(name: "timeout mid-response", failure: .responseTimeout, request: request(responseStarted: true), policy: all, expected: .closeClient),
        // 5xx answers: retried only with "5xx" in retries.on, for idempotent requests, while a server is left.
        Case(name: "503 of a GET", failure: .serverError(status: 503), request: request(), policy: all, expected: .retryElsewhere),
        Case(name: "503, policy off", failure: .serverError(status: 503), request: request(), policy: none, expected: .answer),
        Case(name: "503 of a POST", failure: .serverError(status: 503), request: request(idempotent: false), policy: all, expected: .answer),
        Case(name: "503 from the last server", failure: .serverError(status: 503), request: request(serverLeft: false), policy: all, expected: .answer),
        Case(name: "503 after a 1xx was relayed", failure: .serverError(status: 503), request: request(responseStarted: true), policy: all, expected: .answer),
        Case(name: "503 with the budget spent", failure: .serverError(status: 503), request: request(retriesUsed: 2), policy: all, expected: .answer),
        Case(name: "503 after the body started", failure: .serverError(status: 503), request: request(bodyStarted: true), policy: all, expected: .answer),
    ]

    @Test(arguments: cases)
    func decides(_ c: Case) {
        #expect(RetryDecision.decide(c.failure, c.request, c.policy) == c.expected)
    }

    @Test func statusesOfUnretriedFailures() {
        #expect(UpstreamFailure.connect(timedOut: false).status == 502)
        #expect(UpstreamFailure.connect(timedOut: true).status == 504)
        #expect(UpstreamFailure.resetBeforeResponse.status == 502)
        #expect(UpstreamFailure.responseTimeout.status == 504)
        #expect(UpstreamFailure.invalidResponse.status == 502)
        #expect(UpstreamFailure.serverError(status: 503).status == 503)
    }
}
