import Testing
@testable import TurnoutHTTP

/// Seeded random mutations of the valid requests and the smuggling corpus: whatever the bytes,
/// the parser must not trap, must give the same answer fed byte by byte as at once, and anything
/// it accepts must have a head that lies within the input. A cheap, deterministic stand-in for
/// the fuzz target.
@Test(arguments: 0..<8)
func mutatedRequests(_ seed: Int) {
    var rng = SplitMix(seed: UInt64(seed) &* 7919)
    let corpus = validRequests.map(\.raw) + smugglingCorpus.map(\.raw).filter { $0.count < 400 }
    let interesting: [UInt8] = [0x00, 0x09, 0x0A, 0x0D, 0x20, 0x3A, 0x2C, 0x3B, 0x7F, 0x80, 0xFF, 0x2F, 0x3F]
    for _ in 0..<60 {
        var input = corpus[Int(rng.next() % UInt64(corpus.count))]
        for _ in 0...(rng.next() % 3) where !input.isEmpty {
            let at = Int(rng.next() % UInt64(input.count))
            switch rng.next() % 4 {
            case 0: input[at] = interesting[Int(rng.next() % UInt64(interesting.count))]
            case 1: input.remove(at: at)
            case 2: input.insert(interesting[Int(rng.next() % UInt64(interesting.count))], at: at)
            default: input[at] = UInt8(truncatingIfNeeded: rng.next())
            }
        }
        let (result, head) = parseRequestEverySplit(input)
        if result == .complete {
            #expect(head.headLength <= input.count)
            for f in head.fields {
                #expect(f.name.upperBound <= head.headLength && f.value.upperBound <= head.headLength)
            }
            #expect(head.path.upperBound <= head.headLength)
        }
        // The response parser sees the same bytes with the request line swapped for a status line.
        var response = bytes("HTTP/1.1 200 OK\r\n")
        if let firstLF = input.firstIndex(of: 0x0A) { response += input[(firstLF + 1)...] }
        parseResponseEverySplit(response)
    }
}

/// Seeded random mutations of chunked bodies: same outcome in every split, and no payload byte
/// reported outside the input.
@Test(arguments: 0..<8)
func mutatedChunkedBodies(_ seed: Int) {
    var rng = SplitMix(seed: UInt64(seed) &* 104_729)
    let corpus = validChunked.map(\.raw) + invalidChunked.map(\.raw)
    let interesting: [UInt8] = [0x00, 0x09, 0x0A, 0x0D, 0x20, 0x3B, 0x3A, 0x30, 0x66, 0x46, 0x78, 0x7F, 0xFF]
    for _ in 0..<40 {
        var input = corpus[Int(rng.next() % UInt64(corpus.count))]
        for _ in 0...(rng.next() % 3) where !input.isEmpty {
            let at = Int(rng.next() % UInt64(input.count))
            switch rng.next() % 3 {
            case 0: input[at] = interesting[Int(rng.next() % UInt64(interesting.count))]
            case 1: input.remove(at: at)
            default: input.insert(interesting[Int(rng.next() % UInt64(interesting.count))], at: at)
            }
        }
        let outcome = decodeChunkedEverySplit(input)
        #expect(outcome.payload.count <= input.count)
        if let end = outcome.endOffset { #expect(end <= input.count) }
    }
}
