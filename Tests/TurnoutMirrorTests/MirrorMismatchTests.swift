import Foundation
import Testing
import TurnoutMirror

/// A mismatch's JSON form: every field survives, and the kind uses its wire spelling.
struct MirrorMismatchTests {
    static func mismatch(at: Double, kind: MismatchKind = .body, path: String = "/") -> MirrorMismatch {
        MirrorMismatch(at: at, key: MirrorKey(route: "routes[0]", pool: "blue", shadow: "green"), kind: kind,
                       method: "GET", path: path,
                       primary: RecordedAnswer(status: 200, bodyBytes: 2, digest: 1, complete: true,
                                               prefix: Array("ok".utf8), latencyNanoseconds: 1_500_000),
                       shadow: RecordedAnswer(status: 500, bodyBytes: 70_000, digest: .max, complete: false,
                                              prefix: [0, 255], latencyNanoseconds: 9_000_000))
    }

    @Test(arguments: [(MismatchKind.status, "status"), (.body, "body"), (.notCompared, "not_compared")])
    func survivesAJSONRoundTrip(kind: MismatchKind, spelling: String) throws {
        let original = Self.mismatch(at: 1_800_000_000.25, kind: kind, path: "/a?b=c")
        let data = try JSONEncoder().encode(original)
        #expect(try JSONDecoder().decode(MirrorMismatch.self, from: data) == original)
        let object = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["kind"] as? String == spelling)
    }
}
