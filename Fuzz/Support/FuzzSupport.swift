// Helpers shared by Turnout's fuzz targets. Fuzz/run.sh compiles this file, the TurnoutHTTP
// sources and one target's main.swift into a single module, so no import is needed; the
// conditional import only serves editors that index the file on its own.
#if canImport(TurnoutHTTP)
import TurnoutHTTP
#endif

/// Runs `body` on a copy of `bytes` in a heap block of exactly that size. Slicing the fuzzer's
/// input would leave real bytes after each window, and AddressSanitizer only reports a read past
/// the end of an allocation; the copy makes every read past a window a reported error.
func withExactCopy<R>(_ bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
    defer { copy.deallocate() }
    if bytes.count > 0 { copy.copyMemory(from: bytes) }
    return body(UnsafeRawBufferPointer(copy))
}

/// Runs `body` on an uninitialised block of exactly `count` bytes, so an encoder that writes past
/// the capacity it was given is reported by AddressSanitizer instead of corrupting a neighbour.
func withExactOutput<R>(_ count: Int, _ body: (UnsafeMutableRawBufferPointer) -> R) -> R {
    let out = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 1)
    defer { out.deallocate() }
    return body(out)
}

/// A cheap, stable hash of the input (FNV-1a). Cut points and options are derived from it rather
/// than from leading bytes, so every input byte stays HTTP and seed files stay plain messages.
func inputHash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    return h
}

/// Three cut points in `0...count` taken from `hash`, ascending, followed by `count`: the ends of
/// the windows a stream split into four reads would deliver.
func hashedCuts(_ hash: UInt64, count: Int) -> [Int] {
    let n = UInt64(count) &+ 1
    var cuts = [Int(hash % n), Int((hash >> 21) % n), Int((hash >> 42) % n)]
    cuts.sort()
    cuts.append(count)
    return cuts
}

/// Whether `range` lies inside `0..<limit`; every offset a parser reports must, or a caller would
/// read bytes outside the head.
func within(_ range: Range<Int>?, _ limit: Int) -> Bool {
    guard let range else { return true }
    return range.lowerBound >= 0 && range.upperBound <= limit
}

/// Checks the result of parsing the first `k` bytes against the result `once` of parsing the
/// whole input, whose head (if complete) is `headLength` bytes. The parsers' contract: a prefix
/// that ends before the head does needs more; one that holds the whole head is complete; a
/// failure may come before the whole input is seen (a limit crossed by a partial line), but
/// with the same error. Fed byte by byte, the first complete prefix is then exactly the head.
func checkPrefix(_ r: HeadParseResult, against once: HeadParseResult, k: Int, headLength: Int) {
    switch (r, once) {
    case (.needMore, .complete):
        invariant(k < headLength, "still needs more after \(k) bytes, but the head is \(headLength)")
    case (.needMore, _):
        break
    case (.complete, .complete):
        invariant(k >= headLength, "complete after \(k) bytes, but the head is \(headLength)")
    case (.failed(let a), .failed(let b)):
        invariant(a == b, "a prefix of \(k) bytes failed with \(a) (\(a.kind)), the whole input with \(b) (\(b.kind))")
    default:
        invariant(false, "a prefix of \(k) bytes gave \(r), the whole input \(once)")
    }
}

/// Stops the process with `message` when `condition` is false. `precondition` would stop it too,
/// but in -O builds it drops the message; `fatalError` keeps it, so the fuzzer's crash report
/// says which invariant broke.
@inline(__always)
func invariant(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line) {
    if !condition { fatalError("invariant broken: " + message(), file: file, line: line) }
}

/// What a chunked body decoded to, for comparing one stream fed in different pieces.
struct ChunkedOutcome: Equatable {
    /// The payload bytes, in order.
    var body: [UInt8] = []
    /// The stream offset just past the body (the last chunk and trailers); nil if it never ended.
    var end: Int? = nil
    /// The error the body failed with, if any.
    var error: HTTPError? = nil
    /// The trailer bytes the decoder kept for forwarding.
    var trailers: [UInt8] = []
}

/// Small decoder limits, so the fuzzer crosses them with short inputs.
func fuzzChunkedDecoder() -> ChunkedDecoder {
    ChunkedDecoder(maxLineBytes: 24, maxTrailerBytes: 96)
}

/// Decodes `stream` as it would arrive in reads ending at each offset of `cuts` (ascending, the
/// last being `stream.count`), the way the proxy drives `ChunkedDecoder`: after each read, call
/// `decode` on the unconsumed bytes until they are used up or the body ends or fails.
///
/// Checks the decoder's progress contract on every call: a non-empty `.data` range inside the
/// window, `.needMore` consuming the whole window, `.end` consuming at least the final LF and no
/// more than the window; so the number of calls is bounded by the stream's length.
func decodeChunked(_ stream: UnsafeRawBufferPointer, cuts: [Int], decoder: inout ChunkedDecoder) -> ChunkedOutcome {
    var outcome = ChunkedOutcome()
    var consumed = 0
    var calls = 0
    for cut in cuts where cut > consumed {
        // One read: the window is everything received and not yet consumed, in a block of its own
        // so a read past its end is caught.
        let done: Bool = withExactCopy(UnsafeRawBufferPointer(rebasing: stream[consumed..<cut])) { read in
            var offset = 0
            while offset < read.count {
                let window = UnsafeRawBufferPointer(rebasing: read[offset...])
                calls += 1
                // Every call takes at least one byte, so there can be no more calls than bytes.
                invariant(calls <= stream.count, "ChunkedDecoder made \(calls) calls on \(stream.count) bytes")
                switch decoder.decode(window) {
                case .data(let r):
                    invariant(!r.isEmpty && r.lowerBound >= 0 && r.upperBound <= window.count,
                                 "data range \(r) outside a window of \(window.count)")
                    outcome.body.append(contentsOf: UnsafeRawBufferPointer(rebasing: window[r]))
                    offset += r.upperBound
                case .needMore(let c):
                    invariant(c == window.count, "needMore consumed \(c) of a window of \(window.count)")
                    offset += c
                case .end(let c):
                    invariant(c >= 1 && c <= window.count, "end consumed \(c) of a window of \(window.count)")
                    outcome.end = consumed + offset + c
                    outcome.trailers = decoder.trailers
                    // Once ended, the decoder must not take bytes of the next message.
                    if c < window.count {
                        let again = decoder.decode(UnsafeRawBufferPointer(rebasing: window[c...]))
                        invariant(again == .end(consumed: 0), "decode after the end gave \(again)")
                    }
                    return true
                case .failed(let e):
                    outcome.error = e
                    // A failed body stays failed: the connection is not reused.
                    let again = decoder.decode(window)
                    invariant(again == .failed(e), "decode after a failure gave \(again)")
                    return true
                }
            }
            return false
        }
        if done { return outcome }
        consumed = cut
    }
    return outcome
}

/// Checks that trailers kept for forwarding are well-formed field lines and none of them is a
/// framing, routing or hop-by-hop field: written out as they are, they must not change how the
/// next hop frames or routes the message.
func checkTrailers(_ trailers: [UInt8]) {
    if trailers.isEmpty { return }
    let message = Array("HTTP/1.1 200 OK\r\n".utf8) + trailers + Array("\r\n".utf8)
    var parser = ResponseHeadParser(limits: roomyLimits)
    var head = ResponseHead()
    let r = message.withUnsafeBytes { parser.parse($0, requestMethod: .get, into: &head) }
    invariant(r == .complete, "forwarded trailers do not parse as fields: \(r)")
    invariant(head.headLength == message.count, "forwarded trailers hold more than field lines")
    message.withUnsafeBytes { source in
        for name in forbiddenTrailerNames {
            invariant(head.field(name, in: source) == nil, "a \(name) trailer would be forwarded")
        }
    }
}

/// Fields a forwarded trailer section must never contain (RFC 9110 §6.5.1 and the hop-by-hop set).
let forbiddenTrailerNames: [StaticString] = [
    "transfer-encoding", "content-length", "host", "connection", "keep-alive", "proxy-connection",
    "te", "trailer", "upgrade",
]

/// Encodes with `encode` into a block of `roomy` bytes, then into one of exactly the size it
/// reported (which must give the same size), then into one byte less and into a size in between
/// taken from `hash` (which must both report overflow, writing nothing past their end). Returns
/// the encoded bytes.
func encodeWithinBounds(roomy: Int, hash: UInt64, _ encode: (UnsafeMutableRawBufferPointer) -> Int?) -> [UInt8] {
    guard let needed = withExactOutput(roomy, { encode($0) }) else {
        fatalError("invariant broken: the encoded head does not fit in \(roomy) bytes")
    }
    invariant(needed > 0 && needed <= roomy, "encoder reported \(needed) bytes")
    let encoded: [UInt8] = withExactOutput(needed) { out in
        let written = encode(out)
        invariant(written == needed, "encoding into exactly \(needed) bytes gave \(String(describing: written))")
        return Array(UnsafeRawBufferPointer(out))
    }
    for size in [needed - 1, Int((hash >> 8) % UInt64(needed))] {
        withExactOutput(size) { out in
            invariant(encode(out) == nil, "encoding \(needed) bytes into \(size) did not report overflow")
        }
    }
    return encoded
}

/// Small head limits, so the fuzzer reaches every limit with inputs of a few hundred bytes.
let smallLimits = HTTPLimits(maxHeadBytes: 512, maxRequestLineBytes: 128, maxHeaderCount: 16)

/// Limits large enough that re-parsing Turnout's own output never hits them.
let roomyLimits = HTTPLimits(maxHeadBytes: 1 << 20, maxRequestLineBytes: 1 << 20, maxHeaderCount: 4096)

/// How many fields of `fields` are named `name` (ASCII case-insensitive).
func count(_ name: UnsafeRawBufferPointer, in fields: [HeaderField], source: UnsafeRawBufferPointer) -> Int {
    var n = 0
    for f in fields where HTTPBytes.equalsIgnoringCase(UnsafeRawBufferPointer(rebasing: source[f.name]), name) { n += 1 }
    return n
}
