import Testing
@testable import TurnoutSimulation

/// The simulator's guarded switches run through the same `GuardedSwitch` as the control plane,
/// so its cells check SPEC §5's promise on the production code: a green as good as blue (also
/// over a real day's ±30 % swing) or within the tolerances is switched back at most 1 −
/// confidence (1 %) of the time over the whole watch, and errors ×2, p99 +25 % and a 20 s
/// incident are switched back. Few runs keep the suite quick; the README's table has 1,000.
@Suite struct SimulatedGuardTests {
    static func options(runs: Int, highRateRuns: Int) -> GuardSimulation.Options {
        var options = GuardSimulation.Options()
        options.seed = 7
        options.runs = runs
        options.highRateRuns = highRateRuns
        return options
    }

    @Test func goodGreensKeepTheFalseRevertBound() {
        let options = Self.options(runs: 60, highRateRuns: 3)
        let cells = GuardCell.all.filter { $0.kind == .healthy || $0.kind == .within }
        #expect(cells.count == 8)
        var reverted = 0, total = 0
        for cell in cells {
            let results = GuardSimulation.simulate(cell: cell, options: options).turnout
            reverted += results.filter(\.reverted).count
            total += results.count
        }
        // At most 1 % is expected; the bound allows three standard deviations above that.
        let expected = 0.01 * Double(total)
        let bound = Int(expected + 3 * expected.squareRoot())
        #expect(reverted <= bound, "\(reverted) false reverts in \(total) good watches; bound \(bound)")
    }

    @Test(arguments: ["errors x2 (1 % → 2 %), 200 req/s", "p99 +25 %, 200 req/s", "incident: 30 % errors for 20 s, 200 req/s"])
    func greensBeyondTheTolerancesAreSwitchedBack(_ name: String) throws {
        let cell = try #require(GuardCell.all.first { $0.name == name })
        let results = GuardSimulation.simulate(cell: cell, options: Self.options(runs: 20, highRateRuns: 1)).turnout
        let reverted = results.filter(\.reverted).count
        #expect(reverted >= 16, "\(name): \(reverted) of 20 switched back")
    }

    @Test func theFixedGuardMissesWhatIsUnderItsThresholds() throws {
        // The tutorials' guard: 2 % errors and p99 +25 % are under 5 % and 2 × p99.
        let cell = try #require(GuardCell.all.first { $0.name == "errors x2 (1 % → 2 %), 200 req/s" })
        let results = GuardSimulation.simulate(cell: cell, options: Self.options(runs: 10, highRateRuns: 1)).fixed
        #expect(results.allSatisfy { !$0.reverted })
    }
}
