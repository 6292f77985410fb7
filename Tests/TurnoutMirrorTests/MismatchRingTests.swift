import Testing
import TurnoutMirror

/// The ring keeps the newest, wraps in place, and merges several workers' lists by time.
struct MismatchRingTests {
    static func mismatch(_ at: Double, _ path: String = "/") -> MirrorMismatch {
        MirrorMismatchTests.mismatch(at: at, path: path)
    }

    @Test(arguments: [0, 1, 3, 5, 6, 13, 100])
    func keepsTheNewestAfterAnyNumberOfAppends(appended: Int) {
        var ring = MismatchRing(capacity: 5)
        for i in 0..<appended { ring.append(Self.mismatch(Double(i))) }
        let kept = min(appended, 5)
        #expect(ring.count == kept)
        #expect(ring.newestFirst.map(\.at) == (0..<kept).map { Double(appended - 1 - $0) })
    }

    @Test func wrappingReusesTheStorage() {
        var ring = MismatchRing(capacity: 4)
        for i in 0..<4 { ring.append(Self.mismatch(Double(i))) }
        let first = ring.newestFirst
        for i in 4..<40 { ring.append(Self.mismatch(Double(i))) }
        #expect(ring.count == 4)
        #expect(ring.newestFirst.map(\.at) == [39, 38, 37, 36])
        #expect(first.map(\.at) == [3, 2, 1, 0], "an earlier read is a copy, untouched by later appends")
    }

    @Test func aRingOfNoCapacityKeepsNothing() {
        var ring = MismatchRing(capacity: 0)
        ring.append(Self.mismatch(1))
        #expect(ring.count == 0 && ring.newestFirst.isEmpty)
    }

    @Test func theDefaultCapacityIsAHundred() {
        var ring = MismatchRing()
        for i in 0..<150 { ring.append(Self.mismatch(Double(i))) }
        #expect(ring.count == 100)
        #expect(ring.newestFirst.first?.at == 149 && ring.newestFirst.last?.at == 50)
    }

    @Test func mergeOrdersByTimeAndKeepsTheNewest() {
        let a = [9.0, 6, 2].map { Self.mismatch($0, "/a") }
        let b = [8.0, 7, 1].map { Self.mismatch($0, "/b") }
        let c: [MirrorMismatch] = []
        #expect(MismatchRing.merge([a, b, c]).map(\.at) == [9, 8, 7, 6, 2, 1])
        #expect(MismatchRing.merge([a, b, c], capacity: 4).map(\.at) == [9, 8, 7, 6])
        #expect(MismatchRing.merge([], capacity: 4).isEmpty)
    }

    @Test func mergeBreaksTiesByListThenPosition() {
        let a = [Self.mismatch(5, "/a1"), Self.mismatch(5, "/a2")]
        let b = [Self.mismatch(6, "/b1"), Self.mismatch(5, "/b2")]
        #expect(MismatchRing.merge([a, b]).map(\.path) == ["/b1", "/a1", "/a2", "/b2"])
        #expect(MismatchRing.merge([b, a]).map(\.path) == ["/b1", "/b2", "/a1", "/a2"])
    }
}
