#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One step of `ChunkedDecoder.decode`.
public enum ChunkedStep: Sendable, Equatable {
    /// Payload bytes at these offsets of the input window; consumed = `range.upperBound`.
    case data(Range<Int>)
    /// The whole window was consumed (framing bytes only); call again with more data.
    case needMore(consumed: Int)
    /// The last chunk and the trailer section are complete; bytes from `consumed` on belong to the
    /// next message.
    case end(consumed: Int)
    /// The body is malformed; the connection cannot be reused.
    case failed(HTTPError)
}

/// Incremental chunked-body decoder (RFC 9112 §7.1), strict: a hex size without sign,
/// whitespace, `0x` or overflow (sizes capped at 2^62); chunk extensions allowed but bounded by
/// the line limit and free of CTLs; CRLF required after the size line and the data (a bare LF is
/// rejected); trailer fields validated like header fields and kept, bounded, so they can be
/// forwarded.
///
/// The decoder never keeps a pointer into its input: payload is reported as offsets of the
/// window the caller passes, and only trailer bytes are copied. Reuse one per connection;
/// `reset()` keeps the trailer buffer's capacity.
public struct ChunkedDecoder: Sendable {
    /// Bound on a chunk-size line including extensions and CRLF.
    public let maxLineBytes: Int
    /// Bound on the trailer section including its final CRLF.
    public let maxTrailerBytes: Int

    var state = State.size
    /// While in `.size`: the size so far; in `.data`: payload bytes left in the chunk.
    var remaining: Int64 = 0
    var sawDigit = false
    var lineBytes = 0
    /// Complete trailer lines, then the trailer line being received.
    var trailerBuffer: [UInt8] = []
    var trailerLineStart = 0
    var trailerTotal = 0
    var error: HTTPError? = nil

    /// Where the decoder is in the chunked grammar.
    enum State: UInt8 {
        case size, sizeWhitespace, extensions, sizeLF
        case data, dataCR, dataLF
        case trailerStart, trailerLine, lastLF
        case done, failed
    }

    /// The largest chunk size accepted: 2^62, far beyond any real body, small enough that
    /// arithmetic on it never overflows Int64.
    @usableFromInline static let maxChunkSize: Int64 = 1 << 62

    /// A decoder for one chunked body at a time.
    public init(maxLineBytes: Int = 4096, maxTrailerBytes: Int = 16384) {
        self.maxLineBytes = maxLineBytes
        self.maxTrailerBytes = maxTrailerBytes
    }

    /// Prepares for the next body, keeping the trailer buffer's storage.
    public mutating func reset() {
        state = .size
        remaining = 0
        sawDigit = false
        lineBytes = 0
        trailerBuffer.removeAll(keepingCapacity: true)
        trailerLineStart = 0
        trailerTotal = 0
        error = nil
    }

    /// The raw validated trailer lines (`name: value\r\n` each) after `.end`, without the final
    /// empty line; empty if the body had none. Framing, routing and hop-by-hop fields are left out (see
    /// `FieldClass.isAllowedInTrailer`), so the bytes can be written out as they are.
    public var trailers: [UInt8] {
        state == .done ? trailerBuffer : []
    }

    /// Decodes from `input`, a window of newly received bytes. Returns one step; the caller
    /// loops, advancing its window by the consumed count, until the window is empty or the step
    /// is `.end` or `.failed`.
    public mutating func decode(_ input: UnsafeRawBufferPointer) -> ChunkedStep {
        let n = input.count
        var i = 0
        while i < n {
            let b = input[i]
            switch state {
            case .size:
                if let digit = ASCII.hexValue(b) {
                    // remaining * 16 + digit <= 2^62, checked without overflowing.
                    if remaining > (ChunkedDecoder.maxChunkSize &- Int64(digit)) >> 4 { return fail(.invalidChunkSize) }
                    remaining = remaining << 4 | Int64(digit)
                    sawDigit = true
                } else if !sawDigit {
                    return fail(b == ASCII.lf ? .bareLF : .invalidChunkSize)
                } else if b == ASCII.cr {
                    state = .sizeLF
                } else if b == ASCII.semicolon {
                    state = .extensions
                } else if ASCII.isOWS(b) {
                    // BWS before ';' (RFC 9112 §7.1.1); whitespace that ends the line is not.
                    state = .sizeWhitespace
                } else {
                    return fail(b == ASCII.lf ? .bareLF : .invalidChunkSize)
                }
                if let step = countLineByte() { return step }
                i &+= 1
            case .sizeWhitespace:
                if b == ASCII.semicolon {
                    state = .extensions
                } else if !ASCII.isOWS(b) {
                    return fail(.invalidChunkSize)
                }
                if let step = countLineByte() { return step }
                i &+= 1
            case .extensions:
                // Extensions are ignored, but only visible bytes and whitespace may hide there.
                if b == ASCII.cr {
                    state = .sizeLF
                } else if !ASCII.isFieldValueChar(b) {
                    return fail(b == ASCII.lf ? .bareLF : .invalidChunkFraming)
                }
                if let step = countLineByte() { return step }
                i &+= 1
            case .sizeLF:
                if b != ASCII.lf { return fail(.bareCR) }
                i &+= 1
                lineBytes = 0
                sawDigit = false
                if remaining == 0 {
                    state = .trailerStart
                } else {
                    state = .data
                }
            case .data:
                let take = Int(min(remaining, Int64(n &- i)))
                remaining &-= Int64(take)
                if remaining == 0 { state = .dataCR }
                return .data(i..<(i &+ take))
            case .dataCR:
                if b != ASCII.cr { return fail(b == ASCII.lf ? .bareLF : .invalidChunkFraming) }
                state = .dataLF
                i &+= 1
            case .dataLF:
                if b != ASCII.lf { return fail(.invalidChunkFraming) }
                state = .size
                i &+= 1
            case .trailerStart:
                if b == ASCII.cr {
                    state = .lastLF
                    i &+= 1
                    trailerTotal &+= 2  // the final CRLF
                    if trailerTotal > maxTrailerBytes { return fail(.trailersTooLarge) }
                } else {
                    state = .trailerLine
                }
            case .lastLF:
                if b != ASCII.lf { return fail(.bareCR) }
                state = .done
                return .end(consumed: i &+ 1)
            case .trailerLine:
                if let step = collectTrailerLine(input, from: &i) { return step }
            case .done:
                return .end(consumed: 0)
            case .failed:
                return .failed(error ?? HTTPError(.invalidChunkFraming))
            }
        }
        switch state {
        case .done: return .end(consumed: 0)
        case .failed: return .failed(error ?? HTTPError(.invalidChunkFraming))
        default: return .needMore(consumed: n)
        }
    }

    /// Counts one byte of the size line against `maxLineBytes`.
    private mutating func countLineByte() -> ChunkedStep? {
        lineBytes &+= 1
        return lineBytes > maxLineBytes ? fail(.chunkLineTooLong) : nil
    }

    /// Copies trailer bytes up to and including the next LF, then validates the finished line.
    /// Trailers are rare and small, so copying them is fine; the limit is checked before copying
    /// so an endless trailer line cannot grow the buffer.
    private mutating func collectTrailerLine(_ input: UnsafeRawBufferPointer, from i: inout Int) -> ChunkedStep? {
        let n = input.count
        let base = input.baseAddress!
        let hit = memchr(base + i, Int32(ASCII.lf), n &- i)
        let end = hit.map { base.distance(to: UnsafeRawPointer($0)) &+ 1 } ?? n
        trailerTotal &+= end &- i
        if trailerTotal > maxTrailerBytes { return fail(.trailersTooLarge) }
        trailerBuffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[i..<end]))
        i = end
        guard hit != nil else { return nil }
        state = .trailerStart
        let (kind, forward): (HTTPError.Kind?, Bool) = trailerBuffer.withUnsafeBytes { buf in
            let lf = buf.count &- 1
            if lf == trailerLineStart || buf[lf &- 1] != ASCII.cr { return (.bareLF, false) }
            var field = HeaderField(name: 0..<0, value: 0..<0)
            if let kind = FieldLine.parse(buf, trailerLineStart..<(lf &- 1), into: &field) { return (kind, false) }
            return (nil, FieldClass.isAllowedInTrailer(buf, field.name))
        }
        if let kind { return fail(kind) }
        if forward {
            trailerLineStart = trailerBuffer.count
        } else {
            // Framing, routing and hop-by-hop fields must not be merged into the message
            // downstream (RFC 9110 §6.5.1); validated, then dropped.
            trailerBuffer.removeSubrange(trailerLineStart...)
        }
        return nil
    }

    private mutating func fail(_ kind: HTTPError.Kind) -> ChunkedStep {
        let e = HTTPError(kind)
        error = e
        state = .failed
        return .failed(e)
    }
}
