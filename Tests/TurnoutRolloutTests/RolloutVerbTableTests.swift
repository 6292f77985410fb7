import Testing
import TurnoutAnalysis
@testable import TurnoutRollout

/// Every operator verb in every state of a rollout, as a table: the state it leads to with the
/// canary's weight, the step's start and the changes (history events and weights), or the
/// refusal's text, after which nothing has changed.
@Suite struct RolloutVerbTableTests {
    /// Where a rollout stands when the verb arrives; each is reached by driving the machine.
    enum Start: String, CaseIterable, Sendable {
        case notStarted, running, pausedByOperator, pausedAtPauseStep, stalled, promoted, rolledBack, aborted
    }

    /// Steps 10 % for 1 s, a pause, 50 % for 1 s, then 100 %; a step stalls after 5 s.
    static func rollout(in start: Start) -> Rollout {
        var settings = RolloutTests.settings
        settings.maxStepSeconds = 5
        var rollout = RolloutTests.rollout([.weight(10, holdSeconds: 1), .pause, .weight(50, holdSeconds: 1)], settings: settings)
        guard start != .notStarted else { return rollout }
        _ = rollout.start(now: 0)
        switch start {
        case .notStarted, .running: break
        case .pausedByOperator: _ = try? rollout.apply(.pause, now: 1)
        // 100 canary requests after the 1 s hold: step 1 advances into the pause.
        case .pausedAtPauseStep: _ = rollout.observe(RolloutTests.look(share: 0.1), now: 1)
        // No traffic: step 1 cannot earn its advance and stalls at 5 s.
        case .stalled: for t in 1...5 { _ = rollout.observe(RolloutTests.look(share: 0.1, requests: 0), now: Double(t)) }
        case .promoted: _ = try? rollout.apply(.promote, now: 1)
        case .rolledBack: _ = rollout.observe(RolloutTests.look(share: 0.1), canaryDown: "1 down", now: 1)
        case .aborted: _ = try? rollout.apply(.abort, now: 1)
        }
        return rollout
    }

    /// A change as the table spells it: the history event and the canary's new weight, if any.
    struct Change: Equatable, Sendable, CustomStringConvertible {
        var event: RolloutEvent
        var canaryWeight: Int?
        init(_ event: RolloutEvent, _ canaryWeight: Int? = nil) {
            self.event = event
            self.canaryWeight = canaryWeight
        }
        var description: String { "\(event.rawValue)" + (canaryWeight.map { " → \($0) %" } ?? "") }
    }

    /// What a verb does.
    enum Expected: Equatable, Sendable {
        case refused(String)
        case moved(ReleaseState, canaryWeight: Int, stepStartedAt: Double, changes: [Change])
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var start: Start
        var verb: RolloutVerb
        var expected: Expected
        init(_ start: Start, _ verb: RolloutVerb, _ expected: Expected) {
            self.start = start
            self.verb = verb
            self.expected = expected
        }
        var testDescription: String { "\(start.rawValue) × \(verb.rawValue)" }
    }

    /// Verbs come at 10 s.
    static let now = 10.0
    static func over(_ phase: String) -> Expected { .refused("the rollout of canary is over (\(phase)); start a new one") }

    static let rows: [Row] = [
        Row(.notStarted, .pause, .refused("the rollout of canary has not started")),
        Row(.notStarted, .resume, .refused("the rollout of canary has not started")),
        Row(.notStarted, .abort, .refused("the rollout of canary has not started")),
        Row(.notStarted, .promote, .refused("the rollout of canary has not started")),

        Row(.running, .pause, .moved(.paused(step: 0, by: .operator), canaryWeight: 10, stepStartedAt: 0, changes: [Change(.paused)])),
        Row(.running, .resume, .refused("the rollout is running, not paused")),
        Row(.running, .abort, .moved(.finished(.aborted, step: 0, at: now), canaryWeight: 0, stepStartedAt: 0, changes: [Change(.aborted, 0)])),
        Row(.running, .promote, .moved(.finished(.promoted, step: 0, at: now), canaryWeight: 100, stepStartedAt: 0, changes: [Change(.promoted, 100)])),

        Row(.pausedByOperator, .pause, .refused("the rollout is already paused")),
        // The step goes on: its hold kept counting during the pause.
        Row(.pausedByOperator, .resume, .moved(.running(step: 0), canaryWeight: 10, stepStartedAt: 0, changes: [Change(.resumed)])),
        Row(.pausedByOperator, .abort, .moved(.finished(.aborted, step: 0, at: now), canaryWeight: 0, stepStartedAt: 0, changes: [Change(.aborted, 0)])),
        Row(.pausedByOperator, .promote, .moved(.finished(.promoted, step: 0, at: now), canaryWeight: 100, stepStartedAt: 0, changes: [Change(.promoted, 100)])),

        Row(.pausedAtPauseStep, .pause, .refused("the rollout is already paused")),
        // Resuming a pause step moves on to the next step.
        Row(.pausedAtPauseStep, .resume, .moved(.running(step: 2), canaryWeight: 50, stepStartedAt: now, changes: [Change(.resumed), Change(.advanced, 50)])),
        Row(.pausedAtPauseStep, .abort, .moved(.finished(.aborted, step: 1, at: now), canaryWeight: 0, stepStartedAt: 1, changes: [Change(.aborted, 0)])),
        Row(.pausedAtPauseStep, .promote, .moved(.finished(.promoted, step: 1, at: now), canaryWeight: 100, stepStartedAt: 1, changes: [Change(.promoted, 100)])),

        Row(.stalled, .pause, .moved(.paused(step: 0, by: .operator), canaryWeight: 10, stepStartedAt: 0, changes: [Change(.paused)])),
        // Resuming a stall tries the step again: its hold and max_step_s start over.
        Row(.stalled, .resume, .moved(.running(step: 0), canaryWeight: 10, stepStartedAt: now, changes: [Change(.resumed)])),
        Row(.stalled, .abort, .moved(.finished(.aborted, step: 0, at: now), canaryWeight: 0, stepStartedAt: 0, changes: [Change(.aborted, 0)])),
        Row(.stalled, .promote, .moved(.finished(.promoted, step: 0, at: now), canaryWeight: 100, stepStartedAt: 0, changes: [Change(.promoted, 100)])),

        Row(.promoted, .pause, over("promoted")),
        Row(.promoted, .resume, over("promoted")),
        Row(.promoted, .abort, over("promoted")),
        Row(.promoted, .promote, over("promoted")),

        Row(.rolledBack, .pause, over("rolled_back")),
        Row(.rolledBack, .resume, over("rolled_back")),
        Row(.rolledBack, .abort, over("rolled_back")),
        Row(.rolledBack, .promote, over("rolled_back")),

        Row(.aborted, .pause, over("aborted")),
        Row(.aborted, .resume, over("aborted")),
        Row(.aborted, .abort, over("aborted")),
        Row(.aborted, .promote, over("aborted")),
    ]

    @Test func theTableHasOneRowPerStateAndVerb() {
        let pairs = Set(Self.rows.map { "\($0.start.rawValue) \($0.verb.rawValue)" })
        #expect(pairs.count == Self.rows.count)
        #expect(pairs.count == Start.allCases.count * RolloutVerb.allCases.count)
    }

    /// The fixtures are in the state their names say.
    @Test(arguments: Start.allCases) func eachStartIsReachedByTheMachine(_ start: Start) {
        let expected: ReleaseState = switch start {
        case .notStarted: .notStarted
        case .running: .running(step: 0)
        case .pausedByOperator: .paused(step: 0, by: .operator)
        case .pausedAtPauseStep: .paused(step: 1, by: .pauseStep)
        case .stalled: .stalled(step: 0, since: 5)
        case .promoted: .finished(.promoted, step: 0, at: 1)
        case .rolledBack: .finished(.rolledBack, step: 0, at: 1)
        case .aborted: .finished(.aborted, step: 0, at: 1)
        }
        #expect(Self.rollout(in: start).state == expected)
    }

    @Test(arguments: rows) func aVerbInAState(_ row: Row) {
        var rollout = Self.rollout(in: row.start)
        let before = rollout
        do {
            let changes = try rollout.apply(row.verb, now: Self.now)
            let got = Expected.moved(rollout.state, canaryWeight: rollout.canaryWeight, stepStartedAt: rollout.stepStartedAt,
                                     changes: changes.map { Change($0.event, $0.canaryWeight) })
            #expect(got == row.expected)
            // The rollout's reason is its last change's, as the history records it.
            #expect(rollout.reason == changes.last?.reason)
            // The phase the documents show follows the state.
            #expect(rollout.phase == rollout.state.phase)
        } catch {
            #expect(Expected.refused(error.description) == row.expected)
            #expect(rollout == before, "a refused verb changes nothing")
        }
    }

    /// The wire names the documents, `/metrics` and the history use, from each state.
    @Test func eachStateHasItsWireName() {
        let names: [(ReleaseState, RolloutPhase)] = [
            (.notStarted, .running), (.running(step: 1), .running), (.paused(step: 1, by: .operator), .paused),
            (.paused(step: 1, by: .pauseStep), .paused), (.stalled(step: 1, since: 3), .stalled),
            (.finished(.promoted, step: 1, at: 3), .promoted), (.finished(.rolledBack, step: 1, at: 3), .rolledBack),
            (.finished(.aborted, step: 1, at: 3), .aborted),
        ]
        for (state, phase) in names {
            #expect(state.phase == phase, "\(state)")
            #expect(state.isFinished == phase.isFinished, "\(state)")
            #expect(state.finishedAt == (phase.isFinished ? 3 : nil), "\(state)")
        }
        #expect(Set(names.map(\.1)) == Set(RolloutPhase.allCases))
    }
}
