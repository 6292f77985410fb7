import Testing
@testable import TurnoutHTTP

/// A request head that must be rejected, with the status and the rule it breaks.
struct InvalidRequest: Sendable, CustomTestStringConvertible {
    var raw: [UInt8]
    var status: Int
    var kind: HTTPError.Kind
    var testDescription: String { "\(status) \(kind): \(show(raw))" }

    init(_ raw: [UInt8], _ status: Int, _ kind: HTTPError.Kind) {
        self.raw = raw
        self.status = status
        self.kind = kind
    }

    init(_ raw: String, _ status: Int, _ kind: HTTPError.Kind) {
        self.init(bytes(raw), status, kind)
    }

    /// `POST / HTTP/1.1`, `Host: a`, then `fields` (each ending in CRLF), then the final CRLF.
    static func fields(_ fields: String, _ status: Int, _ kind: HTTPError.Kind) -> InvalidRequest {
        InvalidRequest("POST / HTTP/1.1\r\nHost: a\r\n\(fields)\r\n", status, kind)
    }

    /// A request line with `Host: a`.
    static func line(_ line: String, _ status: Int, _ kind: HTTPError.Kind) -> InvalidRequest {
        InvalidRequest("\(line)\r\nHost: a\r\n\r\n", status, kind)
    }
}

let invalidRequests: [InvalidRequest] = [
    // Host (RFC 9112 §3.2).
    InvalidRequest("GET / HTTP/1.1\r\n\r\n", 400, .missingHost),
    InvalidRequest("GET / HTTP/1.1\r\nX-Host: a\r\n\r\n", 400, .missingHost),
    .fields("Host: b\r\n", 400, .multipleHost),
    InvalidRequest("GET / HTTP/1.0\r\nHost: a\r\nhost: a\r\n\r\n", 400, .multipleHost),
    InvalidRequest("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400, .invalidHost),
    InvalidRequest("GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", 400, .invalidHost),
    InvalidRequest("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, .invalidHost),
    InvalidRequest("GET / HTTP/1.1\r\nHost: a\"\r\n\r\n", 400, .invalidHost),

    // Content-Length (RFC 9110 §8.6, RFC 9112 §6.3).
    .fields("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", 400, .contentLengthWithTransferEncoding),
    .fields("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", 400, .contentLengthWithTransferEncoding),
    .fields("Content-Length: 5, 6\r\n", 400, .conflictingContentLength),
    .fields("Content-Length: 5\r\nContent-Length: 6\r\n", 400, .conflictingContentLength),
    .fields("Content-Length: 0\r\nContent-Length: 5\r\n", 400, .conflictingContentLength),
    .fields("Content-Length: +5\r\n", 400, .invalidContentLength),
    .fields("Content-Length: -1\r\n", 400, .invalidContentLength),
    .fields("Content-Length: 5 5\r\n", 400, .invalidContentLength),
    .fields("Content-Length: 0x5\r\n", 400, .invalidContentLength),
    .fields("Content-Length:\r\n", 400, .invalidContentLength),
    .fields("Content-Length:  \r\n", 400, .invalidContentLength),
    .fields("Content-Length: 9223372036854775808\r\n", 400, .invalidContentLength),
    .fields("Content-Length: 99999999999999999999999999\r\n", 400, .invalidContentLength),
    .fields("Content-Length: 5,\r\n", 400, .invalidContentLength),
    .fields("Content-Length: ,5\r\n", 400, .invalidContentLength),
    .fields("Content-Length: 5;\r\n", 400, .invalidContentLength),
    .fields("Content-Length: 1e3\r\n", 400, .invalidContentLength),
    .fields("Content-Length: 5.0\r\n", 400, .invalidContentLength),
    .fields("Content-Length: \"5\"\r\n", 400, .invalidContentLength),
    .fields("Content-Length: ５\r\n", 400, .invalidContentLength),

    // Transfer-Encoding (RFC 9112 §6.1, §6.3): chunked must be the one final coding.
    .fields("Transfer-Encoding: gzip, chunked\r\n", 501, .unsupportedTransferCoding),
    .fields("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", 501, .unsupportedTransferCoding),
    .fields("Transfer-Encoding: identity\r\n", 501, .unsupportedTransferCoding),
    .fields("Transfer-Encoding: gzip\r\n", 501, .unsupportedTransferCoding),
    .fields("Transfer-Encoding: xchunked\r\n", 501, .unsupportedTransferCoding),
    .fields("Transfer-Encoding: chunkedx\r\n", 501, .unsupportedTransferCoding),
    .fields("Transfer-Encoding: chunked, gzip\r\n", 400, .invalidTransferEncoding),
    .fields("Transfer-Encoding: chunked, identity\r\n", 400, .invalidTransferEncoding),
    .fields("Transfer-Encoding: chunked, chunked\r\n", 400, .invalidTransferEncoding),
    .fields("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", 400, .invalidTransferEncoding),
    .fields("Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n", 400, .invalidTransferEncoding),
    .fields("Transfer-Encoding: chunked,\r\n", 400, .invalidTransferEncoding),
    .fields("Transfer-Encoding: , chunked\r\n", 400, .invalidTransferEncoding),
    .fields("Transfer-Encoding:\r\n", 400, .invalidTransferEncoding),
    .fields("Transfer-Encoding: chunked;q=1\r\n", 400, .invalidTransferEncoding),
    .fields("Transfer-Encoding: \"chunked\"\r\n", 400, .invalidTransferEncoding),
    .fields("Transfer-Encoding: chun ked\r\n", 400, .invalidTransferEncoding),
    InvalidRequest("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, .transferEncodingInHTTP10),

    // Field lines (RFC 9112 §5).
    .fields("X-A: b\r\n c\r\n", 400, .obsFold),
    .fields("X-A: b\r\n\tc\r\n", 400, .obsFold),
    InvalidRequest("GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400, .obsFold),
    .fields("X-A : b\r\n", 400, .whitespaceBeforeColon),
    .fields("X-A\t: b\r\n", 400, .whitespaceBeforeColon),
    .fields("X A: b\r\n", 400, .invalidFieldName),
    .fields(": b\r\n", 400, .invalidFieldName),
    .fields("NoColon\r\n", 400, .invalidFieldName),
    .fields("X(A): b\r\n", 400, .invalidFieldName),
    .fields("X@A: b\r\n", 400, .invalidFieldName),
    .fields("X\"A: b\r\n", 400, .invalidFieldName),
    .fields("X/A: b\r\n", 400, .invalidFieldName),
    .fields("X\u{0}A: b\r\n", 400, .invalidFieldName),
    .fields("X\u{7f}A: b\r\n", 400, .invalidFieldName),
    .fields("Xé: b\r\n", 400, .invalidFieldName),
    .fields("X-A: b\u{0}c\r\n", 400, .invalidFieldValue),
    .fields("X-A: \u{1}\r\n", 400, .invalidFieldValue),
    .fields("X-A: b\u{7f}\r\n", 400, .invalidFieldValue),
    .fields("X-A: b\u{0b}c\r\n", 400, .invalidFieldValue),
    .fields("X-A: b\u{0c}c\r\n", 400, .invalidFieldValue),
    .fields("X-A: b\u{1b}c\r\n", 400, .invalidFieldValue),
    .fields("X-A: b\rc\r\n", 400, .bareCR),
    .fields("X-A: b\r\r\n", 400, .bareCR),
    .fields("Connection: a b\r\n", 400, .invalidConnection),
    .fields("Connection: close;x\r\n", 400, .invalidConnection),
    .fields("Expect: 200-ok\r\n", 417, .unsupportedExpectation),
    .fields("Expect: 100-continue, foo\r\n", 417, .unsupportedExpectation),

    // Line endings: CRLF only.
    InvalidRequest("GET / HTTP/1.1\nHost: a\n\n", 400, .bareLF),
    InvalidRequest("GET / HTTP/1.1\r\nHost: a\n\r\n", 400, .bareLF),
    InvalidRequest("GET / HTTP/1.1\r\nHost: a\r\n\n", 400, .bareLF),
    InvalidRequest("\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400, .bareLF),
    InvalidRequest("GET / HTTP/1.1\r\nHost: a\r\nX: 1\n\r\n", 400, .bareLF),
    InvalidRequest("GET / HTTP/1.1\r\r\nHost: a\r\n\r\n", 400, .invalidVersion),

    // Request line (RFC 9112 §3).
    .line("GET  / HTTP/1.1", 400, .invalidRequestLine),
    .line("GET /  HTTP/1.1", 400, .invalidRequestLine),
    .line("GET / HTTP/1.1 ", 400, .invalidRequestLine),
    .line(" GET / HTTP/1.1", 400, .invalidRequestLine),
    .line("GET /", 400, .invalidRequestLine),
    .line("GET", 400, .invalidRequestLine),
    .line("GET\t/\tHTTP/1.1", 400, .invalidRequestLine),
    .line("GET /a b HTTP/1.1", 400, .invalidRequestLine),
    .line("G(T / HTTP/1.1", 400, .invalidMethod),
    .line("GE\u{0}T / HTTP/1.1", 400, .invalidMethod),
    .line("GET\u{7f} / HTTP/1.1", 400, .invalidMethod),
    .line("GET /a\u{1}b HTTP/1.1", 400, .invalidTarget),
    .line("GET /a\tb HTTP/1.1", 400, .invalidTarget),
    .line("GET /\u{7f} HTTP/1.1", 400, .invalidTarget),
    .line("GET /é HTTP/1.1", 400, .invalidTarget),
    .line("GET a/b HTTP/1.1", 400, .invalidTarget),
    .line("GET * HTTP/1.1", 400, .invalidTarget),
    .line("GET example.com:80 HTTP/1.1", 400, .invalidTarget),
    .line("CONNECT /x HTTP/1.1", 400, .invalidTarget),
    .line("CONNECT example.com HTTP/1.1", 400, .invalidTarget),
    .line("CONNECT :443 HTTP/1.1", 400, .invalidTarget),
    .line("CONNECT http://a:443/ HTTP/1.1", 400, .invalidTarget),
    .line("GET ftp://x/ HTTP/1.1", 400, .invalidTarget),
    .line("GET http://user@host/ HTTP/1.1", 400, .invalidTarget),
    .line("GET http:///path HTTP/1.1", 400, .invalidTarget),
    .line("GET http:/x HTTP/1.1", 400, .invalidTarget),
    .line("GET http: HTTP/1.1", 400, .invalidTarget),
    InvalidRequest("GET //x HTTP/1.1\r\n\r\n", 400, .missingHost),
    .line("GET / HTTP/2.0", 505, .unsupportedVersion),
    .line("GET / HTTP/3.1", 505, .unsupportedVersion),
    .line("GET / HTTP/2.1", 505, .unsupportedVersion),
    .line("GET / HTTP/0.9", 505, .unsupportedVersion),
    .line("GET / HTTP/3.0", 505, .unsupportedVersion),
    .line("GET / HTTP/1.x", 400, .invalidVersion),
    .line("GET / http/1.1", 400, .invalidVersion),
    .line("GET / HTTP/1.10", 400, .invalidVersion),
    .line("GET / HTTP/11", 400, .invalidVersion),
    .line("GET / HTTP/1", 400, .invalidVersion),
    .line("GET / HTTP/2", 400, .invalidVersion),
    .line("GET / HTTPS/1.1", 400, .invalidVersion),
    .line("GET / HTTP/1,1", 400, .invalidVersion),
    .line("GET / HTTP/1.1\u{0}", 400, .invalidVersion),
]

@Test("invalid requests are rejected with the right status, at once and fed byte by byte", arguments: invalidRequests)
func invalidRequest(_ c: InvalidRequest) {
    let (result, _) = parseRequestEverySplit(c.raw)
    #expect(status(result) == c.status)
    #expect(kind(result) == c.kind)
}
