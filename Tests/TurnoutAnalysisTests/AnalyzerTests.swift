import Glibc
import Testing
import TurnoutMetrics
@testable import TurnoutAnalysis

/// The analyzer's verdicts, thresholds, likelihood and report.
struct AnalyzerTests {
    /// A look with 1,000 requests split at `weight`, with exact expected counts. `canaryBeyond`
    /// counts the canary's requests above the tolerance line (both of its rounded bounds).
    static func look(weight: Double, canaryErrors: UInt64, baselineErrors: UInt64,
                     canarySlow: UInt64, canaryBeyond: UInt64, baselineSlow: UInt64) -> Look {
        let nC = UInt64(1_000 * weight)
        return Look(canary: PoolCounts(requests: nC, errors: canaryErrors, aboveBaselineBound: [canarySlow],
                                       abovePassBound: [canaryBeyond], aboveFailBound: [canaryBeyond]),
                    baseline: PoolCounts(requests: 1_000 - nC, errors: baselineErrors, aboveBaselineBound: [baselineSlow],
                                         abovePassBound: [0], aboveFailBound: [0]),
                    seconds: 1)
    }

    static let thresholds = [LatencyThreshold(quantile: 0.99, baselineQuantile: 160_000_000, tolerance: 0.1)]

    @Test func thresholdsAreBucketBoundsOnEitherSideOfTheToleranceLine() {
        let t = Self.thresholds[0]
        let line = Double(t.baselineBound) * 1.1
        #expect(t.baselineBound == HistogramLayout.bucketUpperBound(containing: 160_000_000))
        #expect(Double(t.passBound) <= line && Double(t.passBound) >= line * (1 - 1 / 128))
        #expect(Double(t.failBound) >= line && Double(t.failBound) <= line * (1 + 1 / 128))
        for bound in [t.passBound, t.failBound] {
            #expect(HistogramLayout.bucketUpperBound(containing: bound) == bound)
        }
        // With no tolerance all three are the baseline's bound.
        let exact = LatencyThreshold(quantile: 0.99, baselineQuantile: 160_000_000, tolerance: 0)
        #expect(exact.passBound == exact.baselineBound && exact.failBound == exact.baselineBound)
    }

    @Test func healthyCanaryPassesAfterHoldAndMinRequests() {
        var analyzer = CanaryAnalyzer(policy: AnalysisPolicy())
        analyzer.beginStep(canaryWeight: 0.5, latencyThresholds: Self.thresholds)
        var verdicts: [Verdict] = []
        for _ in 0..<120 {
            // 0.5 % errors in both pools; 1 % slow in both; the canary's tail past +10 % is 0.5 %.
            verdicts.append(analyzer.observe(Self.look(weight: 0.5, canaryErrors: 3, baselineErrors: 3,
                                                       canarySlow: 5, canaryBeyond: 2, baselineSlow: 5)))
        }
        #expect(!verdicts.contains(.fail))
        let firstPass = verdicts.firstIndex(of: .pass)
        #expect(firstPass != nil)
        #expect((firstPass ?? 0) + 1 >= 30) // minimum hold
        let report = analyzer.report()
        #expect(report.verdict == .pass)
        #expect(report.metrics.count == 2)
        #expect(report.metrics[0].ratioInterval.contains(1))
        #expect(report.metrics[0].ratioInterval.upperBound < 2)
        #expect(report.text.contains("p99 latency"))
    }

    @Test func errorsWellBeyondTheToleranceFailAndStayFailed() {
        var analyzer = CanaryAnalyzer(policy: AnalysisPolicy())
        analyzer.beginStep(canaryWeight: 0.25, latencyThresholds: Self.thresholds)
        var verdict = Verdict.continue
        for _ in 0..<120 where verdict != .fail {
            // 2.4 % against 0.53 % + 0.5 pp.
            verdict = analyzer.observe(Self.look(weight: 0.25, canaryErrors: 6, baselineErrors: 4,
                                                 canarySlow: 2, canaryBeyond: 1, baselineSlow: 8))
        }
        #expect(verdict == .fail)
        #expect(analyzer.reason.contains("error rate") && analyzer.reason.contains("beyond the tolerance"), "\(analyzer.reason)")
        analyzer.beginStep(canaryWeight: 0.5)
        #expect(analyzer.verdict == .fail)
    }

    @Test func slowTailFailsOnLatency() {
        var analyzer = CanaryAnalyzer(policy: AnalysisPolicy())
        analyzer.beginStep(canaryWeight: 0.5, latencyThresholds: Self.thresholds)
        var verdict = Verdict.continue
        for _ in 0..<120 where verdict != .fail {
            verdict = analyzer.observe(Self.look(weight: 0.5, canaryErrors: 2, baselineErrors: 2,
                                                 canarySlow: 10, canaryBeyond: 8, baselineSlow: 5))
        }
        #expect(verdict == .fail)
        #expect(analyzer.reason.contains("p99"))
    }

    @Test func histogramPathBurnsInThresholdsBeforeTestingLatency() {
        var analyzer = CanaryAnalyzer(policy: AnalysisPolicy())
        analyzer.beginStep(canaryWeight: 0.5)
        var canary = Histogram(), baseline = Histogram()
        for i in 0..<1_000 {
            canary.record(UInt64(1_000_000 + i * 1_000))
            baseline.record(UInt64(1_000_000 + i * 1_000))
        }
        #expect(analyzer.latencyThresholds.isEmpty)
        // 5,000 baseline requests (50 above p99) fix the thresholds; not before.
        for look in 0..<5 {
            #expect(analyzer.latencyThresholds.isEmpty, "look \(look)")
            analyzer.observe(canary: PoolWindow(requests: 1_000, errors: 5, latency: canary),
                             baseline: PoolWindow(requests: 1_000, errors: 5, latency: baseline), seconds: 1)
        }
        #expect(analyzer.latencyThresholds.count == 1)
        let t = analyzer.latencyThresholds[0].baselineBound
        #expect(t > 1_970_000 && t < 2_010_000)
    }

    @Test func likelihoodEstimateAndIntervalCoverTheTruth() {
        var likelihood = RatioLikelihood()
        // Canary rate exactly twice baseline's at 50/50 traffic, lots of data.
        for _ in 0..<200 {
            likelihood.observe(canaryRequests: 500, baselineRequests: 500, canaryEvents: 10, baselineEvents: 5)
        }
        let estimate = likelihood.estimate!
        #expect(abs(estimate - 2) / 2 < 0.06)
        let interval = likelihood.interval(alpha: 0.01)
        #expect(interval.contains(2))
        #expect(!interval.contains(1.5) && !interval.contains(2.7))
        #expect(RatioLikelihood().interval(alpha: 0.01) == 0...Double.infinity)
    }

    @Test func dispersionEstimateGrowsWithBurstsOnly() {
        var steady = DispersionEstimate(), bursty = DispersionEstimate()
        var rng = TestRandom(seed: 3)
        for look in 0..<600 {
            steady.observe(canaryRequests: 500, baselineRequests: 500, canaryEvents: rng.binomial(500, 0.01), baselineEvents: rng.binomial(500, 0.01))
            let burst = (look / 10) % 3 == 0 ? 0.03 : 0.0
            bursty.observe(canaryRequests: 500, baselineRequests: 500, canaryEvents: rng.binomial(500, 0.005 + burst), baselineEvents: rng.binomial(500, 0.015))
        }
        // 5 canary events per look: φ = 1 + κ·50 per block.
        #expect(steady.value(canaryEventsPerLook: 5) < 1.5)
        #expect(bursty.value(canaryEventsPerLook: 5) > 3)
    }

    /// Between the canary's servers, a regression of the whole canary is not dispersion, and one
    /// bursty server is: the point of giving the analyzer per-server counts.
    @Test func serverDispersionIgnoresAUniformRegressionAndSeesOneBurstyServer() {
        var uniform = DispersionEstimate(), oneBursty = DispersionEstimate()
        var rng = TestRandom(seed: 5)
        for look in 0..<600 {
            // Four servers at twice a 1 % rate.
            uniform.observe(servers: (0..<4).map { _ in PoolCounts(requests: 250, errors: rng.binomial(250, 0.02)) }) { $0.errors }
            // Server 0 at 2 % or 0 % in alternating 10-look blocks (1 % on average); the rest at 1 %.
            let rate0 = (look / 10) % 2 == 0 ? 0.02 : 0.0
            oneBursty.observe(servers: (0..<4).map { s in
                PoolCounts(requests: 250, errors: rng.binomial(250, s == 0 ? rate0 : 0.01))
            }) { $0.errors }
        }
        #expect(uniform.kappa < 0.02)
        // Server 0's rate factor is 0 or 2 (variance 1) on a quarter of the canary's traffic:
        // κ = 1 · (1/4)² = 0.0625 for the canary's total.
        #expect(oneBursty.kappa > 0.04 && oneBursty.kappa < 0.09)
    }

    /// One block of two groups, against the Pearson statistic and κ computed by hand.
    @Test func dispersionBlockMatchesAHandComputation() {
        var estimate = DispersionEstimate()
        for _ in 0..<DispersionEstimate.blockLooks {
            // Per block: canary 1,000 requests and 30 events; baseline 1,000 requests and 10 events.
            estimate.observe(canaryRequests: 100, baselineRequests: 100, canaryEvents: 3, baselineEvents: 1)
        }
        // First block: no earlier rates, so expected 20 and 20. Pearson = 10²/20 + 10²/20 = 10,
        // 1 degree of freedom, λ = 30 canary events: κ = (30·9 + prior) / (1·30² + prior weight).
        let prior = DispersionEstimate.priorKappa * DispersionEstimate.priorWeight
        let expected = (30 * 9 + prior) / (900 + DispersionEstimate.priorWeight)
        #expect(abs(estimate.kappa - expected) < 1e-12)
        #expect(abs(estimate.value(canaryEventsPerLook: 2) - (1 + expected * 20)) < 1e-12)
    }

    @Test func policyMapsTheConfigBlock() {
        let policy = AnalysisPolicy(confidence: 0.99, maxErrorRateIncrease: 0.005, maxLatencyIncrease: 0.1,
                                    latencyQuantile: 0.99, minRequests: 500)
        #expect(policy.errorTolerance == .absolute(0.005))
        #expect(abs(policy.errorFailAlpha + policy.latencyFailAlpha - 0.01) < 1e-12)
    }
}
