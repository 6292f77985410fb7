import TurnoutConfig

/// The bytes of one webhook request: `POST` of the entry as `application/json`, with `Host`,
/// `User-Agent: turnout`, `Content-Length` and `Connection: close` (one request per connection).
enum WebhookRequest {
    /// The head up to and including `Content-Length: `, the same for every entry to `url`.
    static func headPrefix(url: WebhookURL) -> [UInt8] {
        let host = url.host.contains(":") ? "[\(url.host)]" : url.host
        let authority = url.port == 80 ? host : "\(host):\(url.port)"
        let text = "POST \(url.path) HTTP/1.1\r\n"
            + "Host: \(authority)\r\n"
            + "User-Agent: turnout\r\n"
            + "Content-Type: application/json\r\n"
            + "Connection: close\r\n"
            + "Content-Length: "
        return Array(text.utf8)
    }

    /// The whole request for an entry whose JSON is `body`.
    static func bytes(prefix: [UInt8], body: [UInt8]) -> [UInt8] {
        var request = prefix
        request.reserveCapacity(prefix.count + 24 + body.count)
        request.append(contentsOf: String(body.count).utf8)
        request.append(contentsOf: "\r\n\r\n".utf8)
        request.append(contentsOf: body)
        return request
    }
}
