import Glibc
import Testing
@testable import TurnoutAnalysis

/// The statistic against values computed by hand, and its guarantee by simulation.
struct ShareTestTests {
    @Test func oneLookMatchesTheBinomialLikelihoodRatio() {
        // One component r = 2 with weight 1: LR = (θ1/θ0)^x ((1−θ1)/(1−θ0))^(E−x).
        let grid = MixtureGrid(ratios: [2], weights: [1])
        var test = ShareTest(direction: .worse, alpha: 0.01, grid: grid)
        test.observe(canaryRequests: 50, baselineRequests: 950, canaryEvents: 3, baselineEvents: 5, nullRatio: 1)
        let theta0 = 50.0 / 1000, theta1 = 100.0 / 1050
        let expected = 3 * log(theta1 / theta0) + 5 * log((1 - theta1) / (1 - theta0))
        #expect(abs(test.logEvidence - expected) < 1e-12)
        #expect(!test.rejected)
    }

    @Test func nullRatioShiftsTheShare() {
        // Null ratio 2 at 50/50 traffic: θ0 = 2/3; alternative r = 1.5 → ratio 3, θ1 = 3/4.
        let grid = MixtureGrid(ratios: [1.5], weights: [1])
        var test = ShareTest(direction: .worse, alpha: 0.01, grid: grid)
        test.observe(canaryRequests: 100, baselineRequests: 100, canaryEvents: 7, baselineEvents: 2, nullRatio: 2)
        let expected = 7 * log(0.75 / (2.0 / 3)) + 2 * log(0.25 / (1.0 / 3))
        #expect(abs(test.logEvidence - expected) < 1e-12)
    }

    @Test func mixtureIsTheWeightedAverageOfComponents() {
        let grid = MixtureGrid(ratios: [1.5, 3], weights: [1, 3])
        var test = ShareTest(direction: .worse, alpha: 0.01, grid: grid)
        test.observe(canaryRequests: 10, baselineRequests: 90, canaryEvents: 4, baselineEvents: 6, nullRatio: 1)
        func lr(_ r: Double) -> Double {
            let t0 = 0.1, t1 = 0.1 * r / (0.1 * r + 0.9)
            return pow(t1 / t0, 4) * pow((1 - t1) / (1 - t0), 6)
        }
        #expect(abs(test.evidence - (0.25 * lr(1.5) + 0.75 * lr(3))) < 1e-9)
    }

    @Test func temperingDividesTheLogEvidence() {
        var plain = ShareTest(direction: .worse, alpha: 0.01, grid: MixtureGrid(ratios: [2], weights: [1]))
        var tempered = ShareTest(direction: .worse, alpha: 0.01, grid: MixtureGrid(ratios: [2], weights: [1]), dispersion: 2)
        plain.observe(canaryRequests: 50, baselineRequests: 950, canaryEvents: 6, baselineEvents: 20, nullRatio: 1)
        tempered.observe(canaryRequests: 50, baselineRequests: 950, canaryEvents: 6, baselineEvents: 20, nullRatio: 1)
        #expect(abs(tempered.logEvidence - plain.logEvidence / 2) < 1e-12)
    }

    @Test func betterDirectionRejectsWhenCanaryIsClearlyBelowTheMargin() {
        var test = ShareTest(direction: .better, alpha: 0.01)
        for _ in 0..<200 {
            test.observe(canaryRequests: 500, baselineRequests: 500, canaryEvents: 5, baselineEvents: 5, nullRatio: 2)
        }
        #expect(test.rejected)
    }

    /// The guarantee: healthy canaries under continuous monitoring (a look per second, weight
    /// steps, a base rate that drifts and spikes tenfold) are flagged in at most α of rollouts.
    @Test func falseAlarmRateStaysUnderAlphaWithContinuousMonitoring() {
        var rng = TestRandom(seed: 2024)
        let alpha = 0.05, rollouts = 1_000
        var alarms = 0
        for rollout in 0..<rollouts {
            var test = ShareTest(direction: .worse, alpha: alpha)
            for second in 0..<300 {
                let weight = second < 100 ? 0.05 : (second < 200 ? 0.25 : 0.5)
                let spike = (second + rollout) % 300 < 40 ? 10.0 : 1.0
                let p = 0.005 * (1 + 0.5 * sin(Double(second) / 30)) * spike
                let nC = UInt64(1_000 * weight), nB = 1_000 - nC
                let xC = rng.binomial(nC, p), xB = rng.binomial(nB, p)
                if test.observe(canaryRequests: nC, baselineRequests: nB, canaryEvents: xC, baselineEvents: xB, nullRatio: 1) {
                    alarms += 1
                    break
                }
            }
        }
        // Ville: P(ever ≥ 1/α) ≤ α. Allow three standard errors of the estimate above α.
        let bound = alpha + 3 * (alpha * (1 - alpha) / Double(rollouts)).squareRoot()
        #expect(Double(alarms) / Double(rollouts) <= bound)
    }

    @Test func detectsADoubledErrorRate() {
        var rng = TestRandom(seed: 7)
        var detected = 0
        for _ in 0..<100 {
            var test = ShareTest(direction: .worse, alpha: 0.005)
            for _ in 0..<600 where !test.rejected {
                let xC = rng.binomial(50, 0.01), xB = rng.binomial(950, 0.005)
                test.observe(canaryRequests: 50, baselineRequests: 950, canaryEvents: xC, baselineEvents: xB, nullRatio: 1)
            }
            if test.rejected { detected += 1 }
        }
        #expect(detected >= 95)
    }
}

/// The one-sample test of the canary's own rate, on both sides of a bound.
struct RateBoundTestTests {
    @Test func aboveRejectsARateClearlyPastTheBoundAndNotOneBelowIt() {
        var rng = TestRandom(seed: 21)
        var past = RateBoundTest(direction: .above, bound: 0.01, alpha: 0.005)
        var below = RateBoundTest(direction: .above, bound: 0.01, alpha: 0.005)
        for _ in 0..<2_000 {
            past.observe(requests: 200, errors: rng.binomial(200, 0.02))
            below.observe(requests: 200, errors: rng.binomial(200, 0.008))
        }
        #expect(past.rejected)
        #expect(!below.rejected)
    }

    @Test func aFailingEveryRequestCanaryIsShownAboveAtOnce() {
        var test = RateBoundTest(direction: .above, bound: 0.0055, alpha: 0.0025)
        let rejected = test.observe(requests: 50, errors: 50)
        #expect(rejected)
    }

    @Test func belowShowsAnErrorFreeCanaryUnderTheBoundAfterAboutTwoThousandRequests() {
        var test = RateBoundTest(direction: .below, bound: 0.005, alpha: 0.005)
        var requests = 0
        while !test.rejected && requests < 10_000 {
            test.observe(requests: 50, errors: 0)
            requests += 50
        }
        #expect(test.rejected && requests > 1_500 && requests < 3_000, "\(requests) requests, evidence \(test.evidence)")
    }

    @Test func falseAlarmsOfAboveStayUnderAlphaAtTheBound() {
        var rng = TestRandom(seed: 99)
        var alarms = 0
        for _ in 0..<400 {
            var test = RateBoundTest(direction: .above, bound: 0.01, alpha: 0.05)
            for _ in 0..<200 where !test.rejected { test.observe(requests: 100, errors: rng.binomial(100, 0.01)) }
            if test.rejected { alarms += 1 }
        }
        #expect(alarms <= 30, "\(alarms) of 400 at α 0.05")
    }
}
