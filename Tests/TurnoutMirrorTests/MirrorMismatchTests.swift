import Testing
import TurnoutMirror

/// Mismatch records for the report tests, and the kinds' spelling in GET /mirror.
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
    func kindsAreSpelledForJSON(kind: MismatchKind, spelling: String) {
        #expect(kind.rawValue == spelling)
    }
}
