// Fuzz target for Turnout's ChunkedDecoder. Built by Fuzz/run.sh together with the TurnoutHTTP
// sources and Fuzz/Support/FuzzSupport.swift as one module.
#if canImport(TurnoutHTTP)
import TurnoutHTTP
#endif

/// The libFuzzer entry point: one input is a chunked body as it follows a head on the wire
/// (plus whatever comes after it). The same bytes are decoded at once, byte by byte, in four
/// reads cut at offsets taken from the input, and in reads of a fixed stride; the payload, the
/// end offset, the error and the trailers must not depend on how the bytes arrived.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzChunked(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let hash = inputHash(input)
    // One decoder for all runs, reset in between, as the proxy reuses one per connection: state
    // that survives reset() shows up as a difference.
    var decoder = fuzzChunkedDecoder()
    let whole = decodeChunked(input, cuts: [size], decoder: &decoder)
    checkOutcome(whole, size: size)

    let stride = Int(hash >> 56) % 7 + 2
    let splits: [[Int]] = [
        Array(Swift.stride(from: 1, through: size, by: 1)),
        hashedCuts(hash, count: size),
        Array(Swift.stride(from: stride, to: size, by: stride)) + [size],
    ]
    for cuts in splits {
        decoder.reset()
        let pieces = decodeChunked(input, cuts: cuts, decoder: &decoder)
        invariant(pieces == whole, "at once: \(whole); in reads ending at \(cuts): \(pieces)")
    }
    return 0
}

/// Checks what a decode may claim: no more payload than input, an end inside the input, never
/// both an end and an error, trailers only after an end and only safe ones.
func checkOutcome(_ outcome: ChunkedOutcome, size: Int) {
    invariant(outcome.body.count <= size, "more payload than input")
    if let end = outcome.end {
        invariant(end >= 5 && end <= size, "end at \(end) of \(size)")  // "0\r\n\r\n" at least
        invariant(outcome.error == nil, "both ended and failed")
        // The payload and the framing around it fit before the end.
        invariant(outcome.body.count + 5 <= end, "payload of \(outcome.body.count) bytes ends at \(end)")
    } else {
        invariant(outcome.trailers.isEmpty, "trailers without an end")
    }
    checkTrailers(outcome.trailers)
}
