import Testing
import TurnoutMirror

/// Merging workers' parts, totals, and the bound on mismatches kept.
struct MirrorReportTests {
    static let blue = MirrorKey(route: "routes[0]", pool: "blue", shadow: "green")
    static let canary = MirrorKey(route: "routes[1]", pool: "canary", shadow: "green")

    static func counts(mirrored: Int, _ verdicts: [MirrorVerdict]) -> MirrorCounts {
        var counts = MirrorCounts()
        counts.mirrored = mirrored
        for (i, verdict) in verdicts.enumerated() {
            counts.record(verdict, latencyDifferenceNanoseconds: Int64(i - 1) * 1_000_000, path: verdict == .noise ? "/n" : nil)
        }
        return counts
    }

    static func twoWorkers() -> MirrorReport {
        var report = MirrorReport()
        report.add(counts: [blue: counts(mirrored: 3, [.matched, .bodyMismatch]),
                            canary: counts(mirrored: 1, [.noise])],
                   mismatches: [MismatchRingTests.mismatch(10), MismatchRingTests.mismatch(4)])
        report.add(counts: [blue: counts(mirrored: 2, [.statusMismatch(sameClass: false)])],
                   mismatches: [MismatchRingTests.mismatch(7)])
        return report
    }

    @Test func addMergesPerKeyAndMismatchesByTime() {
        let report = Self.twoWorkers()
        #expect(report.counts.count == 2)
        let blue = report.counts[Self.blue]
        #expect(blue?.mirrored == 5 && blue?.compared == 3 && blue?.statusClassMismatch == 1 && blue?.bodyMismatch == 1)
        #expect(report.counts[Self.canary]?.noise == 1)
        #expect(report.mismatches.map(\.at) == [10, 7, 4])
    }

    @Test func totalsSumEveryKey() {
        let totals = Self.twoWorkers().totals
        #expect(totals.mirrored == 6 && totals.compared == 4)
        #expect((totals.matched, totals.statusMismatch, totals.bodyMismatch, totals.noise) == (1, 1, 1, 1))
        #expect(totals.noisyPaths == ["/n": 1])
        #expect(totals.latencyDifferenceCount == 4)
        #expect(MirrorReport().totals == MirrorCounts())
    }

    @Test func keepsTheHundredNewestMismatches() {
        var report = MirrorReport()
        for worker in 0..<3 {
            report.add(counts: [:], mismatches: (0..<80).reversed().map { MismatchRingTests.mismatch(Double($0 * 3 + worker)) })
        }
        #expect(report.mismatches.count == 100)
        #expect(report.mismatches.first?.at == 239 && report.mismatches.last?.at == 140)
    }
}
