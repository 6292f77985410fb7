import Testing
@testable import TurnoutMirror

@Test func anEmptyDigestStartsAtZero() {
    #expect(BodyDigest().value == 0)
}
