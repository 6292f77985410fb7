import Testing
@testable import TurnoutHTTP

/// A response that must parse, with the request method it answers and what the head must say.
struct ValidResponse: Sendable, CustomTestStringConvertible {
    var raw: String
    var method: HTTPMethod = .get
    var status: Int = 200
    var version: HTTPVersion = .http1_1
    var reason: String = "OK"
    var framing: ResponseFraming
    var keepAlive = true
    var contentLength: Int64? = nil
    var fieldCount = 1
    var testDescription: String { "\(method) → \(show(bytes(raw)))" }
}

let validResponses: [ValidResponse] = [
    ValidResponse(raw: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", framing: .contentLength(5), contentLength: 5),
    ValidResponse(raw: "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\n", framing: .contentLength(5), contentLength: 5),
    ValidResponse(raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", framing: .chunked),
    ValidResponse(raw: "HTTP/1.1 200 OK\r\nServer: x\r\n\r\n", framing: .closeDelimited, keepAlive: false),
    ValidResponse(raw: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", method: .head, framing: .none, contentLength: 5),
    ValidResponse(raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", method: .head, framing: .none),
    ValidResponse(raw: "HTTP/1.1 204 No Content\r\nServer: x\r\n\r\n", status: 204, reason: "No Content", framing: .none),
    ValidResponse(raw: "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", status: 304, reason: "Not Modified",
                  framing: .none, contentLength: 10),
    ValidResponse(raw: "HTTP/1.1 100 Continue\r\n\r\n", status: 100, reason: "Continue", framing: .none, fieldCount: 0),
    ValidResponse(raw: "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n", status: 103, reason: "Early Hints", framing: .none),
    ValidResponse(raw: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", status: 101,
                  reason: "Switching Protocols", framing: .none, fieldCount: 2),
    ValidResponse(raw: "HTTP/1.1 200 Connection established\r\n\r\n", method: .connect, reason: "Connection established",
                  framing: .none, fieldCount: 0),
    ValidResponse(raw: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", framing: .contentLength(0),
                  keepAlive: false, contentLength: 0, fieldCount: 2),
    ValidResponse(raw: "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n", version: .http1_0, framing: .contentLength(2),
                  keepAlive: false, contentLength: 2),
    ValidResponse(raw: "HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n", version: .http1_0,
                  framing: .contentLength(2), keepAlive: true, contentLength: 2, fieldCount: 2),
    ValidResponse(raw: "HTTP/1.0 200 OK\r\n\r\n", version: .http1_0, framing: .closeDelimited, keepAlive: false, fieldCount: 0),
    // RFC 9112 §2.3: a higher minor version of 1 from an upstream is read as 1.1.
    ValidResponse(raw: "HTTP/1.2 200 OK\r\nContent-Length: 2\r\n\r\n", framing: .contentLength(2), contentLength: 2),
    ValidResponse(raw: "HTTP/1.1 200 \r\nContent-Length: 1\r\n\r\n", reason: "", framing: .contentLength(1), contentLength: 1),
    ValidResponse(raw: "HTTP/1.1 200\r\nContent-Length: 1\r\n\r\n", reason: "", framing: .contentLength(1), contentLength: 1),
    ValidResponse(raw: "HTTP/1.1 404 Not  Found\t!\r\nContent-Length: 1\r\n\r\n", status: 404, reason: "Not  Found\t!",
                  framing: .contentLength(1), contentLength: 1),
    ValidResponse(raw: "HTTP/1.1 599 Custom\r\nContent-Length: 1\r\n\r\n", status: 599, reason: "Custom",
                  framing: .contentLength(1), contentLength: 1),
]

@Test("valid responses parse, at once and fed byte by byte", arguments: validResponses)
func validResponse(_ c: ValidResponse) {
    let raw = bytes(c.raw)
    let (result, head) = parseResponseEverySplit(raw, method: c.method)
    #expect(result == .complete)
    guard result == .complete else { return }
    #expect(head.status == c.status)
    #expect(head.version == c.version)
    #expect(text(raw, head.reason) == c.reason)
    #expect(head.framing == c.framing)
    #expect(head.keepAlive == c.keepAlive)
    #expect(head.contentLength == c.contentLength)
    #expect(head.fields.count == c.fieldCount)
    #expect(head.headLength == raw.count)
    #expect(head.isInformational == (c.status < 200))
}

/// A response that must be rejected (the proxy answers 502), and the rule it breaks.
struct InvalidResponse: Sendable, CustomTestStringConvertible {
    var raw: String
    var kind: HTTPError.Kind
    var method: HTTPMethod = .get
    var testDescription: String { "\(kind): \(show(bytes(raw)))" }
    init(_ raw: String, _ kind: HTTPError.Kind, method: HTTPMethod = .get) {
        self.raw = raw
        self.kind = kind
        self.method = method
    }
}

let invalidResponses: [InvalidResponse] = [
    InvalidResponse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", .contentLengthWithTransferEncoding),
    InvalidResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", .contentLengthWithTransferEncoding),
    InvalidResponse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", .contentLengthWithTransferEncoding, method: .head),
    InvalidResponse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", .conflictingContentLength),
    InvalidResponse("HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n", .conflictingContentLength),
    InvalidResponse("HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n", .invalidContentLength),
    InvalidResponse("HTTP/1.1 304 Not Modified\r\nContent-Length: x\r\n\r\n", .invalidContentLength),
    InvalidResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", .unsupportedTransferCoding),
    InvalidResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", .unsupportedTransferCoding),
    InvalidResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", .invalidTransferEncoding),
    InvalidResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", .invalidTransferEncoding),
    InvalidResponse("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", .transferEncodingInHTTP10),
    InvalidResponse("HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", .obsFold),
    InvalidResponse("HTTP/1.1 200 OK\r\nX : a\r\n\r\n", .whitespaceBeforeColon),
    InvalidResponse("HTTP/1.1 200 OK\r\nX\u{0}: a\r\n\r\n", .invalidFieldName),
    InvalidResponse("HTTP/1.1 200 OK\r\nX: a\u{0}\r\n\r\n", .invalidFieldValue),
    InvalidResponse("HTTP/1.1 200 OK\nContent-Length: 0\n\n", .bareLF),
    InvalidResponse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\n", .bareLF),
    InvalidResponse("HTTP/1.1 200 OK\r\nConnection: a b\r\n\r\n", .invalidConnection),
    InvalidResponse("HTTP/1.1 2000 OK\r\n\r\n", .invalidStatusLine),
    InvalidResponse("HTTP/1.1 20 OK\r\n\r\n", .invalidStatusLine),
    InvalidResponse("HTTP/1.1 099 OK\r\n\r\n", .invalidStatusLine),
    InvalidResponse("HTTP/1.1 2x0 OK\r\n\r\n", .invalidStatusLine),
    InvalidResponse("HTTP/1.1  200 OK\r\n\r\n", .invalidStatusLine),
    InvalidResponse("HTTP/1.1 200 O\u{0}K\r\n\r\n", .invalidStatusLine),
    InvalidResponse("HTTP/1.1 200 OK\r\r\n\r\n", .invalidStatusLine),
    InvalidResponse("HTTP/1.1\r\n\r\n", .invalidStatusLine),
    InvalidResponse("http/1.1 200 OK\r\n\r\n", .invalidStatusLine),
    InvalidResponse("HTTP/1.x 200 OK\r\n\r\n", .invalidStatusLine),
    InvalidResponse("ICY 200 OK\r\n\r\n", .invalidStatusLine),
    InvalidResponse("\r\nHTTP/1.1 200 OK\r\n\r\n", .invalidStatusLine),
    InvalidResponse("HTTP/2.0 200 OK\r\n\r\n", .unsupportedVersion),
    InvalidResponse("HTTP/1.1 200 OK\r\n" + String(repeating: "X: 1\r\n", count: 129) + "\r\n", .tooManyFields),
    InvalidResponse("HTTP/1.1 200 OK\r\nX: " + String(repeating: "v", count: 40000) + "\r\n\r\n", .headTooLarge),
]

@Test("invalid responses fail with 502, at once and fed byte by byte", arguments: invalidResponses)
func invalidResponse(_ c: InvalidResponse) {
    let (result, _) = parseResponseEverySplit(bytes(c.raw), method: c.method)
    #expect(status(result) == 502)
    #expect(kind(result) == c.kind)
}

@Test func interimThenFinalResponse() {
    // A 100 Continue followed by the final response on the same connection: the caller resets
    // and parses again from the byte after the interim head.
    let raw = bytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
    var parser = ResponseHeadParser(limits: HTTPLimits())
    var head = ResponseHead()
    #expect(raw.withUnsafeBytes { parser.parse($0, requestMethod: .post, into: &head) } == .complete)
    #expect(head.isInformational)
    let start = head.headLength
    parser.reset()
    #expect(raw.withUnsafeBytes { parser.parse(UnsafeRawBufferPointer(rebasing: $0[start...]), requestMethod: .post, into: &head) } == .complete)
    #expect(head.status == 201)
    #expect(head.framing == .contentLength(0))
    #expect(!head.isInformational)
    raw.withUnsafeBytes { all in
        let src = UnsafeRawBufferPointer(rebasing: all[start...])
        #expect(head.field("content-length", in: src).map { text(Array(src), $0) } == "0")
    }
}
