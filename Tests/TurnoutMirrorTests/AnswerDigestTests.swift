import Foundation
import Testing
import TurnoutMirror

/// The digest's JSON form keeps every field, including digests above `Int64.max`.
struct AnswerDigestTests {
    @Test(arguments: [
        AnswerDigest(status: 200, bodyBytes: 0, digest: 0, complete: true),
        AnswerDigest(status: 503, bodyBytes: 1 << 40, digest: .max, complete: false),
        AnswerDigest(status: 204, bodyBytes: 12, digest: 0x8000_0000_0000_0001, complete: true),
    ])
    func survivesAJSONRoundTrip(answer: AnswerDigest) throws {
        let data = try JSONEncoder().encode(answer)
        #expect(try JSONDecoder().decode(AnswerDigest.self, from: data) == answer)
    }
}
