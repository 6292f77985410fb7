import TurnoutHTTP

/// The dashboard's relay (`turnout ctl dashboard`): a browser cannot open a Unix socket, so a
/// loopback listener hands each request to the admin API through an `AdminClient` (which adds
/// the token) and copies the answer back: method, path and query, body, status, content type.
public struct AdminRelay: Sendable {
    public let client: AdminClient

    public init(client: AdminClient) {
        self.client = client
    }

    /// One request relayed; a 502 with `{"error": …}` when the admin API cannot be reached or
    /// answers with something that is not HTTP.
    public func handle(_ request: AdminRequest) -> AdminResponse {
        let target = request.query.isEmpty ? request.path : request.path + "?" + request.query
        // A request without a body is relayed without one (an empty POST takes a rollout's template).
        let body: [UInt8]? = request.body.isEmpty ? nil : request.body
        do {
            let bytes = try client.exchange(request.method, target, body: body)
            return try Self.response(bytes)
        } catch {
            return .error(502, "the dashboard's relay could not reach turnout's admin API at \(client.endpoint): \(error)")
        }
    }

    /// The status, content type and body of a whole answer read to the end of the connection.
    static func response(_ bytes: [UInt8]) throws(AdminError) -> AdminResponse {
        var parser = ResponseHeadParser(limits: HTTPLimits())
        var head = ResponseHead()
        let result = bytes.withUnsafeBytes { parser.parse($0, requestMethod: .get, into: &head) }
        guard case .complete = result else { throw AdminError("the admin API did not answer with a valid HTTP response") }
        var body = bytes[head.headLength...]
        if case .contentLength(let length) = head.framing {
            guard body.count >= length else { throw AdminError("the admin API cut its answer short") }
            body = body.prefix(Int(length))
        }
        let contentType = bytes.withUnsafeBytes { raw -> String in
            guard let range = head.field("content-type", in: raw) else { return "application/octet-stream" }
            return String(decoding: raw[range], as: UTF8.self)
        }
        return AdminResponse(status: head.status, contentType: contentType, body: Array(body))
    }
}
