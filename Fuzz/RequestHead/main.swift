// Fuzz target for Turnout's request path: RequestHeadParser, RequestHeadEncoder and, for chunked
// requests, ChunkedDecoder. Built by Fuzz/run.sh together with the TurnoutHTTP sources and
// Fuzz/Support/FuzzSupport.swift as one module.
#if canImport(TurnoutHTTP)
import TurnoutHTTP
#endif

/// The libFuzzer entry point: one input is the bytes a client sends on a fresh connection.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestHead(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let (once, head) = parseRequestOnce(input)
    parseRequestByteByByte(input, once: once, head: head)
    parseRequestInTwoReads(input, once: once, head: head)
    guard once == .complete else { return 0 }
    checkRequestRanges(head)
    // The encoder gets only the head's bytes: it must not look at the body.
    withExactCopy(UnsafeRawBufferPointer(rebasing: input[0..<head.headLength])) { source in
        checkRequestEncoder(head, source: source, hash: inputHash(input))
    }
    if head.framing == .chunked {
        checkChunkedBody(UnsafeRawBufferPointer(rebasing: input[head.headLength...]))
    }
    return 0
}

/// Parses the whole input with a fresh parser, and checks that asking again after the result
/// returns the same result (the parser's contract after `.complete` and `.failed`).
func parseRequestOnce(_ input: UnsafeRawBufferPointer) -> (HeadParseResult, RequestHead) {
    var parser = RequestHeadParser(limits: smallLimits)
    var head = RequestHead()
    let r = parser.parse(input, into: &head)
    if r != .needMore {
        let saved = head
        invariant(parser.parse(input, into: &head) == r, "a finished parser changed its result")
        invariant(head == saved, "a finished parser changed the head")
    }
    return (r, head)
}

/// Feeds the input as it would accumulate from the network one byte per read: prefixes of
/// length 1, 2, … to the same parser, each in a block of its own, until the result is decided.
func parseRequestByteByByte(_ input: UnsafeRawBufferPointer, once: HeadParseResult, head onceHead: RequestHead) {
    var parser = RequestHeadParser(limits: smallLimits)
    var head = RequestHead()
    var k = 1
    while k <= input.count {
        let r = withExactCopy(UnsafeRawBufferPointer(rebasing: input[0..<k])) { parser.parse($0, into: &head) }
        checkPrefix(r, against: once, k: k, headLength: onceHead.headLength)
        if r == .complete { invariant(head == onceHead, "the head differs when fed byte by byte") }
        if r != .needMore { return }
        k += 1
    }
    invariant(once == .needMore, "every prefix needs more, but the whole input gave \(once)")
}

/// Feeds the input in two reads split at an offset taken from the input, as a client whose head
/// straddles two packets would.
func parseRequestInTwoReads(_ input: UnsafeRawBufferPointer, once: HeadParseResult, head onceHead: RequestHead) {
    let cut = hashedCuts(inputHash(input), count: input.count)[1]
    var parser = RequestHeadParser(limits: smallLimits)
    var head = RequestHead()
    let first = withExactCopy(UnsafeRawBufferPointer(rebasing: input[0..<cut])) { parser.parse($0, into: &head) }
    checkPrefix(first, against: once, k: cut, headLength: onceHead.headLength)
    let second = parser.parse(input, into: &head)
    if first == .needMore {
        invariant(second == once, "split at \(cut): \(second), at once: \(once)")
    } else {
        invariant(second == first, "a finished parser changed its result")
    }
    if second == .complete { invariant(head == onceHead, "the head differs when split at \(cut)") }
}

/// Every offset of a parsed head must point inside the head, or a router or the encoder would
/// read the body or past the buffer.
func checkRequestRanges(_ head: RequestHead) {
    let n = head.headLength
    invariant(within(head.methodBytes, n) && within(head.target, n) && within(head.path, n)
                 && within(head.query, n) && within(head.host, n), "a start-line range lies outside the head")
    for f in head.fields { invariant(within(f.name, n) && within(f.value, n), "a field lies outside the head") }
    for t in head.connectionTokens { invariant(within(t, n), "a Connection token lies outside the head") }
    if case .contentLength(let length) = head.framing { invariant(length >= 0, "negative Content-Length") }
}

/// Encodes the upstream head into blocks of exactly the needed size, one byte less, and a size in
/// between taken from the input; then parses the encoded head back, as the upstream would.
func checkRequestEncoder(_ head: RequestHead, source: UnsafeRawBufferPointer, hash: UInt64) {
    // One address per family; the proxy passes the peer's textual address.
    let address: StaticString = hash & 1 == 0 ? "192.0.2.7" : "2001:db8::7"
    let secure = hash & 2 != 0
    let encode = { (out: UnsafeMutableRawBufferPointer) -> Int? in
        address.withUTF8Buffer { a in
            RequestHeadEncoder.encode(head, source: source, clientAddress: UnsafeRawBufferPointer(a),
                                      proto: secure ? "https" : "http", framing: head.framing, into: out)
        }
    }
    // The head's bytes are written at most three times (fields, X-Forwarded-For values,
    // X-Forwarded-Host or Upgrade fields), plus fixed text.
    let encoded = encodeWithinBounds(roomy: 4 * source.count + 512, hash: hash, encode)
    reparseEncodedRequest(encoded, head: head, source: source)
}

/// The encoded head must be a valid HTTP/1.1 request that the upstream frames exactly as Turnout
/// did: a difference here is a smuggling gap between Turnout and its upstreams.
func reparseEncodedRequest(_ encoded: [UInt8], head: RequestHead, source: UnsafeRawBufferPointer) {
    var parser = RequestHeadParser(limits: roomyLimits)
    var upstream = RequestHead()
    let r = encoded.withUnsafeBytes { parser.parse($0, into: &upstream) }
    invariant(r == .complete, "the upstream would reject the encoded head: \(r)")
    invariant(upstream.headLength == encoded.count, "the encoded head has bytes after its end")
    invariant(upstream.framing == head.framing, "upstream framing \(upstream.framing), Turnout's \(head.framing)")
    invariant(upstream.method == head.method && upstream.version == .http1_1, "method or version changed")
    invariant(upstream.upgrade == head.upgrade, "upgrade changed from \(head.upgrade) to \(upstream.upgrade)")
    // Connection fields are hop-by-hop: the upstream connection's persistence is Turnout's own.
    invariant(upstream.keepAlive, "the encoded head asks the upstream to close")
    encoded.withUnsafeBytes { out in
        invariant(UnsafeRawBufferPointer(rebasing: out[upstream.methodBytes]).elementsEqual(
            UnsafeRawBufferPointer(rebasing: source[head.methodBytes])), "the method bytes changed")
        let n = Array("x-forwarded-proto".utf8).withUnsafeBytes { count($0, in: upstream.fields, source: out) }
        invariant(n == 1, "\(n) X-Forwarded-Proto fields upstream")
    }
}

/// Runs the body after a chunked head through ChunkedDecoder at once and byte by byte; both must
/// give the same payload, end and error, and the kept trailers must be safe to forward.
func checkChunkedBody(_ body: UnsafeRawBufferPointer) {
    var decoder = fuzzChunkedDecoder()
    let whole = decodeChunked(body, cuts: [body.count], decoder: &decoder)
    decoder.reset()
    let bytewise = decodeChunked(body, cuts: Array(stride(from: 1, through: body.count, by: 1)), decoder: &decoder)
    invariant(whole == bytewise, "chunked body at once: \(whole), byte by byte: \(bytewise)")
    checkTrailers(whole.trailers)
}
