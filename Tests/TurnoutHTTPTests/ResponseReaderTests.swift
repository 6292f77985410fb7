import Testing
@testable import TurnoutHTTP

/// A response as it must read: its final status and body, framing removed.
struct ReadableResponse: Sendable, CustomTestStringConvertible {
    var raw: [UInt8]
    var status: Int
    var body: String
    /// Whether the body ends only when the connection closes.
    var untilClose = false
    var testDescription: String { show(raw) }
    init(_ raw: String, _ status: Int, _ body: String, untilClose: Bool = false) {
        self.raw = bytes(raw)
        self.status = status
        self.body = body
        self.untilClose = untilClose
    }
}

let readableResponses: [ReadableResponse] = [
    ReadableResponse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 200, "hello"),
    ReadableResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nX-A: 1\r\n\r\n", 200, "hello world"),
    ReadableResponse("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the close", 200, "until the close", untilClose: true),
    ReadableResponse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy", 503, "busy"),
    ReadableResponse("HTTP/1.1 204 No Content\r\n\r\n", 204, ""),
    ReadableResponse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 200, ""),
]

/// Reads `raw` as it would arrive in two reads split at `split`, keeping what the reader has not
/// consumed, as a connection does; the status, the body pieces joined, and whether it ended.
func readSplit(_ raw: [UInt8], at split: Int) -> (status: Int?, body: [UInt8], complete: Bool, failed: Bool) {
    var reader = ResponseReader()
    var buffer: [UInt8] = []
    var consumed = 0
    var status: Int?
    var body: [UInt8] = []
    for part in [raw[..<split], raw[split...]] {
        buffer += part
        reading: while true {
            let step = buffer.withUnsafeBytes { raw in
                reader.consume(UnsafeRawBufferPointer(rebasing: raw[consumed...])) { body += $0 }
            }
            switch step {
            case .head(_, let used):
                consumed += used
                status = reader.head.status
            case .needMore(let used):
                consumed += used
                break reading
            case .complete(let used):
                consumed += used
                return (status, body, true, false)
            case .failed:
                return (status, body, false, true)
            }
        }
    }
    return (status, body, reader.endOfFile(), false)
}

@Test("the body is handed over without its framing, in every split of the bytes", arguments: readableResponses)
func responseBodyPieces(_ r: ReadableResponse) {
    for split in 0...r.raw.count {
        let read = readSplit(r.raw, at: split)
        #expect(read.status == r.status, "split at \(split)")
        #expect(String(decoding: read.body, as: UTF8.self) == r.body, "split at \(split)")
        #expect(read.complete && !read.failed, "split at \(split)")
    }
}

@Test func aMalformedAnswerSaysWhy() {
    var reader = ResponseReader()
    let chunked = bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
    var steps: [ResponseReader.Step] = []
    var consumed = 0
    while steps.count < 3 {
        let step = chunked.withUnsafeBytes { reader.consume(UnsafeRawBufferPointer(rebasing: $0[consumed...]), bodyBytes: nil) }
        steps.append(step)
        if case .head(_, let used) = step { consumed += used; continue }
        break
    }
    guard case .failed = steps.last else {
        Issue.record("expected a failure, got \(steps)")
        return
    }
    #expect(reader.error != nil)

    var small = ResponseReader(limits: HTTPLimits(maxHeadBytes: 64))
    let long = bytes("HTTP/1.1 200 OK\r\nX-Long: " + String(repeating: "a", count: 100) + "\r\n\r\n")
    guard case .failed = long.withUnsafeBytes({ small.consume($0) }) else {
        Issue.record("a head over the limit was read")
        return
    }
    #expect(small.error != nil)
}
