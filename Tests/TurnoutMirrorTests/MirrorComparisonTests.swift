import Testing
import TurnoutMirror

/// Every branch of the comparison, as a table (this also covers `MirrorVerdict`'s cases).
struct MirrorComparisonTests {
    static func answer(_ status: Int, _ bytes: Int64 = 10, _ digest: UInt64 = 0xA, complete: Bool = true) -> AnswerDigest {
        AnswerDigest(status: status, bodyBytes: bytes, digest: digest, complete: complete)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var primary: AnswerDigest
        var shadow: AnswerDigest
        var second: AnswerDigest?
        var verdict: MirrorVerdict
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "same answer", primary: answer(200), shadow: answer(200), verdict: .matched),
        Case(name: "status within class", primary: answer(200), shadow: answer(204), verdict: .statusMismatch(sameClass: true)),
        Case(name: "status across classes", primary: answer(200), shadow: answer(500), verdict: .statusMismatch(sameClass: false)),
        Case(name: "status differs, bodies incomplete", primary: answer(404, complete: false), shadow: answer(502, complete: false),
             verdict: .statusMismatch(sameClass: false)),
        Case(name: "different digest", primary: answer(200), shadow: answer(200, 10, 0xB), verdict: .bodyMismatch),
        Case(name: "different length", primary: answer(200), shadow: answer(200, 11), verdict: .bodyMismatch),
        Case(name: "primary incomplete", primary: answer(200, complete: false), shadow: answer(200), verdict: .notCompared),
        Case(name: "shadow incomplete", primary: answer(200), shadow: answer(200, 99, 0xB, complete: false), verdict: .notCompared),
        Case(name: "primaries agree, shadow matches", primary: answer(200), shadow: answer(200), second: answer(200), verdict: .matched),
        Case(name: "primaries agree, shadow body differs", primary: answer(200), shadow: answer(200, 10, 0xB), second: answer(200),
             verdict: .bodyMismatch),
        Case(name: "primaries agree, shadow status differs", primary: answer(200), shadow: answer(503), second: answer(200),
             verdict: .statusMismatch(sameClass: false)),
        Case(name: "primaries' statuses differ", primary: answer(200), shadow: answer(500), second: answer(201), verdict: .noise),
        Case(name: "primaries' digests differ", primary: answer(200), shadow: answer(200, 10, 0xC), second: answer(200, 10, 0xB),
             verdict: .noise),
        Case(name: "primaries' lengths differ, shadow matches", primary: answer(200), shadow: answer(200), second: answer(200, 12),
             verdict: .noise),
        Case(name: "second primary incomplete and different: no noise", primary: answer(200), shadow: answer(200, 10, 0xB),
             second: answer(200, 5000, 0xD, complete: false), verdict: .bodyMismatch),
        Case(name: "primary incomplete: primaries cannot disagree on bodies", primary: answer(200, complete: false),
             shadow: answer(200), second: answer(200, 3, 0xE), verdict: .notCompared),
    ]

    @Test(arguments: cases)
    func verdict(c: Case) {
        #expect(MirrorComparison.verdict(primary: c.primary, shadow: c.shadow, secondPrimary: c.second) == c.verdict)
    }
}
