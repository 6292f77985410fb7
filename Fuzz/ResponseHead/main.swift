// Fuzz target for Turnout's response path: ResponseHeadParser and ResponseHeadEncoder. Built by
// Fuzz/run.sh together with the TurnoutHTTP sources and Fuzz/Support/FuzzSupport.swift as one
// module.
#if canImport(TurnoutHTTP)
import TurnoutHTTP
#endif

/// The libFuzzer entry point: one input is the bytes an upstream sends in answer to a request.
/// The request method changes framing (HEAD has no body), so both GET and HEAD are tried.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzResponseHead(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    for method in [HTTPMethod.get, .head] {
        let (once, head) = parseResponseOnce(input, method: method)
        parseResponseByteByByte(input, method: method, once: once, head: head)
        guard once == .complete else { continue }
        checkResponseRanges(head)
        if method == .head { invariant(head.framing == .none, "a response to HEAD with framing \(head.framing)") }
        // The encoder gets only the head's bytes: it must not look at the body.
        withExactCopy(UnsafeRawBufferPointer(rebasing: input[0..<head.headLength])) { source in
            checkResponseEncoder(head, source: source, method: method, hash: inputHash(input))
        }
    }
    return 0
}

/// Parses the whole input with a fresh parser, and checks that asking again after the result
/// returns the same result.
func parseResponseOnce(_ input: UnsafeRawBufferPointer, method: HTTPMethod) -> (HeadParseResult, ResponseHead) {
    var parser = ResponseHeadParser(limits: smallLimits)
    var head = ResponseHead()
    let r = parser.parse(input, requestMethod: method, into: &head)
    if case .failed(let e) = r { invariant(e.status == 502, "an upstream error with status \(e.status)") }
    if r != .needMore {
        let saved = head
        invariant(parser.parse(input, requestMethod: method, into: &head) == r, "a finished parser changed its result")
        invariant(head == saved, "a finished parser changed the head")
    }
    return (r, head)
}

/// Feeds the input one byte per read, each prefix in a block of its own, to one parser, and a
/// second parser in two reads split at an offset taken from the input.
func parseResponseByteByByte(_ input: UnsafeRawBufferPointer, method: HTTPMethod, once: HeadParseResult,
                             head onceHead: ResponseHead) {
    var parser = ResponseHeadParser(limits: smallLimits)
    var head = ResponseHead()
    var decided = false
    var k = 1
    while k <= input.count && !decided {
        let r = withExactCopy(UnsafeRawBufferPointer(rebasing: input[0..<k])) {
            parser.parse($0, requestMethod: method, into: &head)
        }
        checkPrefix(r, against: once, k: k, headLength: onceHead.headLength)
        if r == .complete { invariant(head == onceHead, "the head differs when fed byte by byte") }
        decided = r != .needMore
        k += 1
    }
    if !decided { invariant(once == .needMore, "every prefix needs more, but the whole input gave \(once)") }

    let cut = hashedCuts(inputHash(input), count: input.count)[1]
    var split = ResponseHeadParser(limits: smallLimits)
    var splitHead = ResponseHead()
    let first = withExactCopy(UnsafeRawBufferPointer(rebasing: input[0..<cut])) {
        split.parse($0, requestMethod: method, into: &splitHead)
    }
    checkPrefix(first, against: once, k: cut, headLength: onceHead.headLength)
    let second = split.parse(input, requestMethod: method, into: &splitHead)
    invariant(second == (first == .needMore ? once : first), "split at \(cut): \(second), at once: \(once)")
    if second == .complete { invariant(splitHead == onceHead, "the head differs when split at \(cut)") }
}

/// Every offset of a parsed head must point inside the head.
func checkResponseRanges(_ head: ResponseHead) {
    let n = head.headLength
    invariant(within(head.reason, n), "the reason lies outside the head")
    invariant(head.status >= 100 && head.status <= 999, "status \(head.status)")
    for f in head.fields { invariant(within(f.name, n) && within(f.value, n), "a field lies outside the head") }
    for t in head.connectionTokens { invariant(within(t, n), "a Connection token lies outside the head") }
    if let length = head.contentLength { invariant(length >= 0, "negative Content-Length") }
}

/// The pool header Turnout adds to tell clients which pool answered.
let poolHeaderName: StaticString = "X-Turnout-Pool"

/// Encodes the client's head for every client version, connection directive and with and without
/// the pool header: into a block of exactly the needed size, one byte less and a size in between;
/// then parses the encoded head back, as the client would.
func checkResponseEncoder(_ head: ResponseHead, source: UnsafeRawBufferPointer, method: HTTPMethod, hash: UInt64) {
    for version in [HTTPVersion.http1_0, .http1_1] {
        for directive in [ClientConnectionDirective.keepAlive, .close, .upgrade] {
            for withPool in [false, true] {
                let encode = { (out: UnsafeMutableRawBufferPointer) -> Int? in
                    poolHeaderName.withUTF8Buffer { name in
                        ("canary" as StaticString).withUTF8Buffer { pool in
                            ResponseHeadEncoder.encode(head, source: source, framing: head.framing, clientVersion: version,
                                                       connection: directive,
                                                       poolHeaderName: withPool ? UnsafeRawBufferPointer(name) : nil,
                                                       poolName: withPool ? UnsafeRawBufferPointer(pool) : nil, into: out)
                        }
                    }
                }
                // Fields are written at most twice (Upgrade fields again for `.upgrade`).
                let encoded = encodeWithinBounds(roomy: 3 * source.count + 256, hash: hash, encode)
                reparseEncodedResponse(encoded, head: head, method: method, directive: directive, withPool: withPool)
            }
        }
    }
}

/// The encoded head must be a valid response that the client frames exactly as Turnout did, and
/// carry exactly one pool header when one was asked for (an upstream must not pose as another pool).
func reparseEncodedResponse(_ encoded: [UInt8], head: ResponseHead, method: HTTPMethod,
                            directive: ClientConnectionDirective, withPool: Bool) {
    var parser = ResponseHeadParser(limits: roomyLimits)
    var client = ResponseHead()
    let r = encoded.withUnsafeBytes { parser.parse($0, requestMethod: method, into: &client) }
    invariant(r == .complete, "the client would reject the encoded head: \(r)")
    invariant(client.headLength == encoded.count, "the encoded head has bytes after its end")
    invariant(client.status == head.status, "status changed from \(head.status) to \(client.status)")
    invariant(client.framing == head.framing, "client framing \(client.framing), Turnout's \(head.framing)")
    switch directive {
    case .close:
        invariant(!client.keepAlive, "Connection: close was not sent")
    case .keepAlive:
        invariant(client.keepAlive || head.framing == .closeDelimited, "the client would close a kept-alive connection")
    case .upgrade:
        break
    }
    let pools = encoded.withUnsafeBytes { out in
        poolHeaderName.withUTF8Buffer { count(UnsafeRawBufferPointer($0), in: client.fields, source: out) }
    }
    // Without a pool name the upstream's own field passes as any other field.
    if withPool { invariant(pools == 1, "\(pools) pool header fields reach the client") }
}
