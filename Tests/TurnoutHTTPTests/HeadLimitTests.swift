import Testing
@testable import TurnoutHTTP

/// The head limits hold while the head is still arriving, and exactly at their bounds.
struct HeadLimitTests {
    let limits = HTTPLimits(maxHeadBytes: 200, maxRequestLineBytes: 40, maxHeaderCount: 4)

    /// `GET /aaa… HTTP/1.1` with a request line of exactly `length` bytes.
    func requestLine(length: Int) -> String {
        "GET /" + String(repeating: "a", count: length - 14) + " HTTP/1.1"
    }

    @Test func requestLineAtTheLimitIsAccepted() {
        let line = requestLine(length: 40)
        #expect(line.utf8.count == 40)
        let (r, _) = parseRequestEverySplit(bytes(line + "\r\nHost: a\r\n\r\n"), limits: limits)
        #expect(r == .complete)
    }

    @Test func requestLineOverTheLimitIs414() {
        let (r, _) = parseRequestEverySplit(bytes(requestLine(length: 41) + "\r\nHost: a\r\n\r\n"), limits: limits)
        #expect(status(r) == 414)
    }

    @Test func longRequestLineFailsBeforeItsCRLF() {
        // 100 bytes of a request line and no CRLF yet: already known to be too long.
        let partial = bytes("GET /" + String(repeating: "a", count: 95))
        let (r, _) = parseRequestOnce(partial, limits: limits)
        #expect(status(r) == 414)
        // Defaults: a client streaming an endless URI fails at 8 KiB + 2, not at 32 KiB.
        let endless = bytes("GET /" + String(repeating: "a", count: 8192))
        #expect(status(parseRequestOnce(endless).0) == 414)
        #expect(parseRequestOnce(Array(endless.prefix(8193))).0 == .needMore)
    }

    @Test func headAtTheLimitIsAccepted() {
        var raw = bytes("GET / HTTP/1.1\r\nHost: a\r\nX: ")
        raw += Array(repeating: UInt8(ascii: "v"), count: 200 - raw.count - 4) + bytes("\r\n\r\n")
        #expect(raw.count == 200)
        #expect(parseRequestEverySplit(raw, limits: limits).0 == .complete)
        raw.insert(UInt8(ascii: "v"), at: 30)
        #expect(status(parseRequestEverySplit(raw, limits: limits).0) == 431)
    }

    @Test func endlessHeaderFailsOnceOverTheLimit() {
        var parser = RequestHeadParser(limits: limits)
        var head = RequestHead()
        var raw = bytes("GET / HTTP/1.1\r\nHost: a\r\nX-Endless: ")
        var result = HeadParseResult.needMore
        var rounds = 0
        // Feed one byte at a time, as a slowloris client would; bounded by 10× the limit.
        while result == .needMore && rounds < 2000 {
            raw.append(UInt8(ascii: "z"))
            result = raw.withUnsafeBytes { parser.parse($0, into: &head) }
            rounds += 1
        }
        #expect(status(result) == 431)
        #expect(raw.count == 200, "failed at \(raw.count) bytes")
    }

    @Test func endlessEmptyLinesFailOnceOverTheLimit() {
        let raw: [UInt8] = (0..<202).map { $0 % 2 == 0 ? 0x0D : 0x0A }
        #expect(status(parseRequestEverySplit(raw, limits: limits).0) == 431)
    }

    @Test func fieldCountLimit() {
        let four = "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"
        #expect(parseRequestEverySplit(bytes(four), limits: limits).0 == .complete)
        let five = "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n"
        let (r, _) = parseRequestEverySplit(bytes(five), limits: limits)
        #expect(status(r) == 431)
        #expect(kind(r) == .tooManyFields)
    }

    /// Whichever limit a growing line crosses first decides the status, whatever the split.
    @Test(arguments: [
        (HTTPLimits(maxHeadBytes: 30, maxRequestLineBytes: 100, maxHeaderCount: 10), 431),
        (HTTPLimits(maxHeadBytes: 100, maxRequestLineBytes: 20, maxHeaderCount: 10), 414),
        // The request line starts after a 2-byte empty line: 23 content bytes cross the line
        // limit, and its LF at offset 26 crosses a head limit of 25.
        (HTTPLimits(maxHeadBytes: 27, maxRequestLineBytes: 22, maxHeaderCount: 10), 414),
        (HTTPLimits(maxHeadBytes: 26, maxRequestLineBytes: 22, maxHeaderCount: 10), 414),
        (HTTPLimits(maxHeadBytes: 25, maxRequestLineBytes: 22, maxHeaderCount: 10), 431),
    ])
    func competingLimits(_ limits: HTTPLimits, _ expected: Int) {
        let raw = bytes("\r\nGET /" + String(repeating: "b", count: 60) + " HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(status(parseRequestEverySplit(raw, limits: limits).0) == expected)
    }
}
