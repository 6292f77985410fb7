import Testing
import TurnoutRollout
@testable import TurnoutSimulation

/// The simulator's rollouts run through the same state machine as the proxy's controller, so
/// its healthy cells check the promise of SPEC §9 on the production code: a healthy canary is
/// rolled back with probability below 1 − confidence (1 %) over the whole rollout.
@Suite struct SimulatedRolloutTests {
    static let healthyCells = Cell.all.filter(\.healthy)

    @Test(arguments: [AdvanceMode.proven, .hold]) func healthyCanariesKeepTheFalseRollbackBound(_ advance: AdvanceMode) {
        var options = SimulatorCommand.Options()
        options.rollouts = 150
        options.seed = 7
        var rolledBack = 0, total = 0
        for (index, cell) in Self.healthyCells.enumerated() {
            let judge = advance == .proven ? "turnout-proven" : "turnout-hold"
            let results = SimulatorCommand.simulate(cell: cell, cellIndex: UInt64(index), judge: judge, options: options).results
            rolledBack += results.filter { $0.outcome == .rolledBack }.count
            total += results.count
            // Healthy rollouts end promoted. At 50 req/s a proven step cannot show non-inferiority
            // within its 15 minutes (the README's table says so): it stalls and waits for an operator.
            if advance == .hold || cell.requestsPerSecond >= 1_000 {
                #expect(results.filter { $0.outcome == .stalled }.count <= results.count / 20, "\(cell.name)")
            }
        }
        // 1 % of 900 is 9 expected at worst; 18 is beyond three standard deviations of that.
        #expect(total == Self.healthyCells.count * 150)
        #expect(rolledBack <= 18, "\(rolledBack) false rollbacks in \(total) healthy rollouts (\(advance))")
    }

    @Test func aRegressionIsCaughtInBothModes() {
        var options = SimulatorCommand.Options()
        options.rollouts = 40
        let cells = Cell.all.filter { $0.name == "errors x3" || $0.name == "canary servers all fail" }
        #expect(cells.count == 2)
        for judge in ["turnout-proven", "turnout-hold"] {
            for (index, cell) in cells.enumerated() {
                let results = SimulatorCommand.simulate(cell: cell, cellIndex: UInt64(100 + index), judge: judge, options: options).results
                let caught = results.filter { $0.outcome == .rolledBack }.count
                #expect(caught >= 38, "\(judge) \(cell.name): \(caught) of 40 rolled back")
            }
        }
    }
}
