import Testing
@testable import TurnoutAnalysis

/// The tolerances are lines the fail tests honour: a canary just inside one is never rolled back
/// however much traffic shows it a little worse, one just outside is, and one on the line is
/// neither failed nor passed but said to be near it. Busy traffic (20,000 requests a second,
/// a quarter to the canary) over many looks, from seeded draws.
struct ToleranceBoundaryTests {
    /// One row: the canary's error rate above the baseline's (percentage points; tolerance 0.5)
    /// and its share of requests above 1.1 × the baseline's p99 relative to the baseline's share
    /// above its p99 (1 is the latency tolerance exactly).
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var errorIncrease: Double
        var latencyShare: Double
        var fails: Bool
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "errors +0.4 pp, p99 as baseline's", errorIncrease: 0.004, latencyShare: 0.6, fails: false),
        Case(name: "errors +0.45 pp", errorIncrease: 0.0045, latencyShare: 0.6, fails: false),
        // The error line is drawn at the baseline's rate two standard errors low, about 2 % above
        // the tolerance's ratio at this traffic: +0.55 pp takes longer than these looks to show.
        Case(name: "errors +0.6 pp", errorIncrease: 0.006, latencyShare: 0.6, fails: true),
        Case(name: "errors +0.75 pp", errorIncrease: 0.0075, latencyShare: 0.6, fails: true),
        Case(name: "p99 just inside +10 % (shares 0.95)", errorIncrease: 0, latencyShare: 0.95, fails: false),
        Case(name: "p99 just outside +10 % (shares 1.05)", errorIncrease: 0, latencyShare: 1.05, fails: true),
        Case(name: "p99 outside +10 % (shares 1.1)", errorIncrease: 0, latencyShare: 1.1, fails: true),
    ]

    static let baseRate = 0.005
    static let tail = 0.01
    static let looks = 1_500

    /// Runs one rollout-long step of `looks` one-second looks and returns the analyzer.
    static func run(_ c: Case, seed: UInt64, looks: Int = looks, baseRate: Double = baseRate) -> CanaryAnalyzer {
        var rng = TestRandom(seed: seed)
        var analyzer = CanaryAnalyzer(policy: AnalysisPolicy())
        analyzer.beginStep(canaryWeight: 0.25, latencyThresholds: [LatencyThreshold(quantile: 0.99, baselineQuantile: 160_000_000, tolerance: 0.1)])
        let nC: UInt64 = 5_000, nB: UInt64 = 15_000
        for _ in 0..<looks where analyzer.verdict != .fail {
            let canarySlow = rng.binomial(nC, tail * 1.2)
            let beyond = rng.binomial(nC, tail * c.latencyShare)
            let look = Look(
                canary: PoolCounts(requests: nC, errors: rng.binomial(nC, baseRate + c.errorIncrease), aboveBaselineBound: [max(canarySlow, beyond)],
                                   abovePassBound: [beyond], aboveFailBound: [beyond]),
                baseline: PoolCounts(requests: nB, errors: rng.binomial(nB, baseRate), aboveBaselineBound: [rng.binomial(nB, tail)],
                                     abovePassBound: [0], aboveFailBound: [0]),
                seconds: 1)
            analyzer.observe(look)
        }
        return analyzer
    }

    @Test(arguments: cases) func aCanaryIsFailedOnlyBeyondItsTolerance(_ c: Case) {
        for seed in UInt64(1)...4 {
            let analyzer = Self.run(c, seed: seed &* 7_919 &+ UInt64(c.name.utf8.count))
            #expect((analyzer.verdict == .fail) == c.fails, "seed \(seed): \(analyzer.verdict) after \(analyzer.stepSeconds) s: \(analyzer.reason)")
            if c.fails {
                let metric = c.errorIncrease > 0 ? "error rate" : "p99"
                #expect(analyzer.reason.contains(metric) && analyzer.reason.contains("beyond"), "\(analyzer.reason)")
            }
        }
    }

    @Test func aCanaryOnTheLineIsNeitherFailedNorPassedAndTheReasonSaysHowNear() {
        // Exactly at both tolerances: 100,000 canary requests a minute for 5 minutes.
        let analyzer = Self.run(Case(name: "on the line", errorIncrease: 0.005, latencyShare: 1, fails: false), seed: 11, looks: 300)
        #expect(analyzer.verdict == .continue, "\(analyzer.reason)")
        #expect(analyzer.reason.contains("error rate within about ±"), "\(analyzer.reason)")
        #expect(analyzer.reason.contains("p99 within about ±"), "\(analyzer.reason)")
        #expect(analyzer.reason.contains("of the tolerance"), "\(analyzer.reason)")
        #expect(analyzer.reason.contains("cannot tell yet"), "\(analyzer.reason)")
    }

    @Test func withinTolerancePassesInProvenModeAtHighTraffic() {
        let analyzer = Self.run(Case(name: "+0.1 pp, p99 +3 %", errorIncrease: 0.001, latencyShare: 0.7, fails: false), seed: 5, looks: 120)
        #expect(analyzer.verdict == .pass, "\(analyzer.reason)")
    }

    @Test func aCanaryThatFailsWhereTheBaselineNeverDoesIsFailed() {
        // No baseline error at all: the tolerance as a ratio has no finite value, and the canary's
        // own rate is tested against the baseline's upper bound + 0.5 pp.
        let bad = Self.run(Case(name: "1 % against 0", errorIncrease: 0.01, latencyShare: 0.6, fails: true), seed: 3, looks: 120, baseRate: 0)
        #expect(bad.verdict == .fail, "\(bad.reason)")
        #expect(bad.reason.contains("error rate"))
        for seed in UInt64(1)...4 {
            let fine = Self.run(Case(name: "0.3 % against 0", errorIncrease: 0.003, latencyShare: 0.6, fails: false), seed: seed, looks: 900, baseRate: 0)
            #expect(fine.verdict != .fail, "seed \(seed): \(fine.reason)")
        }
    }

    @Test func anIncidentOnBothPoolsDoesNotFailAHealthyCanary() {
        // A quiet baseline, then both pools at 5 % for two minutes: the canary's own rate leaps
        // past the bound learned before, but it is no worse than the baseline.
        var rng = TestRandom(seed: 17)
        var analyzer = CanaryAnalyzer(policy: AnalysisPolicy())
        analyzer.beginStep(canaryWeight: 0.05, latencyThresholds: nil)
        analyzer.latencyThresholds = []
        for t in 0..<600 {
            let p = (120..<240).contains(t) ? 0.05 : 0.0002
            analyzer.observe(Look(canary: PoolCounts(requests: 50, errors: rng.binomial(50, p)),
                                  baseline: PoolCounts(requests: 950, errors: rng.binomial(950, p)), seconds: 1))
        }
        #expect(analyzer.verdict != .fail, "\(analyzer.reason)")
    }
}

/// The "about ±x" of a reason near a tolerance line.
struct BoundaryWidthTests {
    @Test(arguments: [(0.99, 2.5758), (0.95, 1.9600), (0.999, 3.2905)])
    func theWidthIsTheTwoSidedNormalQuantileOfTheConfidence(_ confidence: Double, _ z: Double) {
        var policy = AnalysisPolicy()
        policy.confidence = confidence
        #expect(abs(CanaryAnalyzer(policy: policy).boundaryZ - z) < 0.001)
    }
}
