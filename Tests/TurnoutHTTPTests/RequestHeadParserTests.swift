import Testing
@testable import TurnoutHTTP

/// A request that must parse, and what the head must say.
struct ValidRequest: Sendable, CustomTestStringConvertible {
    var raw: [UInt8]
    var method: HTTPMethod = .get
    var version: HTTPVersion = .http1_1
    var path: String = "/"
    var query: String? = nil
    var host: String? = "a"
    var form: RequestTargetForm = .origin
    var framing: RequestFraming = .none
    var keepAlive = true
    var expectContinue = false
    var upgrade = false
    var fieldCount = 1
    var connectionTokens: [String] = []
    /// Bytes after the head (body or next request); headLength = raw.count - trailing.
    var trailing = 0

    var testDescription: String { show(raw) }
}

private func get(_ extra: String = "", target: String = "/", version: String = "HTTP/1.1") -> [UInt8] {
    bytes("GET \(target) \(version)\r\nHost: a\r\n\(extra)\r\n")
}

let validRequests: [ValidRequest] = [
    ValidRequest(raw: get()),
    ValidRequest(raw: bytes("GET /p/q?x=1&y=2#frag HTTP/1.1\r\nHost: example.com:8080\r\n\r\n"),
                 path: "/p/q", query: "x=1&y=2", host: "example.com:8080"),
    ValidRequest(raw: bytes("GET /p?#f HTTP/1.1\r\nHost: a\r\n\r\n"), path: "/p", query: ""),
    ValidRequest(raw: bytes("GET /p#f?x HTTP/1.1\r\nHost: a\r\n\r\n"), path: "/p", query: nil),
    ValidRequest(raw: bytes("GET /a%20b/c;p=1 HTTP/1.1\r\nHost: a\r\n\r\n"), path: "/a%20b/c;p=1"),
    // RFC 9112 §2.2: empty lines before the request line are skipped.
    ValidRequest(raw: bytes("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")),
    ValidRequest(raw: bytes("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n"),
                 method: .post, path: "/upload", framing: .contentLength(5), fieldCount: 2),
    ValidRequest(raw: bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"),
                 method: .post, framing: .contentLength(0), fieldCount: 2),
    ValidRequest(raw: bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 007\r\n\r\n"),
                 method: .post, framing: .contentLength(7), fieldCount: 2),
    ValidRequest(raw: bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n"),
                 method: .post, framing: .contentLength(5), fieldCount: 2),
    ValidRequest(raw: bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\ncontent-length: 5\r\n\r\n"),
                 method: .post, framing: .contentLength(5), fieldCount: 3),
    ValidRequest(raw: bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775807\r\n\r\n"),
                 method: .post, framing: .contentLength(Int64.max), fieldCount: 2),
    ValidRequest(raw: bytes("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"),
                 method: .post, framing: .chunked, fieldCount: 2),
    ValidRequest(raw: bytes("POST / HTTP/1.1\r\nHost: a\r\ntransfer-encoding: CHUNKED\r\n\r\n"),
                 method: .post, framing: .chunked, fieldCount: 2),
    ValidRequest(raw: bytes("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\tchunked \t\r\n\r\n"),
                 method: .post, framing: .chunked, fieldCount: 2),
    ValidRequest(raw: bytes("GET / HTTP/1.0\r\n\r\n"), version: .http1_0, host: nil, keepAlive: false, fieldCount: 0),
    ValidRequest(raw: bytes("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"), version: .http1_0, host: nil,
                 keepAlive: true, connectionTokens: ["keep-alive"]),
    ValidRequest(raw: bytes("GET / HTTP/1.0\r\nConnection: Keep-Alive, close\r\n\r\n"), version: .http1_0, host: nil,
                 keepAlive: false, connectionTokens: ["Keep-Alive", "close"]),
    // RFC 9112 §2.3: a higher minor version of 1 is processed as 1.1 (keep-alive by default).
    ValidRequest(raw: get(version: "HTTP/1.2")),
    ValidRequest(raw: get(version: "HTTP/1.9")),
    ValidRequest(raw: get("Connection: close\r\n", version: "HTTP/1.2"), keepAlive: false, fieldCount: 2, connectionTokens: ["close"]),
    ValidRequest(raw: get("Connection: close\r\n"), keepAlive: false, fieldCount: 2, connectionTokens: ["close"]),
    ValidRequest(raw: get("Connection: ,, X-Secret ,\r\nConnection: CLOSE\r\n"), keepAlive: false, fieldCount: 3,
                 connectionTokens: ["X-Secret", "CLOSE"]),
    ValidRequest(raw: get("Connection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n"), upgrade: true, fieldCount: 3,
                 connectionTokens: ["keep-alive", "Upgrade"]),
    ValidRequest(raw: get("Upgrade: websocket\r\n"), upgrade: false, fieldCount: 2),
    ValidRequest(raw: bytes("GET / HTTP/1.0\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n"), version: .http1_0,
                 host: nil, keepAlive: false, upgrade: false, fieldCount: 2, connectionTokens: ["upgrade"]),
    ValidRequest(raw: bytes("PUT /x HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n"),
                 method: .put, path: "/x", framing: .contentLength(3), expectContinue: true, fieldCount: 3),
    ValidRequest(raw: bytes("PUT /x HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"),
                 method: .put, version: .http1_0, path: "/x", host: nil, framing: .contentLength(3),
                 keepAlive: false, expectContinue: false, fieldCount: 2),
    ValidRequest(raw: bytes("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"), method: .options, path: "*", form: .asterisk),
    ValidRequest(raw: bytes("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"), method: .connect,
                 path: "", host: "example.com:443", form: .authority),
    ValidRequest(raw: bytes("CONNECT [::1]:8443 HTTP/1.1\r\nHost: x\r\n\r\n"), method: .connect,
                 path: "", host: "[::1]:8443", form: .authority),
    ValidRequest(raw: bytes("GET http://example.com/a?b HTTP/1.1\r\nHost: other\r\n\r\n"),
                 path: "/a", query: "b", host: "example.com", form: .absolute),
    ValidRequest(raw: bytes("GET http://example.com HTTP/1.1\r\nHost: x\r\n\r\n"), path: "/", host: "example.com", form: .absolute),
    ValidRequest(raw: bytes("GET HTTPS://Example.com:8443?q=1 HTTP/1.1\r\nHost: x\r\n\r\n"),
                 path: "/", query: "q=1", host: "Example.com:8443", form: .absolute),
    ValidRequest(raw: bytes("DELETE /r HTTP/1.1\r\nHost: a\r\n\r\n"), method: .delete, path: "/r"),
    ValidRequest(raw: bytes("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n"), method: .head),
    ValidRequest(raw: bytes("TRACE / HTTP/1.1\r\nHost: a\r\n\r\n"), method: .trace),
    ValidRequest(raw: bytes("PATCH / HTTP/1.1\r\nHost: a\r\n\r\n"), method: .patch),
    ValidRequest(raw: bytes("PURGE / HTTP/1.1\r\nHost: a\r\n\r\n"), method: .other),
    ValidRequest(raw: bytes("get / HTTP/1.1\r\nHost: a\r\n\r\n"), method: .other),
    ValidRequest(raw: bytes("GETS / HTTP/1.1\r\nHost: a\r\n\r\n"), method: .other),
    ValidRequest(raw: bytes("M-SEARCH / HTTP/1.1\r\nHost: a\r\n\r\n"), method: .other),
    ValidRequest(raw: bytes("GET / HTTP/1.1\r\nHost:\r\n\r\n"), host: ""),
    ValidRequest(raw: bytes("GET / HTTP/1.1\r\nhOsT:   a   \r\n\r\n")),
    ValidRequest(raw: get("X-Empty:\r\nX-Spaces: a  b\t c \r\nX-Odd: !#$%&'*+-.^_`|~:;\"<>\r\n"), fieldCount: 4),
    // obs-text (0x80–0xFF) is allowed in values (RFC 9110 §5.5).
    ValidRequest(raw: bytes("GET / HTTP/1.1\r\nHost: a\r\nX-Bin: ") + [0x80, 0xC3, 0xA9, 0xFF] + bytes("\r\n\r\n"), fieldCount: 2),
    // Bytes after the head are the body or the next pipelined request; the parser does not read them.
    ValidRequest(raw: bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"), method: .post,
                 framing: .contentLength(5), fieldCount: 2, trailing: 5),
    ValidRequest(raw: get() + bytes("GET /next HTTP/1.1\r\nHost: a\r\n\r\n"), trailing: 31),
    ValidRequest(raw: get() + bytes("\r\n\n garbage"), trailing: 11),
]

@Test("valid requests parse, at once and fed byte by byte", arguments: validRequests)
func validRequest(_ c: ValidRequest) {
    let (result, head) = parseRequestEverySplit(c.raw)
    #expect(result == .complete, "\(show(c.raw))")
    guard result == .complete else { return }
    #expect(head.method == c.method)
    #expect(head.version == c.version)
    #expect(text(c.raw, head.path) == c.path)
    #expect(text(c.raw, head.query) == c.query)
    #expect(text(c.raw, head.host) == c.host)
    #expect(head.targetForm == c.form)
    #expect(head.framing == c.framing)
    #expect(head.keepAlive == c.keepAlive)
    #expect(head.expectContinue == c.expectContinue)
    #expect(head.upgrade == c.upgrade)
    #expect(head.fields.count == c.fieldCount)
    #expect(head.connectionTokens.map { text(c.raw, $0)! } == c.connectionTokens)
    #expect(head.headLength == c.raw.count - c.trailing)
    let start = c.raw.firstIndex { $0 != 0x0D && $0 != 0x0A }!
    #expect(head.methodBytes == start..<c.raw[start...].firstIndex(of: 0x20)!)
}

@Test func requestFieldsAndLookup() {
    let raw = bytes("GET /x?y HTTP/1.1\r\nHost: a.example\r\nCookie:  a=1; b=2 \r\nX-A: 1\r\nx-a: 2\r\n\r\n")
    let (result, head) = parseRequestOnce(raw)
    #expect(result == .complete)
    #expect(head.fields.map { text(raw, $0.name)! } == ["Host", "Cookie", "X-A", "x-a"])
    #expect(head.fields.map { text(raw, $0.value)! } == ["a.example", "a=1; b=2", "1", "2"])
    raw.withUnsafeBytes { src in
        #expect(text(raw, head.field("cookie", in: src)) == "a=1; b=2")
        #expect(text(raw, head.field("X-A", in: src)) == "1")
        #expect(head.field("x-b", in: src) == nil)
        #expect(head.field("x", in: src) == nil)
    }
    #expect(text(raw, head.target) == "/x?y")
}

@Test func parserReuseAfterReset() {
    var parser = RequestHeadParser(limits: HTTPLimits())
    var head = RequestHead()
    let first = bytes("POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nConnection: close\r\n\r\n")
    let second = bytes("GET /b HTTP/1.1\r\nHost: b\r\n\r\n")
    #expect(first.withUnsafeBytes { parser.parse($0, into: &head) } == .complete)
    // Finished parsers repeat their result until reset.
    #expect(second.withUnsafeBytes { parser.parse($0, into: &head) } == .complete)
    #expect(head.method == .post)
    let capacity = head.fields.capacity
    parser.reset()
    #expect(second.withUnsafeBytes { parser.parse($0, into: &head) } == .complete)
    #expect(head.method == .get)
    #expect(head.framing == .none)
    #expect(head.keepAlive)
    #expect(head.connectionTokens.isEmpty)
    #expect(head.fields.count == 1)
    #expect(head.fields.capacity == capacity)
    #expect(text(second, head.path) == "/b")
}

@Test func methodIdempotence() {
    let idempotent: [HTTPMethod] = [.get, .head, .put, .delete, .options, .trace]
    let not: [HTTPMethod] = [.post, .connect, .patch, .other]
    for m in idempotent { #expect(m.isIdempotent) }
    for m in not { #expect(!m.isIdempotent) }
}
