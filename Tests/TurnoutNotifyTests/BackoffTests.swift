import Testing
@testable import TurnoutNotify

/// The backoff's table: exponential from the base, capped, and jittered within a known band.
@Suite struct BackoffTests {
    @Test(arguments: [
        // (failures, ceiling ms) for the defaults: 500 ms doubling, capped at 30 s.
        (0, 0), (1, 500), (2, 1_000), (3, 2_000), (4, 4_000), (5, 8_000), (6, 16_000), (7, 30_000), (8, 30_000),
        (40, 30_000), (100, 30_000), (Int.max, 30_000),
    ])
    func ceilingsDoubleUpToTheCap(failures: Int, ceiling: Int) {
        #expect(Backoff().ceilingMs(afterFailures: failures) == ceiling)
    }

    @Test(arguments: [
        // (failures, unit draw, delay ms) with jitter 0.5: between half the ceiling and all of it.
        (1, 0.0, 500), (1, 0.5, 375), (1, 0.999, 250), (3, 0.0, 2_000), (3, 0.25, 1_750), (3, 1.0, 1_000),
        (9, 0.0, 30_000), (9, 0.5, 22_500), (9, 1.0, 15_000),
    ])
    func jitterTakesAtMostItsShare(failures: Int, unit: Double, delay: Int) {
        #expect(Backoff().delayMs(afterFailures: failures, unit: unit) == delay)
    }

    @Test func capBelowTheBaseWins() {
        let backoff = Backoff(baseMs: 1_000, capMs: 300, jitter: 0)
        #expect((1...5).map { backoff.ceilingMs(afterFailures: $0) } == [300, 300, 300, 300, 300])
    }

    @Test func noJitterIsExactAndFullJitterReachesZero() {
        let exact = Backoff(baseMs: 100, capMs: 1_000, jitter: 0)
        #expect((1...6).map { exact.delayMs(afterFailures: $0, unit: 0.9) } == [100, 200, 400, 800, 1_000, 1_000])
        let full = Backoff(baseMs: 100, capMs: 1_000, jitter: 1)
        #expect(full.delayMs(afterFailures: 2, unit: 1) == 0)
        #expect(full.delayMs(afterFailures: 2, unit: 0) == 200)
    }

    @Test func outOfRangeSettingsAndDrawsAreClamped() {
        let backoff = Backoff(baseMs: -5, capMs: -1, jitter: 3)
        #expect(backoff.baseMs == 0 && backoff.capMs == 0 && backoff.jitter == 1)
        #expect(Backoff().delayMs(afterFailures: 1, unit: -1) == 500)
        #expect(Backoff().delayMs(afterFailures: 1, unit: 7) == 250)
    }
}
