import Testing
@testable import TurnoutHTTP

/// Parses the response `raw` and encodes it for the client.
func encodeResponse(_ raw: String, method: HTTPMethod = .get, framing: ResponseFraming? = nil,
                    clientVersion: HTTPVersion = .http1_1, connection: ClientConnectionDirective = .keepAlive,
                    pool: (String, String)? = ("X-Turnout-Pool", "canary"), capacity: Int = 4096) -> String? {
    let input = bytes(raw)
    var parser = ResponseHeadParser(limits: HTTPLimits())
    var head = ResponseHead()
    guard input.withUnsafeBytes({ parser.parse($0, requestMethod: method, into: &head) }) == .complete else {
        return "parse failed"
    }
    let name = bytes(pool?.0 ?? "")
    let value = bytes(pool?.1 ?? "")
    var out = [UInt8](repeating: 0, count: capacity)
    let n = input.withUnsafeBytes { src in
        name.withUnsafeBytes { nameBuf in
            value.withUnsafeBytes { valueBuf in
                out.withUnsafeMutableBytes { dst in
                    ResponseHeadEncoder.encode(head, source: src, framing: framing ?? head.framing, clientVersion: clientVersion,
                                               connection: connection, poolHeaderName: pool == nil ? nil : nameBuf,
                                               poolName: pool == nil ? nil : valueBuf, into: dst)
                }
            }
        }
    }
    return n.map { String(decoding: out[..<$0], as: UTF8.self) }
}

@Test func responseKeepAliveWithPool() {
    let out = encodeResponse("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 10\r\nServer: s\r\n\r\n")
    #expect(out == "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nServer: s\r\nContent-Length: 10\r\nX-Turnout-Pool: canary\r\n\r\n")
}

@Test func responseHopByHopRemoved() {
    let raw = "HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Internal\r\nKeep-Alive: timeout=5\r\nX-Internal: secret\r\n"
        + "Proxy-Connection: x\r\nTE: t\r\nTrailer: X-T\r\nTransfer-Encoding: chunked\r\nUpgrade: h2c\r\nX-Kept: 1\r\n\r\n"
    #expect(encodeResponse(raw, pool: nil)
        == "HTTP/1.1 200 OK\r\nX-Kept: 1\r\nTransfer-Encoding: chunked\r\n\r\n")
}

@Test func responseUpstreamPoolHeaderIsReplaced() {
    let out = encodeResponse("HTTP/1.1 200 OK\r\nx-turnout-pool: blue\r\nContent-Length: 0\r\n\r\n")
    #expect(out == "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Turnout-Pool: canary\r\n\r\n")
}

@Test func responseCloseDirective() {
    let out = encodeResponse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", connection: .close, pool: nil)
    #expect(out == "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n")
}

@Test func responseToHTTP10Client() {
    let keep = encodeResponse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", clientVersion: .http1_0, pool: nil)
    #expect(keep == "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n")
    let close = encodeResponse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", clientVersion: .http1_0, connection: .close, pool: nil)
    #expect(close == "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n")
    // A chunked upstream body is sent close-delimited to a 1.0 client, which cannot read chunks.
    let closeDelimited = encodeResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", framing: .closeDelimited,
                                        clientVersion: .http1_0, connection: .close, pool: nil)
    #expect(closeDelimited == "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
}

@Test func responseUpgrade() {
    let raw = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: a\r\n\r\n"
    #expect(encodeResponse(raw, connection: .upgrade, pool: nil)
        == "HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: a\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n")
    // Not upgrading: Upgrade is hop-by-hop and dropped.
    #expect(encodeResponse("HTTP/1.1 200 OK\r\nUpgrade: h2c\r\nContent-Length: 0\r\n\r\n", pool: nil)
        == "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
}

@Test func responseFramingForClient() {
    // Re-chunking a close-delimited body for a 1.1 client.
    #expect(encodeResponse("HTTP/1.0 200 OK\r\nX: 1\r\n\r\n", framing: .chunked, pool: nil)
        == "HTTP/1.1 200 OK\r\nX: 1\r\nTransfer-Encoding: chunked\r\n\r\n")
    // HEAD and 304 keep the representation's Content-Length; 204 and 1xx never carry one.
    #expect(encodeResponse("HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n", method: .head, pool: nil)
        == "HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n")
    #expect(encodeResponse("HTTP/1.1 304 Not Modified\r\nContent-Length: 42\r\nETag: \"e\"\r\n\r\n", pool: nil)
        == "HTTP/1.1 304 Not Modified\r\nETag: \"e\"\r\nContent-Length: 42\r\n\r\n")
    #expect(encodeResponse("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n", pool: nil)
        == "HTTP/1.1 204 No Content\r\n\r\n")
    #expect(encodeResponse("HTTP/1.1 100 Continue\r\n\r\n", pool: nil) == "HTTP/1.1 100 Continue\r\n\r\n")
    // Empty reason phrase stays empty.
    #expect(encodeResponse("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", pool: nil) == "HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n")
}

@Test func responseEncodingTooSmallReturnsNil() {
    let raw = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n"
    let full = encodeResponse(raw)!
    let needed = full.utf8.count
    #expect(encodeResponse(raw, capacity: needed) == full)
    for capacity in 0..<needed {
        #expect(encodeResponse(raw, capacity: capacity) == nil, "capacity \(capacity)")
    }
}
