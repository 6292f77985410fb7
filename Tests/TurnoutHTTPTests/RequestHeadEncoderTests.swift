import Testing
@testable import TurnoutHTTP

/// Parses `raw` and encodes it for the upstream; nil if either step fails.
func encodeRequest(_ raw: String, client: String = "10.0.0.9", proto: StaticString = "http",
                   framing: RequestFraming? = nil, capacity: Int = 4096) -> String? {
    let input = bytes(raw)
    let (result, head) = parseRequestOnce(input)
    guard result == .complete else { return "parse failed: \(result)" }
    let address = bytes(client)
    var out = [UInt8](repeating: 0, count: capacity)
    let n = input.withUnsafeBytes { src in
        address.withUnsafeBytes { addr in
            out.withUnsafeMutableBytes { dst in
                RequestHeadEncoder.encode(head, source: src, clientAddress: addr, proto: proto,
                                          framing: framing ?? head.framing, into: dst)
            }
        }
    }
    return n.map { String(decoding: out[..<$0], as: UTF8.self) }
}

/// One request and the exact head sent upstream.
struct RequestEncoding: Sendable, CustomTestStringConvertible {
    var name: String
    var raw: String
    var expected: String
    var framing: RequestFraming? = nil
    var testDescription: String { name }
}

let requestEncodings: [RequestEncoding] = [
    RequestEncoding(name: "plain GET",
                    raw: "GET /a?b=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n",
                    expected: "GET /a?b=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\nX-Forwarded-For: 10.0.0.9\r\n"
                        + "X-Forwarded-Proto: http\r\nX-Forwarded-Host: example.com\r\n\r\n"),
    RequestEncoding(name: "hop-by-hop fields and the ones Connection names are removed",
                    raw: "GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, X-Secret, x-other\r\nKeep-Alive: timeout=5\r\n"
                        + "Proxy-Connection: keep-alive\r\nTE: trailers\r\nTrailer: X-T\r\nX-Secret: s\r\nX-Other: o\r\n"
                        + "Upgrade: h2c\r\nX-Kept: k\r\n\r\n",
                    expected: "GET / HTTP/1.1\r\nHost: h\r\nX-Kept: k\r\nX-Forwarded-For: 10.0.0.9\r\n"
                        + "X-Forwarded-Proto: http\r\nX-Forwarded-Host: h\r\n\r\n"),
    RequestEncoding(name: "Connection cannot remove Host",
                    raw: "GET / HTTP/1.1\r\nHost: h\r\nConnection: host\r\n\r\n",
                    expected: "GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 10.0.0.9\r\n"
                        + "X-Forwarded-Proto: http\r\nX-Forwarded-Host: h\r\n\r\n"),
    RequestEncoding(name: "X-Forwarded-For values are kept and the client appended; Proto and Host replaced",
                    raw: "GET / HTTP/1.1\r\nX-Forwarded-For: 1.1.1.1, 2.2.2.2\r\nHost: h\r\nx-forwarded-for: 3.3.3.3\r\n"
                        + "X-Forwarded-For:\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: evil\r\n\r\n",
                    expected: "GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 1.1.1.1, 2.2.2.2, 3.3.3.3, 10.0.0.9\r\n"
                        + "X-Forwarded-Proto: http\r\nX-Forwarded-Host: h\r\n\r\n"),
    RequestEncoding(name: "Content-Length is redone from the framing",
                    raw: "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 005\r\nContent-Type: text/plain\r\n\r\n",
                    expected: "POST /p HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nX-Forwarded-For: 10.0.0.9\r\n"
                        + "X-Forwarded-Proto: http\r\nX-Forwarded-Host: h\r\nContent-Length: 5\r\n\r\n"),
    RequestEncoding(name: "chunked stays chunked",
                    raw: "POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\nHost: h\r\n\r\n",
                    expected: "POST /p HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 10.0.0.9\r\n"
                        + "X-Forwarded-Proto: http\r\nX-Forwarded-Host: h\r\nTransfer-Encoding: chunked\r\n\r\n"),
    RequestEncoding(name: "framing chosen by the caller",
                    raw: "POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\nHost: h\r\n\r\n",
                    expected: "POST /p HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 10.0.0.9\r\n"
                        + "X-Forwarded-Proto: http\r\nX-Forwarded-Host: h\r\nContent-Length: 12\r\n\r\n",
                    framing: .contentLength(12)),
    RequestEncoding(name: "HTTP/1.0 client without Host: empty Host, no X-Forwarded-Host, upstream gets 1.1",
                    raw: "GET /old HTTP/1.0\r\nConnection: keep-alive\r\nUser-Agent: u\r\n\r\n",
                    expected: "GET /old HTTP/1.1\r\nUser-Agent: u\r\nHost: \r\nX-Forwarded-For: 10.0.0.9\r\nX-Forwarded-Proto: http\r\n\r\n"),
    // Found by Fuzz/RequestHead: the head went upstream as 1.1 with no Host at all. The data path
    // answers CONNECT with 501 before encoding, but the encoder's output must always be valid 1.1.
    RequestEncoding(name: "HTTP/1.0 CONNECT without Host: Host from the authority-form target",
                    raw: "CONNECT m:3 HTTP/1.0\r\n\r\n",
                    expected: "CONNECT m:3 HTTP/1.1\r\nHost: m:3\r\nX-Forwarded-For: 10.0.0.9\r\nX-Forwarded-Proto: http\r\n"
                        + "X-Forwarded-Host: m:3\r\n\r\n"),
    RequestEncoding(name: "upgrade keeps Upgrade and sends Connection: upgrade",
                    raw: "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: k\r\n\r\n",
                    expected: "GET /ws HTTP/1.1\r\nHost: h\r\nSec-WebSocket-Key: k\r\nX-Forwarded-For: 10.0.0.9\r\n"
                        + "X-Forwarded-Proto: http\r\nX-Forwarded-Host: h\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n"),
    RequestEncoding(name: "Upgrade without Connection: upgrade is dropped",
                    raw: "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\r\n",
                    expected: "GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 10.0.0.9\r\n"
                        + "X-Forwarded-Proto: http\r\nX-Forwarded-Host: h\r\n\r\n"),
    RequestEncoding(name: "absolute-form becomes origin-form with Host from the authority",
                    raw: "GET http://real.example:8080/p?q#frag HTTP/1.1\r\nHost: ignored\r\nA: 1\r\n\r\n",
                    expected: "GET /p?q HTTP/1.1\r\nA: 1\r\nHost: real.example:8080\r\nX-Forwarded-For: 10.0.0.9\r\n"
                        + "X-Forwarded-Proto: http\r\nX-Forwarded-Host: real.example:8080\r\n\r\n"),
    RequestEncoding(name: "absolute-form without path",
                    raw: "GET http://real.example?x HTTP/1.1\r\nHost: ignored\r\n\r\n",
                    expected: "GET /?x HTTP/1.1\r\nHost: real.example\r\nX-Forwarded-For: 10.0.0.9\r\n"
                        + "X-Forwarded-Proto: http\r\nX-Forwarded-Host: real.example\r\n\r\n"),
    RequestEncoding(name: "fragment is not sent",
                    raw: "GET /p#f HTTP/1.1\r\nHost: h\r\n\r\n",
                    expected: "GET /p HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 10.0.0.9\r\n"
                        + "X-Forwarded-Proto: http\r\nX-Forwarded-Host: h\r\n\r\n"),
    RequestEncoding(name: "OPTIONS *",
                    raw: "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
                    expected: "OPTIONS * HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 10.0.0.9\r\n"
                        + "X-Forwarded-Proto: http\r\nX-Forwarded-Host: h\r\n\r\n"),
    RequestEncoding(name: "unknown method and field case are kept",
                    raw: "PURGE /c HTTP/1.1\r\nhost: h\r\nX-MiXeD: V a l\r\n\r\n",
                    expected: "PURGE /c HTTP/1.1\r\nhost: h\r\nX-MiXeD: V a l\r\nX-Forwarded-For: 10.0.0.9\r\n"
                        + "X-Forwarded-Proto: http\r\nX-Forwarded-Host: h\r\n\r\n"),
]

@Test("request heads encoded for the upstream", arguments: requestEncodings)
func requestEncoding(_ c: RequestEncoding) {
    #expect(encodeRequest(c.raw, framing: c.framing) == c.expected)
}

@Test func requestEncodingProtoAndIPv6Client() {
    let out = encodeRequest("GET / HTTP/1.1\r\nHost: h\r\n\r\n", client: "::1", proto: "https")
    #expect(out == "GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: ::1\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: h\r\n\r\n")
}

@Test func requestEncodingTooSmallReturnsNil() {
    let raw = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
    let full = encodeRequest(raw)!
    let needed = full.utf8.count
    #expect(encodeRequest(raw, capacity: needed) == full)
    // Every smaller buffer fails cleanly rather than truncating.
    for capacity in 0..<needed {
        #expect(encodeRequest(raw, capacity: capacity) == nil, "capacity \(capacity)")
    }
}

@Test func encodedRequestParses() {
    // What Turnout sends upstream must itself be a valid request with the same framing.
    for c in requestEncodings {
        guard let out = encodeRequest(c.raw, framing: c.framing) else { continue }
        let (result, head) = parseRequestOnce(bytes(out))
        #expect(result == .complete, "\(c.name)")
        let (_, original) = parseRequestOnce(bytes(c.raw))
        #expect(head.framing == (c.framing ?? original.framing), "\(c.name)")
        #expect(head.upgrade == original.upgrade, "\(c.name)")
    }
}
