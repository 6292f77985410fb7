import TurnoutHTTP
import TurnoutPosix

/// One request's trip through the proxy, from routing to the last byte of its response: the
/// data of a client connection's `.exchange` and `.tunnel` phases. It is started whole when a
/// request is routed (`ClientConnection.beginExchange` calls `start`, which sets every field),
/// so no state of one request can leak into the next.
///
/// A struct stored inline in the connection rather than a payload of `ClientConnection.Phase`:
/// an enum payload cannot be mutated in place, so every step of a body would copy the exchange
/// (and retain the references it holds) out of the phase and back.
struct Exchange {
    /// The request as the exchange needs it after its head has been consumed.
    var method = HTTPMethod.get
    var clientVersion = HTTPVersion.http1_1
    /// The request asked to upgrade (a 101 is accepted only then).
    var upgrade = false
    /// Bytes at the start of `upstreamOutbound` holding the encoded request head, kept so the
    /// request can be replayed on another connection while its body has not started.
    var encodedHeadLength = 0
    /// The pool the request was routed to, and the connection carrying the current attempt.
    var pool: PoolRuntime?
    var upstream: UpstreamConnection?
    /// Response bytes from the upstream, and the encoded request head and body framing for it.
    var upstreamInbound: ByteBuffer?
    var upstreamOutbound: ByteBuffer?
    var requestBody = BodyTransfer()
    var responseBody = BodyTransfer()
    /// How far the request has gone out: the current attempt has the whole request (head, body
    /// and framing) once `requestSent` is set.
    var requestSent = false
    var response = ResponseProgress.awaitingHead(serverSpoke: false, interimRelayed: false)
    /// The servers tried and the policy retries spent.
    var attempts = AttemptHistory()
    /// The current attempt's timing and volume, recorded in its server's traffic when it ends.
    var meter = AttemptMeter()
    /// The request's shadow copy, while the primary exchange runs; nil when it is not mirrored.
    var mirror: MirrorCopy?

    init() {}

    /// Makes this the next request's exchange: every stored property gets the value a new
    /// exchange would have, in this one place (a test counts the properties, so one added later
    /// cannot be missed here). Not `self = Exchange(…)`: the compiler builds that value on the
    /// stack and copies it in with a retain and release per reference, about 500 instructions a
    /// request; set in place, the references (already nil after `endExchange`) cost nothing.
    mutating func start(method: HTTPMethod, clientVersion: HTTPVersion, upgrade: Bool, requestBody: BodyTransfer) {
        self.method = method
        self.clientVersion = clientVersion
        self.upgrade = upgrade
        encodedHeadLength = 0
        pool = nil
        upstream = nil
        upstreamInbound = nil
        upstreamOutbound = nil
        self.requestBody = requestBody
        responseBody = BodyTransfer()
        requestSent = false
        response = .awaitingHead(serverSpoke: false, interimRelayed: false)
        attempts.tried.removeAll()
        attempts.retriesUsed = 0
        meter = AttemptMeter()
        mirror = nil
    }

    /// The stored properties `start` sets.
    static let propertyCount = 15

    /// Some byte of a response (a 1xx or the final head) has been staged for the client: from
    /// here on a failure can only close the connection, never answer with a status.
    var responseStarted: Bool {
        switch response {
        case .awaitingHead(_, let interimRelayed): return interimRelayed
        case .relaying: return true
        }
    }

    var awaitingResponseHead: Bool {
        if case .awaitingHead = response { return true }
        return false
    }

    /// The current attempt's server has sent some byte (a failure after that is an invalid
    /// response, not a connection the server closed before answering).
    var serverSpoke: Bool {
        if case .awaitingHead(let spoke, _) = response { return spoke }
        return true
    }
}

/// How far the response has come.
enum ResponseProgress: Equatable {
    /// No final head yet. `serverSpoke`: the current attempt's server sent some byte;
    /// `interimRelayed`: a 1xx went to the client.
    case awaitingHead(serverSpoke: Bool, interimRelayed: Bool)
    /// The final head is staged for the client; the body follows it.
    case relaying
}

/// The servers one request has been sent to (so a retry goes elsewhere, in pools of any size)
/// and the policy retries spent on it.
struct AttemptHistory {
    var tried = ServerSet()
    var retriesUsed = 0

}
