import Glibc
import Testing
@testable import TurnoutAnalysis

/// The baseline's recent error rate behind the absolute tolerance's fail line.
struct RecentRateTests {
    @Test func aWindowBeforeTheStartCountsAsTheWeightingWouldHaveKeptIt() {
        var rate = RecentRate()
        #expect(rate.estimate == nil && rate.lowerBound == nil && rate.upperBound == nil)
        // 5 minutes at 1,000 requests/s and 0.5 %: the last minute or so of it is what counts.
        rate.add(window: 300_000, events: 1_500, seconds: 300)
        let kept = RecentRate.timeConstant * 1_000 * (1 - exp(-300 / RecentRate.timeConstant))
        #expect(abs(rate.requests - kept) < 1)
        #expect(abs(rate.estimate! - 0.005) < 1e-12)
        // The same traffic look by look ends where the window put it.
        var looks = RecentRate()
        for _ in 0..<300 { looks.add(requests: 1_000, events: 5, seconds: 1) }
        #expect(abs(looks.requests - rate.requests) / rate.requests < 0.01)
    }

    @Test func theEstimateFollowsAChangedRateWithinMinutes() {
        var rate = RecentRate()
        rate.add(window: 300_000, events: 15_000, seconds: 300) // an incident: 5 %
        for _ in 0..<60 { rate.add(requests: 1_000, events: 5, seconds: 1) }
        #expect(rate.estimate! > 0.005 && rate.estimate! < 0.05)
        for _ in 0..<240 { rate.add(requests: 1_000, events: 5, seconds: 1) }
        #expect(abs(rate.estimate! - 0.005) < 0.001, "\(rate.estimate!)")
    }

    @Test func boundsSitAStandardErrorBelowAndTwoAbove() {
        var rate = RecentRate()
        for _ in 0..<600 { rate.add(requests: 1_000, events: 5, seconds: 1) }
        let x = rate.events, n = rate.requests
        #expect(abs(rate.lowerBound! - (x.squareRoot() - 0.5) * (x.squareRoot() - 0.5) / n) < 1e-12)
        #expect(rate.lowerBound! < rate.estimate! && rate.estimate! < rate.upperBound!)
        #expect(rate.upperBound! - rate.estimate! > 1.5 * (rate.estimate! - rate.lowerBound!))
        // No event at all: nothing below 0, and about 3/n above.
        var clean = RecentRate()
        clean.add(requests: 10_000, events: 0, seconds: 1)
        #expect(clean.lowerBound == 0)
        #expect(clean.upperBound! > 2.5 / 10_000 && clean.upperBound! < 3.5 / 10_000)
    }
}
