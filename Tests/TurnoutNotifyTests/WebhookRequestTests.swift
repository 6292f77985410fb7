import Testing
import TurnoutConfig
@testable import TurnoutNotify

/// The request bytes: the whole head, byte for byte, and how the Host field names the webhook.
@Suite struct WebhookRequestTests {
    @Test func theRequestIsOnePostWithItsFields() {
        let url = WebhookURL("http://127.0.0.1:9000/turnout")!
        let body = Array("{\"action\":\"switch\"}".utf8)
        let request = WebhookRequest.bytes(prefix: WebhookRequest.headPrefix(url: url), body: body)
        #expect(String(decoding: request, as: UTF8.self) == "POST /turnout HTTP/1.1\r\nHost: 127.0.0.1:9000\r\nUser-Agent: turnout\r\n"
            + "Content-Type: application/json\r\nConnection: close\r\nContent-Length: 19\r\n\r\n{\"action\":\"switch\"}")
    }

    @Test(arguments: [
        ("http://127.0.0.1/x", "127.0.0.1", "/x"),
        ("http://[::1]:8443/a?b=c", "[::1]:8443", "/a?b=c"),
        ("http://[::1]", "[::1]", "/"),
        ("http://localhost:80", "localhost", "/"),
    ])
    func hostNamesTheWebhook(text: String, host: String, target: String) {
        let head = String(decoding: WebhookRequest.headPrefix(url: WebhookURL(text)!), as: UTF8.self)
        #expect(head.hasPrefix("POST \(target) HTTP/1.1\r\nHost: \(host)\r\n"), "\(head)")
    }
}
