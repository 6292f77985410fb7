import Testing
import TurnoutMirror

/// Counting, the compare limit, the prefix, and storage reuse across `reset`.
struct AnswerRecorderTests {
    static func body(_ length: Int) -> [UInt8] {
        (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
    }

    static func digest(of bytes: [UInt8]) -> UInt64 {
        var digest = BodyDigest()
        bytes.withUnsafeBytes { digest.update($0) }
        return digest.value
    }

    /// Records `bytes` in pieces of at most `piece` bytes.
    static func record(_ bytes: [UInt8], into recorder: inout AnswerRecorder, piece: Int) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let end = min(offset + piece, buffer.count)
                recorder.record(UnsafeRawBufferPointer(rebasing: buffer[offset..<end]))
                offset = end
            }
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var length: Int
        var limit: Int
        var complete: Bool
        var testDescription: String { "\(length) bytes, limit \(limit)" }
    }

    static let cases: [Case] = [
        Case(length: 0, limit: 0, complete: true),
        Case(length: 0, limit: 100, complete: true),
        Case(length: 1, limit: 0, complete: false),
        Case(length: 100, limit: 100, complete: true),
        Case(length: 101, limit: 100, complete: false),
        Case(length: 1000, limit: 100, complete: false),
        Case(length: 300, limit: 65536, complete: true),
        Case(length: 10, limit: -5, complete: false),
    ]

    @Test(arguments: cases)
    func countsAllBytesAndDigestsWithinTheLimit(c: Case) {
        let bytes = Self.body(c.length)
        let covered = Array(bytes.prefix(max(0, c.limit)))
        for piece in [1, 3, 8, 64, 4096] {
            var recorder = AnswerRecorder(compareLimit: c.limit)
            Self.record(bytes, into: &recorder, piece: piece)
            let answer = recorder.digest(status: 201)
            #expect(answer == AnswerDigest(status: 201, bodyBytes: Int64(c.length),
                                           digest: Self.digest(of: covered), complete: c.complete), "piece \(piece)")
            #expect(recorder.bodyBytes == Int64(c.length))
            #expect(recorder.prefix == Array(bytes.prefix(AnswerRecorder.prefixLimit)), "piece \(piece)")
        }
    }

    @Test func resetStartsOverWithANewLimit() {
        var recorder = AnswerRecorder(compareLimit: 4)
        Self.record(Self.body(50), into: &recorder, piece: 7)
        recorder.reset(compareLimit: 1000)
        #expect(recorder.bodyBytes == 0)
        #expect(recorder.prefix.isEmpty)
        Self.record(Array("hello".utf8), into: &recorder, piece: 2)
        #expect(recorder.digest(status: 200) == AnswerDigest(status: 200, bodyBytes: 5,
                                                             digest: Self.digest(of: Array("hello".utf8)), complete: true))
        #expect(recorder.prefix == Array("hello".utf8))
    }

    /// The data path reuses recorders: after the first answer the prefix keeps its storage, so
    /// later answers record into the same memory and allocate nothing for it.
    @Test func resetKeepsThePrefixStorage() {
        func storage(_ recorder: AnswerRecorder) -> (UnsafeRawPointer?, Int) {
            recorder.prefix.withUnsafeBufferPointer { (UnsafeRawPointer($0.baseAddress), recorder.prefix.capacity) }
        }
        var recorder = AnswerRecorder(compareLimit: 1 << 20)
        Self.record(Self.body(5000), into: &recorder, piece: 1000)
        let (first, capacity) = storage(recorder)
        #expect(capacity >= AnswerRecorder.prefixLimit)
        for round in 0..<5 {
            recorder.reset(compareLimit: 1 << 20)
            Self.record(Self.body(300 + round), into: &recorder, piece: 17)
            #expect(storage(recorder).0 == first, "round \(round)")
        }
    }
}
