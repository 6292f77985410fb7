import Testing
import TurnoutMetrics

/// Counters: increment, merge across loops, windows.
struct CounterTests {
    @Test func incrementMergeAndWindow() {
        var a = Counter(), b = Counter(5)
        a.increment()
        a.increment(by: 9)
        let start = a
        a.increment(by: 3)
        b.merge(a)
        #expect(a.value == 13)
        #expect(b.value == 18)
        #expect(a.subtracting(start).value == 3)
    }
}
