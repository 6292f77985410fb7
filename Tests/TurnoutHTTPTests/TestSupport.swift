import Testing
@testable import TurnoutHTTP

/// Test input: a string's UTF-8 bytes, optionally with raw bytes appended (for obs-text and
/// other bytes a Swift string literal cannot hold as-is).
func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

/// The bytes of `range` in `buffer` as a String, for readable expectations.
func text(_ buffer: [UInt8], _ range: Range<Int>?) -> String? {
    guard let range else { return nil }
    return String(decoding: buffer[range], as: UTF8.self)
}

/// A printable form of test input for failure messages.
func show(_ input: [UInt8]) -> String {
    var s = ""
    for b in input.prefix(200) {
        switch b {
        case 0x0D: s += "\\r"
        case 0x0A: s += "\\n"
        case 0x09: s += "\\t"
        case 0x20...0x7E: s.append(Character(Unicode.Scalar(b)))
        default: s += "\\x" + String(b, radix: 16)
        }
    }
    return input.count > 200 ? s + "…(\(input.count) bytes)" : s
}

/// Parses `input` at once with a fresh parser.
func parseRequestOnce(_ input: [UInt8], limits: HTTPLimits = HTTPLimits()) -> (HeadParseResult, RequestHead) {
    var parser = RequestHeadParser(limits: limits)
    var head = RequestHead()
    let r = input.withUnsafeBytes { parser.parse($0, into: &head) }
    return (r, head)
}

/// Parses `input` once at once and once as it would accumulate from the network, calling the same
/// parser with prefixes of length 1, 2, …, n. Before the one-shot result's decisive point every
/// prefix must give `.needMore`; a failure may come earlier but with the same status; a success
/// must come exactly at `headLength` with an identical head. Returns the one-shot result.
@discardableResult
func parseRequestEverySplit(_ input: [UInt8], limits: HTTPLimits = HTTPLimits(),
                            sourceLocation: SourceLocation = #_sourceLocation) -> (HeadParseResult, RequestHead) {
    let (once, onceHead) = parseRequestOnce(input, limits: limits)
    var parser = RequestHeadParser(limits: limits)
    var head = RequestHead()
    var k = 1
    while k <= input.count {
        let r = input.withUnsafeBytes { parser.parse(UnsafeRawBufferPointer(rebasing: $0[0..<k]), into: &head) }
        if !checkPrefix(r, once, k: k, n: input.count, headLength: onceHead.headLength, input: input, sourceLocation: sourceLocation) { break }
        if case .complete = r { #expect(head == onceHead, "head differs when fed in pieces: \(show(input))", sourceLocation: sourceLocation) }
        if r != .needMore { break }
        k += 1
    }
    return (once, onceHead)
}

/// Same as `parseRequestEverySplit` for responses.
@discardableResult
func parseResponseEverySplit(_ input: [UInt8], method: HTTPMethod = .get, limits: HTTPLimits = HTTPLimits(),
                             sourceLocation: SourceLocation = #_sourceLocation) -> (HeadParseResult, ResponseHead) {
    var onceParser = ResponseHeadParser(limits: limits)
    var onceHead = ResponseHead()
    let once = input.withUnsafeBytes { onceParser.parse($0, requestMethod: method, into: &onceHead) }
    var parser = ResponseHeadParser(limits: limits)
    var head = ResponseHead()
    var k = 1
    while k <= input.count {
        let r = input.withUnsafeBytes {
            parser.parse(UnsafeRawBufferPointer(rebasing: $0[0..<k]), requestMethod: method, into: &head)
        }
        if !checkPrefix(r, once, k: k, n: input.count, headLength: onceHead.headLength, input: input, sourceLocation: sourceLocation) { break }
        if case .complete = r { #expect(head == onceHead, "head differs when fed in pieces: \(show(input))", sourceLocation: sourceLocation) }
        if r != .needMore { break }
        k += 1
    }
    return (once, onceHead)
}

/// Checks the result for a prefix of length `k` against the one-shot result; false stops the scan.
private func checkPrefix(_ r: HeadParseResult, _ once: HeadParseResult, k: Int, n: Int, headLength: Int,
                         input: [UInt8], sourceLocation: SourceLocation) -> Bool {
    switch (r, once) {
    case (.needMore, .complete):
        #expect(k < headLength, "still .needMore at the end of the head (\(k) bytes): \(show(input))", sourceLocation: sourceLocation)
    case (.needMore, _):
        break
    case (.complete, .complete):
        #expect(k == headLength, "complete after \(k) bytes, head is \(headLength): \(show(input))", sourceLocation: sourceLocation)
    case (.failed(let a), .failed(let b)):
        #expect(a.status == b.status, "prefix of \(k) failed with \(a), whole input with \(b): \(show(input))", sourceLocation: sourceLocation)
    default:
        Issue.record("prefix of \(k)/\(n) gave \(r), whole input \(once): \(show(input))", sourceLocation: sourceLocation)
        return false
    }
    return true
}

/// The status a head result stands for: 200 for complete, 0 for needMore.
func status(_ r: HeadParseResult) -> Int {
    switch r {
    case .complete: return 200
    case .needMore: return 0
    case .failed(let e): return e.status
    }
}

/// The error kind of a failed result.
func kind(_ r: HeadParseResult) -> HTTPError.Kind? {
    if case .failed(let e) = r { return e.kind }
    return nil
}

/// The outcome of decoding a whole chunked body.
struct ChunkedOutcome: Equatable {
    var payload: [UInt8] = []
    /// nil while the body is incomplete.
    var endOffset: Int? = nil
    var error: HTTPError? = nil
    var trailers: [UInt8] = []
}

/// Feeds `input` to a fresh decoder in windows ending at `cuts` (then at the end of the input), as
/// a connection would after each read. Bounded: every call must consume something or finish.
func decodeChunked(_ input: [UInt8], cuts: [Int], maxLineBytes: Int = 4096, maxTrailerBytes: Int = 16384) -> ChunkedOutcome {
    var decoder = ChunkedDecoder(maxLineBytes: maxLineBytes, maxTrailerBytes: maxTrailerBytes)
    var out = ChunkedOutcome()
    var bounds = cuts.filter { $0 > 0 && $0 < input.count }
    bounds.append(input.count)
    var pos = 0
    var steps = 0
    for end in bounds {
        window: while pos < end {
            steps += 1
            if steps > 100_000 {
                Issue.record("decoder made no progress")
                return out
            }
            let step = input.withUnsafeBytes { decoder.decode(UnsafeRawBufferPointer(rebasing: $0[pos..<end])) }
            switch step {
            case .data(let r):
                #expect(!r.isEmpty && r.upperBound <= end - pos, "bad data range \(r)")
                out.payload.append(contentsOf: input[(pos + r.lowerBound)..<(pos + r.upperBound)])
                pos += r.upperBound
            case .needMore(let consumed):
                // The decoder buffers nothing but trailers, so it always takes the whole window.
                #expect(consumed == end - pos, "needMore consumed \(consumed) of \(end - pos)")
                pos += consumed
                break window
            case .end(let consumed):
                out.endOffset = pos + consumed
                out.trailers = decoder.trailers
                return out
            case .failed(let e):
                out.error = e
                return out
            }
        }
    }
    return out
}

/// Decodes `input` at once, split in two at every offset, and byte by byte; all must agree
/// (a failure must have the same status in each). Returns the one-shot outcome.
@discardableResult
func decodeChunkedEverySplit(_ input: [UInt8], maxLineBytes: Int = 4096, maxTrailerBytes: Int = 16384,
                             sourceLocation: SourceLocation = #_sourceLocation) -> ChunkedOutcome {
    let once = decodeChunked(input, cuts: [], maxLineBytes: maxLineBytes, maxTrailerBytes: maxTrailerBytes)
    var splits: [[Int]] = (1..<max(1, input.count)).map { [$0] }
    splits.append(Array(1..<max(1, input.count)))
    for cuts in splits {
        let other = decodeChunked(input, cuts: cuts, maxLineBytes: maxLineBytes, maxTrailerBytes: maxTrailerBytes)
        #expect(other.payload == once.payload || once.error != nil, "payload differs for cuts \(cuts.prefix(3)): \(show(input))", sourceLocation: sourceLocation)
        #expect(other.endOffset == once.endOffset, "end differs for cuts \(cuts.prefix(3)): \(show(input))", sourceLocation: sourceLocation)
        #expect(other.trailers == once.trailers, "trailers differ for cuts \(cuts.prefix(3)): \(show(input))", sourceLocation: sourceLocation)
        #expect(other.error?.status == once.error?.status, "error differs for cuts \(cuts.prefix(3)): \(other.error.map { "\($0)" } ?? "none") vs \(once.error.map { "\($0)" } ?? "none"): \(show(input))", sourceLocation: sourceLocation)
    }
    return once
}
