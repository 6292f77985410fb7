import Glibc
import Testing
import TurnoutMetrics
@testable import TurnoutAnalysis

/// The guarded switch's judge against a reference that is itself a sample: a new pool as good as
/// the old one (or within the tolerances) is switched back at most 1 − confidence of the time over
/// a whole watch of looks every second, one clearly worse is switched back within seconds, and a
/// reference too small to judge against is refused with the number it needs. Seeded draws.
struct GuardJudgeTests {
    /// A service's latency: levels from 20 ms up, each less likely, so the p99 sits among them.
    static let levels: [(ms: Double, share: Double)] = {
        let raw = (0..<24).map { i in (ms: 20 * pow(1.12, Double(i)), weight: exp(-Double(i) / 2.2)) }
        let total = raw.reduce(0) { $0 + $1.weight }
        return raw.map { ($0.ms, $0.weight / total) }
    }()

    /// One second of a pool's traffic: `requests`, failing at `errorRate`, latencies scaled by
    /// `slower` plus `addedMs`.
    static func window(_ rng: inout TestRandom, requests: UInt64, errorRate: Double, slower: Double = 1, addedMs: Double = 0) -> PoolWindow {
        var latency = Histogram()
        var left = requests
        var shareLeft = 1.0
        for level in levels where left > 0 {
            let count = level.share >= shareLeft ? left : rng.approximateBinomial(left, level.share / shareLeft)
            latency.record(UInt64((level.ms * slower + addedMs) * 1e6), occurrences: count)
            left -= count
            shareLeft -= level.share
        }
        return PoolWindow(requests: requests, errors: rng.approximateBinomial(requests, errorRate), latency: latency)
    }

    /// The reference: `seconds` of the old pool at `rate` requests a second.
    static func reference(_ rng: inout TestRandom, rate: UInt64, seconds: Int, errorRate: Double) -> PoolTraffic {
        var reference = PoolTraffic(requests: 0, errors: 0, latency: Histogram(), seconds: Double(seconds))
        for _ in 0..<seconds {
            let w = window(&rng, requests: rate, errorRate: errorRate)
            reference.requests += w.requests
            reference.errors += w.errors
            reference.latency.merge(w.latency)
        }
        return reference
    }

    /// Watches for `seconds` looks; the look at which it failed, or nil.
    static func watch(seed: UInt64, rate: UInt64, seconds: Int = 300, blueErrors: Double, greenErrors: Double,
                      slower: Double = 1, addedMs: Double = 0) throws -> (failedAt: Int?, judge: GuardJudge) {
        var rng = TestRandom(seed: seed)
        var judge = try GuardJudge(reference: reference(&rng, rate: rate, seconds: 300, errorRate: blueErrors), policy: AnalysisPolicy())
        for second in 1...seconds {
            if judge.observe(window(&rng, requests: rate, errorRate: greenErrors, slower: slower, addedMs: addedMs)) != .watching {
                return (second, judge)
            }
        }
        return (nil, judge)
    }

    @Test(arguments: [(label: "same as blue", errors: 0.004, slower: 1.0), (label: "p99 +3 %", errors: 0.004, slower: 1.03),
                      (label: "errors +0.3 pp", errors: 0.007, slower: 1.0)])
    func aNewPoolWithinTheTolerancesIsRarelySwitchedBack(_ row: (label: String, errors: Double, slower: Double)) throws {
        var reverts = 0
        let trials = 100
        for seed in 1...UInt64(trials) {
            if try Self.watch(seed: seed, rate: 200, blueErrors: 0.004, greenErrors: row.errors, slower: row.slower).failedAt != nil { reverts += 1 }
        }
        #expect(reverts <= 1, "\(row.label): \(reverts) of \(trials) watches switched back")
    }

    @Test func withinTheTolerancesAtFiveThousandRequestsASecond() throws {
        var reverts = 0
        for seed in 1...UInt64(20) {
            if try Self.watch(seed: 1_000 + seed, rate: 5_000, seconds: 120, blueErrors: 0.004, greenErrors: 0.004, slower: 1.03).failedAt != nil {
                reverts += 1
            }
        }
        #expect(reverts == 0, "\(reverts) of 20 watches of a green 3 % slower switched back")
    }

    @Test func tenPercentErrorsAreSwitchedBackWithinSecondsNamingTheErrorRate() throws {
        let (failedAt, judge) = try Self.watch(seed: 7, rate: 200, blueErrors: 0, greenErrors: 0.10)
        let second = try #require(failedAt)
        #expect(second <= 10, "switched back after \(second) s")
        #expect(judge.finding == .errorRateBeyond)
        let reason = judge.reason(new: "green", old: "blue")
        #expect(reason.hasPrefix("green's error rate") && reason.contains("above blue's 0 % before the switch"), "\(reason)")
    }

    @Test func oneHundredMillisecondsSlowerIsSwitchedBackNamingLatency() throws {
        let (failedAt, judge) = try Self.watch(seed: 11, rate: 200, blueErrors: 0.001, greenErrors: 0.001, addedMs: 100)
        let second = try #require(failedAt)
        #expect(second <= 15, "switched back after \(second) s")
        #expect(judge.finding == .latencyBeyond)
        #expect(judge.reason(new: "green", old: "blue").contains("green's p99"), "\(judge.reason(new: "green", old: "blue"))")
    }

    @Test func aQuarterSlowerAndTwiceTheErrorsAreCaughtWithinTheWatch() throws {
        var slow = 0, erring = 0
        for seed in 1...UInt64(20) {
            if try Self.watch(seed: 500 + seed, rate: 200, blueErrors: 0.004, greenErrors: 0.004, slower: 1.25).failedAt != nil { slow += 1 }
            if try Self.watch(seed: 700 + seed, rate: 200, blueErrors: 0.01, greenErrors: 0.02).failedAt != nil { erring += 1 }
        }
        #expect(slow >= 18, "p99 +25 %: \(slow) of 20 watches switched back")
        #expect(erring >= 18, "errors 1 % → 2 %: \(erring) of 20 watches switched back")
    }

    @Test func aReferenceTooSmallIsRefusedWithTheRequestsItNeeds() throws {
        var rng = TestRandom(seed: 3)
        let small = Self.reference(&rng, rate: 2, seconds: 300, errorRate: 0)
        let needed = GuardJudge.requiredReferenceRequests(AnalysisPolicy())
        #expect(needed > 600 && needed < 1_200, "\(needed)")
        let refusal = #expect(throws: GuardJudge.Refusal.self) { try GuardJudge(reference: small, policy: AnalysisPolicy()) }
        #expect(refusal?.required == needed)
        #expect(refusal?.description.contains("needs at least \(needed)") == true, "\(refusal?.description ?? "")")
    }

    @Test func theReferenceBoundsHoldTheirCoverage() {
        // The error rate's upper bound covers the true rate in at least 1 − α of samples.
        var rng = TestRandom(seed: 5)
        var missed = 0
        for _ in 0..<2_000 {
            let errors = rng.approximateBinomial(60_000, 0.004)
            if PoolTraffic(requests: 60_000, errors: errors, latency: Histogram(), seconds: 300).errorRateUpperBound(alpha: 0.01) < 0.004 { missed += 1 }
        }
        #expect(missed <= 30, "\(missed) of 2,000 bounds below the true rate at α = 0.01")
        #expect(PoolTraffic.requiredRequests(quantile: 0.99, alpha: 0.0025) > 900)
    }
}

extension TestRandom {
    /// Binomial(n, p): exact inversion for small means, the normal approximation (rounded,
    /// clamped) above, so a busy second costs the same as a quiet one.
    mutating func approximateBinomial(_ n: UInt64, _ p: Double) -> UInt64 {
        let mean = Double(n) * p
        guard mean > 30, Double(n) * (1 - p) > 30 else { return binomial(n, p) }
        let z = (-2 * log(unit())).squareRoot() * cos(2 * .pi * unit())
        return UInt64(min(max((mean + z * (mean * (1 - p)).squareRoot()).rounded(), 0), Double(n)))
    }
}
