import Testing
@testable import TurnoutHTTP

/// A chunked body that must decode, with its payload, trailers and what follows it.
struct ValidChunked: Sendable, CustomTestStringConvertible {
    var raw: [UInt8]
    var payload: String
    var trailers: String = ""
    /// Bytes after the body that belong to the next message.
    var after: Int = 0
    var testDescription: String { show(raw) }
    init(_ raw: String, _ payload: String, trailers: String = "", after: Int = 0) {
        self.raw = bytes(raw)
        self.payload = payload
        self.trailers = trailers
        self.after = after
    }
}

let validChunked: [ValidChunked] = [
    ValidChunked("0\r\n\r\n", ""),
    ValidChunked("5\r\nhello\r\n0\r\n\r\n", "hello"),
    ValidChunked("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world"),
    ValidChunked("A\r\n0123456789\r\na\r\nabcdefghij\r\n0\r\n\r\n", "0123456789abcdefghij"),
    ValidChunked("0005\r\nhello\r\n0000\r\n\r\n", "hello"),
    ValidChunked("5;ext=1\r\nhello\r\n6 ; a=\"b c\";d\r\n world\r\n0;last\r\n\r\n", "hello world"),
    ValidChunked("3\r\n\r\n\n\r\n0\r\n\r\n", "\r\n\n"),
    ValidChunked("0\r\nX-Checksum: abc\r\nX-Other:  v \r\n\r\n", "", trailers: "X-Checksum: abc\r\nX-Other:  v \r\n"),
    // Framing and hop-by-hop fields in trailers are validated, then dropped.
    ValidChunked("0\r\nContent-Length: 5\r\nX-A: 1\r\nTransfer-Encoding: chunked\r\nHost: evil\r\nConnection: close\r\n\r\n", "",
                 trailers: "X-A: 1\r\n"),
    ValidChunked("2\r\nok\r\n0\r\n\r\nGET / HTTP/1.1\r\n", "ok", after: 16),
    ValidChunked("2\r\nok\r\n0\r\nX: y\r\n\r\n0\r\n\r\n", "ok", trailers: "X: y\r\n", after: 5),
]

@Test("valid chunked bodies decode byte-exactly, at once and in every split", arguments: validChunked)
func validChunkedBody(_ c: ValidChunked) {
    let outcome = decodeChunkedEverySplit(c.raw)
    #expect(outcome.error == nil)
    #expect(String(decoding: outcome.payload, as: UTF8.self) == c.payload)
    #expect(String(decoding: outcome.trailers, as: UTF8.self) == c.trailers)
    #expect(outcome.endOffset == c.raw.count - c.after)
}

/// A chunked body that must be rejected, and the rule it breaks.
struct InvalidChunked: Sendable, CustomTestStringConvertible {
    var raw: [UInt8]
    var kind: HTTPError.Kind
    var testDescription: String { "\(kind): \(show(raw))" }
    init(_ raw: String, _ kind: HTTPError.Kind) {
        self.raw = bytes(raw)
        self.kind = kind
    }
}

let invalidChunked: [InvalidChunked] = [
    InvalidChunked("-1\r\n\r\n", .invalidChunkSize),
    InvalidChunked("+5\r\nhello\r\n0\r\n\r\n", .invalidChunkSize),
    InvalidChunked("0x10\r\n", .invalidChunkSize),
    InvalidChunked(" 10\r\n", .invalidChunkSize),
    InvalidChunked("10 \r\n", .invalidChunkSize),
    InvalidChunked("1 0\r\n", .invalidChunkSize),
    InvalidChunked("1_0\r\n", .invalidChunkSize),
    InvalidChunked("g\r\n", .invalidChunkSize),
    InvalidChunked("\r\n", .invalidChunkSize),
    InvalidChunked(";ext\r\n", .invalidChunkSize),
    InvalidChunked("10000000000000000\r\n", .invalidChunkSize),
    InvalidChunked("4000000000000001\r\n", .invalidChunkSize),
    InvalidChunked("ffffffffffffffffffff\r\n", .invalidChunkSize),
    InvalidChunked("\n", .bareLF),
    InvalidChunked("5\nhello\r\n", .bareLF),
    InvalidChunked("5;x\nhello\r\n", .bareLF),
    InvalidChunked("5\rhello\r\n", .bareCR),
    InvalidChunked("5;a\u{0}b\r\nhello\r\n", .invalidChunkFraming),
    InvalidChunked("5;a\u{7f}\r\nhello\r\n", .invalidChunkFraming),
    InvalidChunked("5\r\nhelloX\r\n", .invalidChunkFraming),
    InvalidChunked("5\r\nhello\n0\r\n\r\n", .bareLF),
    InvalidChunked("5\r\nhello\r0\r\n\r\n", .invalidChunkFraming),
    InvalidChunked("0\r\n\n", .bareLF),
    InvalidChunked("0\r\n\rX", .bareCR),
    InvalidChunked("0\r\nX: a\n\r\n", .bareLF),
    InvalidChunked("0\r\nX: a\r\n b\r\n\r\n", .obsFold),
    InvalidChunked("0\r\nX : a\r\n\r\n", .whitespaceBeforeColon),
    InvalidChunked("0\r\nX\u{0}: a\r\n\r\n", .invalidFieldName),
    InvalidChunked("0\r\nX: a\u{1}\r\n\r\n", .invalidFieldValue),
    InvalidChunked("0\r\nNoColon\r\n\r\n", .invalidFieldName),
]

@Test("invalid chunked bodies fail with the same error in every split", arguments: invalidChunked)
func invalidChunkedBody(_ c: InvalidChunked) {
    let outcome = decodeChunkedEverySplit(c.raw)
    #expect(outcome.error?.kind == c.kind)
    #expect(outcome.error?.status == 400)
}

@Test func chunkSizeCap() {
    // 2^62 itself is accepted (the data is simply not there yet).
    var decoder = ChunkedDecoder()
    let raw = bytes("4000000000000000\r\nabc")
    let step = raw.withUnsafeBytes { decoder.decode($0) }
    #expect(step == .data(18..<21))
}

@Test func lineLimit() {
    let atLimit = bytes("3;" + String(repeating: "x", count: 2) + "\r\nabc\r\n0\r\n\r\n")  // "3;xx\r" = 5 bytes
    #expect(decodeChunkedEverySplit(atLimit, maxLineBytes: 5).error == nil)
    let over = decodeChunkedEverySplit(atLimit, maxLineBytes: 4)
    #expect(over.error?.kind == .chunkLineTooLong)
    // An endless size line fails once over the limit, without its CRLF.
    let endless = bytes(String(repeating: "0", count: 5000))
    #expect(decodeChunked(endless, cuts: Array(stride(from: 100, to: 5000, by: 100))).error?.kind == .chunkLineTooLong)
}

@Test func trailerLimit() {
    let raw = bytes("0\r\nX-A: 1234\r\n\r\n")  // trailer section: 11 + 2 bytes
    #expect(decodeChunkedEverySplit(raw, maxTrailerBytes: 13).trailers == bytes("X-A: 1234\r\n"))
    #expect(decodeChunkedEverySplit(raw, maxTrailerBytes: 12).error?.kind == .trailersTooLarge)
    let endless = bytes("0\r\nX: " + String(repeating: "v", count: 100_000))
    let outcome = decodeChunked(endless, cuts: Array(stride(from: 10, to: 100_000, by: 1000)))
    #expect(outcome.error?.kind == .trailersTooLarge)
    #expect(outcome.error?.status == 431)
}

@Test func decoderReuse() {
    var decoder = ChunkedDecoder()
    let first = bytes("0\r\nX: 1\r\n\r\n")
    #expect(first.withUnsafeBytes { decoder.decode($0) } == .end(consumed: first.count))
    #expect(decoder.trailers == bytes("X: 1\r\n"))
    // After the end, further input is not part of this body.
    #expect(first.withUnsafeBytes { decoder.decode($0) } == .end(consumed: 0))
    decoder.reset()
    #expect(decoder.trailers.isEmpty)
    let second = bytes("1\r\nz\r\n0\r\n\r\n")
    #expect(second.withUnsafeBytes { decoder.decode($0) } == .data(3..<4))
    #expect(second.withUnsafeBytes { decoder.decode(UnsafeRawBufferPointer(rebasing: $0[4...])) } == .end(consumed: 7))
    #expect(decoder.trailers.isEmpty)
    // A failed decoder stays failed.
    decoder.reset()
    let bad = bytes("x")
    let failed = bad.withUnsafeBytes { decoder.decode($0) }
    #expect(failed == .failed(HTTPError(.invalidChunkSize)))
    #expect(second.withUnsafeBytes { decoder.decode($0) } == failed)
    #expect(decoder.decode(UnsafeRawBufferPointer(start: nil, count: 0)) == failed)
}

@Test func emptyWindow() {
    var decoder = ChunkedDecoder()
    #expect(decoder.decode(UnsafeRawBufferPointer(start: nil, count: 0)) == .needMore(consumed: 0))
}

/// A pseudo-random body (fixed seed) cut at pseudo-random points reassembles exactly.
@Test(arguments: 0..<20)
func randomBodies(_ seed: Int) {
    var rng = SplitMix(seed: UInt64(seed))
    var payload: [UInt8] = []
    var raw: [UInt8] = []
    for _ in 0..<Int(rng.next() % 20) {
        let size = Int(rng.next() % 300) + 1
        let chunk = (0..<size).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        payload += chunk
        raw += bytes(String(size, radix: 16, uppercase: rng.next() % 2 == 0))
        if rng.next() % 3 == 0 { raw += bytes(";n=v") }
        raw += bytes("\r\n") + chunk + bytes("\r\n")
    }
    raw += bytes("0\r\n\r\n")
    let cuts = (0..<Int(rng.next() % 40)).map { _ in Int(rng.next() % UInt64(raw.count)) }.sorted()
    let outcome = decodeChunked(raw, cuts: cuts)
    #expect(outcome.error == nil)
    #expect(outcome.payload == payload)
    #expect(outcome.endOffset == raw.count)
}

/// A small deterministic generator, so failures reproduce.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
