import Testing
@testable import TurnoutHTTP

/// One request-smuggling probe: raw bytes as an attacker sends them and the status Turnout must
/// answer (200 = accepted, with the body framed exactly one way). Shapes from PortSwigger's
/// "HTTP request smuggling" research, HAProxy's reg-tests/http-messaging, Envoy and Node/llhttp
/// advisories, and RFC 9112 §6.3 / §11.2.
struct SmugglingProbe: Sendable, CustomTestStringConvertible {
    var name: String
    var raw: [UInt8]
    var status: Int
    var testDescription: String { "\(name) → \(status)" }

    init(_ name: String, _ raw: String, _ status: Int) {
        self.name = name
        self.raw = bytes(raw)
        self.status = status
    }

    init(_ name: String, _ raw: [UInt8], _ status: Int) {
        self.name = name
        self.raw = raw
        self.status = status
    }
}

private let post = "POST / HTTP/1.1\r\nHost: a\r\n"

let smugglingCorpus: [SmugglingProbe] = [
    // CL.TE and TE.CL: both framings present.
    SmugglingProbe("CL.TE", post + "Content-Length: 13\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nSMUGGLED", 400),
    SmugglingProbe("TE.CL", post + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n", 400),
    SmugglingProbe("CL.TE, lowercase names", post + "content-length: 4\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    SmugglingProbe("CL 0 with TE", post + "Content-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    // Duplicate and malformed Content-Length.
    SmugglingProbe("CL.CL differing", post + "Content-Length: 0\r\nContent-Length: 44\r\n\r\n", 400),
    SmugglingProbe("CL list differing", post + "Content-Length: 44, 0\r\n\r\n", 400),
    SmugglingProbe("CL identical duplicates", post + "Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc", 200),
    SmugglingProbe("CL identical list", post + "Content-Length: 3,3\r\n\r\nabc", 200),
    SmugglingProbe("CL plus sign", post + "Content-Length: +3\r\n\r\nabc", 400),
    SmugglingProbe("CL negative", post + "Content-Length: -1\r\n\r\n", 400),
    SmugglingProbe("CL inner space", post + "Content-Length: 1 3\r\n\r\nabc", 400),
    SmugglingProbe("CL hex", post + "Content-Length: 0x3\r\n\r\nabc", 400),
    SmugglingProbe("CL empty", post + "Content-Length: \r\n\r\n", 400),
    SmugglingProbe("CL overflow to 0 (2^64)", post + "Content-Length: 18446744073709551616\r\n\r\n", 400),
    SmugglingProbe("CL overflow (2^63)", post + "Content-Length: 9223372036854775808\r\n\r\n", 400),
    SmugglingProbe("CL with NUL", post + "Content-Length: 3\u{0}\r\n\r\nabc", 400),
    SmugglingProbe("CL with VT", post + "Content-Length:\u{0b}3\r\n\r\nabc", 400),
    SmugglingProbe("CL wide OWS is fine", post + "Content-Length: \t 3 \t\r\n\r\nabc", 200),
    SmugglingProbe("CL obs-fold", post + "Content-Length:\r\n 3\r\n\r\nabc", 400),
    SmugglingProbe("CL space before colon", post + "Content-Length : 3\r\n\r\nabc", 400),
    // HAProxy CVE-2021-40346: a name longer than 255 must not alias Content-Length.
    SmugglingProbe("long name aliasing CL", post + "Content-Length" + String(repeating: "a", count: 256) + ": 40\r\nContent-Length: 0\r\n\r\n", 200),
    // TE.TE obfuscation (PortSwigger).
    SmugglingProbe("TE xchunked", post + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 501),
    SmugglingProbe("TE chunkedx", post + "Transfer-Encoding: chunked-false\r\n\r\n0\r\n\r\n", 501),
    SmugglingProbe("TE trailing space is OWS", post + "Transfer-Encoding: chunked \r\n\r\n0\r\n\r\n", 200),
    SmugglingProbe("TE tab before value is OWS", post + "Transfer-Encoding:\tchunked\r\n\r\n0\r\n\r\n", 200),
    SmugglingProbe("TE no space after colon", post + "Transfer-Encoding:chunked\r\n\r\n0\r\n\r\n", 200),
    SmugglingProbe("TE mixed case", post + "Transfer-Encoding: cHuNkEd\r\n\r\n0\r\n\r\n", 200),
    SmugglingProbe("TE space before colon", post + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n", 400),
    SmugglingProbe("TE tab before colon", post + "Transfer-Encoding\t: chunked\r\n\r\n0\r\n\r\n", 400),
    SmugglingProbe("TE obs-fold", post + "Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n", 400),
    SmugglingProbe("TE obs-fold continuation", post + "X: y\r\n Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    SmugglingProbe("TE leading space on line", post + " Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    SmugglingProbe("TE after bare LF", post + "X: y\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    SmugglingProbe("TE name split by LF", post + "Transfer-Encoding\n: chunked\r\n\r\n0\r\n\r\n", 400),
    SmugglingProbe("TE value with VT (HAProxy CVE-2019-18277)", post + "Transfer-Encoding: \u{0b}chunked\r\n\r\n0\r\n\r\n", 400),
    SmugglingProbe("TE value with FF", post + "Transfer-Encoding: \u{0c}chunked\r\n\r\n0\r\n\r\n", 400),
    SmugglingProbe("TE value with NUL", post + "Transfer-Encoding: chunked\u{0}\r\n\r\n0\r\n\r\n", 400),
    SmugglingProbe("TE value with CR", post + "Transfer-Encoding: chunked\r\r\n\r\n0\r\n\r\n", 400),
    SmugglingProbe("TE name with NUL", post + "Transfer-Encoding\u{0}: chunked\r\n\r\n0\r\n\r\n", 400),
    SmugglingProbe("TE quoted", post + "Transfer-Encoding: \"chunked\"\r\n\r\n0\r\n\r\n", 400),
    SmugglingProbe("TE identity", post + "Transfer-Encoding: identity\r\nContent-Length: 3\r\n\r\nabc", 400),
    SmugglingProbe("TE identity alone", post + "Transfer-Encoding: identity\r\n\r\n", 501),
    SmugglingProbe("TE chunked, gzip", post + "Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", 400),
    SmugglingProbe("TE gzip, chunked", post + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501),
    SmugglingProbe("TE chunked, chunked", post + "Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", 400),
    SmugglingProbe("TE chunked, identity (Envoy)", post + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", 400),
    SmugglingProbe("TE chunked then cow (PortSwigger)", post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: cow\r\n\r\n0\r\n\r\n", 400),
    SmugglingProbe("TE x then chunked", post + "Transfer-Encoding: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 501),
    SmugglingProbe("TE with parameters", post + "Transfer-Encoding: chunked;x=1\r\n\r\n0\r\n\r\n", 400),
    SmugglingProbe("TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    SmugglingProbe("Transfer_Encoding is just another field", post + "Transfer_Encoding: chunked\r\nContent-Length: 3\r\n\r\nabc", 200),
    // Line endings and control characters.
    SmugglingProbe("bare LF line endings", "POST / HTTP/1.1\nHost: a\nContent-Length: 3\n\nabc", 400),
    SmugglingProbe("bare CR line endings", "POST / HTTP/1.1\rHost: a\rContent-Length: 3\r\r\n\r\nabc", 400),
    SmugglingProbe("CR in the middle of a field", post + "X: a\rContent-Length: 3\r\n\r\nabc", 400),
    SmugglingProbe("NUL in a name", post + "X\u{0}Y: 1\r\n\r\n", 400),
    SmugglingProbe("DEL in a value", post + "X: \u{7f}\r\n\r\n", 400),
    SmugglingProbe("ESC in a value", post + "X: a\u{1b}[0m\r\n\r\n", 400),
    SmugglingProbe("space in the target", "GET /a HTTP/1.1 HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    SmugglingProbe("tab in the target", "GET /a\tHTTP/1.1\r\nHost: a\r\n\r\n", 400),
    SmugglingProbe("NUL in the target", "GET /a\u{0}b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    SmugglingProbe("two Host fields", "GET / HTTP/1.1\r\nHost: a\r\nHost: evil\r\n\r\n", 400),
    SmugglingProbe("Host with path", "GET / HTTP/1.1\r\nHost: a/evil\r\n\r\n", 400),
    SmugglingProbe("absolute target with userinfo", "GET http://a@evil/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    SmugglingProbe("HTTP/0.9 style", "GET /\r\n\r\n", 400),
    SmugglingProbe("unknown major version", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
    SmugglingProbe("higher minor version, read as 1.1", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 200),
    // Limits.
    SmugglingProbe("request line over 8 KiB", "GET /" + String(repeating: "a", count: 8192) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414),
    SmugglingProbe("head over 32 KiB", post + String(repeating: "X-Pad: " + String(repeating: "p", count: 1000) + "\r\n", count: 33) + "\r\n", 431),
    SmugglingProbe("129 fields", post + String(repeating: "X: 1\r\n", count: 128) + "\r\n", 431),
    // Chunked bodies (RFC 9112 §7.1).
    SmugglingProbe("chunk size -1", post + "Transfer-Encoding: chunked\r\n\r\n-1\r\n\r\n", 400),
    SmugglingProbe("chunk size 0x10", post + "Transfer-Encoding: chunked\r\n\r\n0x10\r\n0123456789abcdef\r\n0\r\n\r\n", 400),
    SmugglingProbe("chunk size +5", post + "Transfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n0\r\n\r\n", 400),
    SmugglingProbe("chunk size leading space", post + "Transfer-Encoding: chunked\r\n\r\n 10\r\n0123456789abcdef\r\n0\r\n\r\n", 400),
    SmugglingProbe("chunk size trailing space", post + "Transfer-Encoding: chunked\r\n\r\n10 \r\n0123456789abcdef\r\n0\r\n\r\n", 400),
    SmugglingProbe("chunk size BWS before extension", post + "Transfer-Encoding: chunked\r\n\r\n10 ;a=b\r\n0123456789abcdef\r\n0\r\n\r\n", 200),
    SmugglingProbe("chunk size overflowing 64 bits", post + "Transfer-Encoding: chunked\r\n\r\n1" + String(repeating: "0", count: 16) + "1\r\nx\r\n0\r\n\r\n", 400),
    SmugglingProbe("chunk size FFFFFFFFFFFFFFFF", post + "Transfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nx\r\n0\r\n\r\n", 400),
    SmugglingProbe("chunk size 2^62 + 1", post + "Transfer-Encoding: chunked\r\n\r\n4000000000000001\r\nx\r\n", 400),
    SmugglingProbe("chunk size underscore", post + "Transfer-Encoding: chunked\r\n\r\n1_0\r\n0123456789abcdef\r\n0\r\n\r\n", 400),
    SmugglingProbe("empty chunk size line", post + "Transfer-Encoding: chunked\r\n\r\n\r\n0\r\n\r\n", 400),
    SmugglingProbe("missing CRLF after data", post + "Transfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n", 400),
    SmugglingProbe("too much data for the size", post + "Transfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n", 400),
    SmugglingProbe("bare LF after data", post + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\n0\r\n\r\n", 400),
    SmugglingProbe("bare CR after data", post + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r0\r\n\r\n", 400),
    SmugglingProbe("bare LF after size", post + "Transfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n", 400),
    SmugglingProbe("bare LF ending the body", post + "Transfer-Encoding: chunked\r\n\r\n0\r\n\n", 400),
    SmugglingProbe("bare LF in extension", post + "Transfer-Encoding: chunked\r\n\r\n3;a\nabc\r\n0\r\n\r\n", 400),
    SmugglingProbe("NUL in extension", post + "Transfer-Encoding: chunked\r\n\r\n3;a\u{0}\r\nabc\r\n0\r\n\r\n", 400),
    SmugglingProbe("chunk extension too long", post + "Transfer-Encoding: chunked\r\n\r\n3;" + String(repeating: "x", count: 5000) + "\r\nabc\r\n0\r\n\r\n", 400),
    SmugglingProbe("obs-fold in trailer", post + "Transfer-Encoding: chunked\r\n\r\n0\r\nX: a\r\n b\r\n\r\n", 400),
    SmugglingProbe("space before colon in trailer", post + "Transfer-Encoding: chunked\r\n\r\n0\r\nX : a\r\n\r\n", 400),
    SmugglingProbe("Content-Length in trailer is dropped", post + "Transfer-Encoding: chunked\r\n\r\n0\r\nContent-Length: 5\r\n\r\n", 200),
    SmugglingProbe("valid chunked with extension and trailer", post + "Transfer-Encoding: chunked\r\n\r\n3;name=\"v a\"\r\nabc\r\n0\r\nX-T: 1\r\n\r\n", 200),
]

@Test("request smuggling corpus", arguments: smugglingCorpus)
func smugglingProbe(_ probe: SmugglingProbe) {
    let (result, head) = parseRequestEverySplit(probe.raw)
    var got = status(result)
    if result == .complete, head.framing == .chunked {
        let body = Array(probe.raw[head.headLength...])
        let outcome = decodeChunkedEverySplit(body)
        if let e = outcome.error {
            got = e.status
        } else if outcome.endOffset == nil {
            got = 0  // incomplete: the body would hang, which is not what the probe expects
        }
    } else if result == .complete, case .contentLength(let n) = head.framing {
        #expect(probe.raw.count - head.headLength == Int(n), "probe body does not match its Content-Length")
    }
    #expect(got == probe.status, "\(probe.name): got \(got)")
}
