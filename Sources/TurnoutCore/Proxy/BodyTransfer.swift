import TurnoutHTTP
import TurnoutPosix

/// Moves one message body (or a tunnel's byte stream) from a source buffer towards a
/// destination, re-framing it on the way: Content-Length bodies pass as they are, chunked
/// bodies are decoded and re-chunked (or unchunked for HTTP/1.0 clients), close-delimited
/// bodies are chunked for HTTP/1.1 clients so their connection can stay open.
///
/// Body bytes are never copied: `direct` counts bytes at the source's read index that go out
/// straight after the destination staging buffer in the same writev. Only framing (chunk-size
/// lines, the last chunk, trailers) is written into the staging buffer, and the CRLF that ends
/// a chunk's data is deferred into the next framing write so that data can stay in place.
/// Staging is appended to only when `direct` is zero, which keeps the byte order right.
struct BodyTransfer {
    enum Input: Equatable { case none, length, chunked, untilClose }
    enum Output: Equatable { case asReceived, chunked, unchunked }
    enum Step: Equatable { case progress, needInput, blocked, failed(HTTPError) }

    private(set) var input: Input = .none
    private(set) var output: Output = .asReceived
    private var remaining: Int64 = 0
    private var decoder = ChunkedDecoder()
    /// Source bytes, at the source's read index, to be written after the staged bytes.
    var direct = 0
    /// A chunk's data has gone out and its closing CRLF is still owed.
    private var chunkOpen = false
    /// The whole body has been consumed from the source.
    private(set) var inputDone = false
    /// Everything, terminal framing included, has been handed to the staging buffer or `direct`.
    private(set) var outputDone = false
    /// Body bytes consumed so far, checked against `limit`.
    private(set) var transferred: Int64 = 0
    private var limit: Int64 = .max
    /// Whether `process` has consumed any body byte (a request that has started its body cannot
    /// be replayed on another connection).
    private(set) var started = false

    init() {}

    init(input: Input, output: Output, length: Int64 = 0, limit: Int64 = .max) {
        self.input = input
        self.output = output
        self.remaining = length
        self.limit = limit
        if input == .none || (input == .length && length == 0) {
            inputDone = true
            outputDone = true
        }
    }

    /// Consumes what it can of `source` into `staging` and `direct`.
    mutating func process(source: ByteBuffer, staging: ByteBuffer) -> Step {
        if direct > 0 || outputDone { return .blocked }
        switch input {
        case .none:
            inputDone = true
            outputDone = true
            return .progress

        case .length:
            let available = Int64(source.readableCount)
            guard available > 0 else { return .needInput }
            let n = min(available, remaining)
            started = true
            direct = Int(n)
            remaining -= n
            transferred += n
            if remaining == 0 {
                inputDone = true
                outputDone = true
            }
            return .progress

        case .untilClose:
            let n = source.readableCount
            guard n > 0 else { return .needInput }
            started = true
            transferred += Int64(n)
            if output == .chunked {
                guard openChunk(size: n, staging: staging) else { return .blocked }
            }
            direct = n
            return .progress

        case .chunked:
            guard source.readableCount > 0 else { return .needInput }
            // Room for a chunk-size line and, at the end, the trailer section.
            if staging.writableCount < 64 + 16_384 { staging.compact() }
            guard staging.writableCount >= 64 + 16_384 else { return .blocked }
            started = true
            switch decoder.decode(source.readable) {
            case .data(let range):
                source.readIndex += range.lowerBound
                transferred += Int64(range.count)
                if transferred > limit { return .failed(Self.bodyTooLarge) }
                if output == .chunked { _ = openChunk(size: range.count, staging: staging) }
                direct = range.count
                return .progress
            case .needMore(let consumed):
                source.readIndex += consumed
                return .needInput
            case .end(let consumed):
                source.readIndex += consumed
                inputDone = true
                if output == .chunked { closeChunks(staging: staging, trailers: decoder.trailers) }
                outputDone = true
                return .progress
            case .failed(let error):
                return .failed(error)
            }
        }
    }

    /// The source reached end of file. A close-delimited body ends there (its terminal framing
    /// is staged); any other body was cut short, and this returns false.
    mutating func finishAtEndOfInput(staging: ByteBuffer) -> Bool {
        guard input == .untilClose, direct == 0 else { return inputDone && outputDone }
        if output == .chunked {
            staging.compact()
            closeChunks(staging: staging, trailers: [])
        }
        inputDone = true
        outputDone = true
        return true
    }

    private mutating func openChunk(size: Int, staging: ByteBuffer) -> Bool {
        if staging.writableCount < 32 { staging.compact() }
        guard staging.writableCount >= 32 else { return false }
        var writer = ByteWriter(UnsafeMutableRawBufferPointer(start: staging.writePointer, count: staging.writableCount))
        if chunkOpen { writer.write("\r\n") }
        writer.writeHex(size)
        writer.write("\r\n")
        staging.writeIndex += writer.count
        chunkOpen = true
        return true
    }

    private mutating func closeChunks(staging: ByteBuffer, trailers: [UInt8]) {
        var writer = ByteWriter(UnsafeMutableRawBufferPointer(start: staging.writePointer, count: staging.writableCount))
        if chunkOpen { writer.write("\r\n") }
        writer.write("0\r\n")
        trailers.withUnsafeBytes { writer.write($0) }
        writer.write("\r\n")
        staging.writeIndex += writer.count
        chunkOpen = false
    }

    static let bodyTooLarge = HTTPError(.bodyTooLarge)
}
