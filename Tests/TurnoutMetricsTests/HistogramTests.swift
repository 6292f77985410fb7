import Foundation
import Testing
import TurnoutMetrics
import Glibc

/// Recording, quantiles against a sorted-array oracle, clamping, exceedance counts, buckets.
struct HistogramTests {
    /// The exact order statistic the histogram approximates (same rank rule).
    static func oracle(_ sorted: [UInt64], _ q: Double) -> UInt64 {
        let rank = min(max(Int((q * Double(sorted.count)).rounded(.up)), 1), sorted.count)
        return sorted[rank - 1]
    }

    /// Draws from a few latency shapes, all inside the trackable range.
    static func sample(_ shape: Int, _ rng: inout TestRandom) -> UInt64 {
        switch shape {
        case 0: // uniform 1 µs … 1 s
            return 1_000 + UInt64(rng.unit() * 999_999_000)
        case 1: // log-uniform 1 µs … 100 s: every octave equally
            return UInt64(1_000 * pow2(rng.unit() * 26.5))
        case 2: // lognormal around 20 ms
            let u1 = rng.unit(), u2 = rng.unit()
            let z = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
            return UInt64(20_000_000 * exp(0.8 * z))
        default: // bimodal: fast cache hits and slow misses with a long tail
            return rng.unit() < 0.9 ? 200_000 + UInt64(rng.unit() * 100_000)
                : UInt64(50_000_000 / max(rng.unit(), 1e-3))
        }
    }

    @Test(arguments: [0, 1, 2, 3])
    func quantilesWithinOnePercentOfOracle(shape: Int) {
        var rng = TestRandom(seed: 42 &+ UInt64(shape))
        var histogram = Histogram()
        var values: [UInt64] = []
        for _ in 0..<50_000 {
            let v = Self.sample(shape, &rng)
            values.append(v)
            histogram.record(v)
        }
        values.sort()
        #expect(histogram.count == 50_000)
        #expect(histogram.sum == values.reduce(0, &+))
        #expect(histogram.min == values.first)
        #expect(histogram.max == values.last)
        for q in [0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 0.9999, 1.0] {
            let exact = Double(Self.oracle(values, q))
            let estimate = Double(histogram.value(atQuantile: q)!)
            #expect(abs(estimate - exact) / exact <= 0.01, "q=\(q) exact=\(exact) got=\(estimate)")
        }
    }

    @Test func clampsOutOfRangeValuesAndCountsThem() {
        var histogram = Histogram()
        histogram.record(5)
        histogram.record(200_000_000_000)
        histogram.record(1_000_000)
        #expect(histogram.count == 3)
        #expect(histogram.clampedBelow == 1)
        #expect(histogram.clampedAbove == 1)
        #expect(histogram.count(inBucket: 0) == 1)
        #expect(histogram.count(inBucket: HistogramLayout.bucketCount - 1) == 1)
        #expect(histogram.min == 5)
        #expect(histogram.max == 200_000_000_000)
        #expect(histogram.value(atQuantile: 0.5)! > 990_000 && histogram.value(atQuantile: 0.5)! < 1_010_000)
    }

    @Test func exceedanceCountsAreExactAtBucketBounds() {
        var rng = TestRandom(seed: 7)
        var histogram = Histogram()
        var values: [UInt64] = []
        for _ in 0..<20_000 {
            let v = Self.sample(2, &rng)
            values.append(v)
            histogram.record(v)
        }
        for raw in [1_500_000 as UInt64, 20_000_000, 77_777_777, 500_000_000] {
            let threshold = HistogramLayout.bucketUpperBound(containing: raw)
            let above = UInt64(values.filter { $0 > threshold }.count)
            #expect(histogram.count(above: threshold) == above)
            #expect(histogram.count(atOrBelow: threshold) == 20_000 - above)
        }
        #expect(histogram.count(atOrBelow: 10) == 0)
    }

    @Test func mergeEqualsRecordingEverythingInOne() {
        var rng = TestRandom(seed: 9)
        var a = Histogram(), b = Histogram(), all = Histogram()
        for i in 0..<10_000 {
            let v = Self.sample(i % 4, &rng)
            if i % 3 == 0 { a.record(v) } else { b.record(v) }
            all.record(v)
        }
        var merged = a.snapshot()
        merged.merge(b)
        #expect(merged == all)
        #expect(a.merging(b) == all)
    }

    @Test func subtractionGivesTheExactWindow() {
        var rng = TestRandom(seed: 11)
        var running = Histogram()
        for _ in 0..<5_000 { running.record(Self.sample(1, &rng)) }
        let start = running.snapshot()
        var window = Histogram()
        for _ in 0..<7_000 {
            let v = Self.sample(2, &rng)
            running.record(v)
            window.record(v)
        }
        let difference = running.subtracting(start)
        #expect(difference.count == window.count)
        #expect(difference.sum == window.sum)
        for i in 0..<HistogramLayout.bucketCount {
            #expect(difference.count(inBucket: i) == window.count(inBucket: i))
        }
        for q in [0.5, 0.9, 0.99] {
            #expect(difference.value(atQuantile: q) == window.value(atQuantile: q))
        }
        // Extremes of a window are bucket-precise.
        let lowError = Double(difference.min!) / Double(window.min!) - 1
        #expect(abs(lowError) <= 0.01)
        #expect(Double(difference.max!) / Double(window.max!) - 1 <= 0.01)
        var empty = running.snapshot()
        empty.subtract(running)
        #expect(empty.count == 0 && empty.min == nil && empty.max == nil)
    }

    @Test func snapshotIsIndependentOfTheOwner() {
        var owner = Histogram()
        owner.record(1_000_000)
        let copy = owner.snapshot()
        owner.record(2_000_000)
        #expect(copy.count == 1)
        #expect(owner.count == 2)
    }

    @Test func bucketIterationIsMonotoneAndCumulativeCountsAddUp() {
        var rng = TestRandom(seed: 5)
        var histogram = Histogram()
        for _ in 0..<10_000 { histogram.record(Self.sample(3, &rng)) }
        var previous: UInt64 = 0
        var total: UInt64 = 0
        histogram.forEachBucket { upper, count in
            #expect(upper > previous)
            #expect(count > 0)
            previous = upper
            total += count
            #expect(histogram.count(atOrBelow: upper) == total)
        }
        #expect(total == histogram.count)
        let cumulative = histogram.cumulativeCounts(atOrBelow: [1_000_000, 10_000_000, 100_000_000, 1_000_000_000])
        #expect(zip(cumulative, cumulative.dropFirst()).allSatisfy { $0 <= $1 })
    }

    @Test func resetEmptiesEverything() {
        var histogram = Histogram()
        histogram.record(3_000_000, occurrences: 10)
        #expect(histogram.count == 10 && histogram.sum == 30_000_000)
        histogram.reset()
        #expect(histogram == Histogram())
        #expect(histogram.value(atQuantile: 0.5) == nil)
    }
}

/// 2^x without Foundation.
func pow2(_ x: Double) -> Double { exp(x * 0.6931471805599453) }

@Suite struct HistogramCodingTests {
    @Test func aHistogramSurvivesEncodingSparsely() throws {
        var histogram = Histogram()
        for value: UInt64 in [1_500, 20_000, 20_100, 3_000_000_000, 50] { histogram.record(value) }
        let data = try JSONEncoder().encode(histogram)
        #expect(try JSONDecoder().decode(Histogram.self, from: data) == histogram)
        #expect(data.count < 400, "only the buckets in use are written (\(data.count) bytes)")
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Histogram.self, from: Data(#"{"buckets": [[999999, 1]], "total": 1, "sum": 1, "below": 0, "above": 0, "min": 1, "max": 1}"#.utf8))
        }
    }
}
