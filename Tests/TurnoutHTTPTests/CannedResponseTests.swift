import Testing
@testable import TurnoutHTTP

@Test func cannedResponseWithClose() {
    let r = String(decoding: CannedResponse.bytes(status: 400, message: "invalid Content-Length", close: true), as: UTF8.self)
    let body = "400 Bad Request: invalid Content-Length\n"
    #expect(r == "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\n"
        + "Connection: close\r\n\r\n" + body)
}

@Test(arguments: [404, 413, 414, 417, 431, 501, 502, 503, 504, 505, 299])
func cannedResponsesParseBack(_ status: Int) {
    // Every canned response must be a valid response whose body length matches.
    let raw = CannedResponse.bytes(status: status, message: "why", close: false)
    var parser = ResponseHeadParser(limits: HTTPLimits())
    var head = ResponseHead()
    #expect(raw.withUnsafeBytes { parser.parse($0, requestMethod: .get, into: &head) } == .complete)
    #expect(head.status == status)
    #expect(head.keepAlive)
    guard case .contentLength(let n) = head.framing else { Issue.record("no Content-Length"); return }
    #expect(raw.count - head.headLength == Int(n))
    #expect(String(decoding: raw[head.headLength...], as: UTF8.self).hasSuffix(": why\n"))
}

@Test func errorResponsesForEveryKind() {
    // Each error status has a proper reason phrase, not the generic fallback.
    let kinds: [HTTPError.Kind] = [
        .contentLengthWithTransferEncoding, .unsupportedTransferCoding, .requestLineTooLong, .headTooLarge,
        .unsupportedVersion, .unsupportedExpectation, .bodyTooLarge, .invalidStatusLine,
    ]
    for k in kinds {
        let e = HTTPError(k)
        #expect(String(describing: CannedResponse.reasonPhrase(e.status)) != "Status", "\(k)")
    }
    #expect(HTTPError(.bodyTooLarge).status == 413)
}

@Test func continue100() {
    #expect(CannedResponse.continue100 == bytes("HTTP/1.1 100 Continue\r\n\r\n"))
}
