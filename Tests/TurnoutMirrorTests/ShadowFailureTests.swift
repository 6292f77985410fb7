import Testing
import TurnoutMirror

/// The failure names are wire spellings, and each failure has its own counter.
struct ShadowFailureTests {
    @Test func namesAreTheJSONSpelling() {
        #expect(ShadowFailure.allCases.map(\.rawValue) == ["connect", "reset", "timeout", "invalid"])
    }

    @Test(arguments: ShadowFailure.allCases)
    func eachFailureCountsOnlyItself(failure: ShadowFailure) {
        var counts = MirrorCounts()
        counts.recordFailure(failure)
        counts.recordFailure(failure)
        for other in ShadowFailure.allCases {
            #expect(counts.errors(other) == (other == failure ? 2 : 0), "\(other)")
        }
        #expect(counts.shadowErrors.count == 4)
    }
}
