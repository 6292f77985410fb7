import Foundation
import Testing
import TurnoutAnalysis
@testable import TurnoutRollout

/// The rollout state machine alone: every transition, driven by synthetic looks and times.
@Suite struct RolloutTests {
    static let settings = AnalysisSettings(minRequests: 100)

    static func plan(_ steps: [RolloutStep], advance: AdvanceMode = .hold,
                     settings: AnalysisSettings = settings) -> RolloutPlan {
        RolloutPlan(baseline: "blue", canary: "canary", steps: steps, advance: advance, analysis: settings)
    }

    /// A look of `seconds` with the canary at `share`, 1,000 requests in all, and the given
    /// error counts; latency counts are empty (no thresholds in these tests).
    static func look(share: Double, canaryErrors: UInt64 = 0, baselineErrors: UInt64 = 0, requests: UInt64 = 1_000) -> Look {
        let canary = UInt64(Double(requests) * share)
        return Look(canary: PoolCounts(requests: canary, errors: canaryErrors),
                    baseline: PoolCounts(requests: requests - canary, errors: baselineErrors), seconds: 1)
    }

    /// A rollout without latency tests, so the tables show the step logic alone.
    static func rollout(_ steps: [RolloutStep], advance: AdvanceMode = .hold, settings: AnalysisSettings = settings) -> Rollout {
        var settings = settings
        settings.latencyQuantile = 0.99
        var rollout = Rollout(plan: plan(steps, advance: advance, settings: settings), latencyThresholds: nil, now: 0)
        rollout.testingDisableLatency()
        return rollout
    }

    @Test func aFinalHundredIsAppendedAndWeightsInForceFollowPauses() {
        let plan = Self.plan([.weight(10, holdSeconds: 5), .pause, .weight(50, holdSeconds: 5)])
        #expect(plan.steps.last == .weight(100, holdSeconds: 0))
        #expect(plan.steps.count == 4)
        #expect(plan.canaryWeight(atStep: 1) == 10)
        #expect(plan.canaryWeight(atStep: 2) == 50)
    }

    @Test func holdModeAdvancesAfterHoldAndMinimumRequestsThenPromotes() {
        var rollout = Self.rollout([.weight(10, holdSeconds: 3), .weight(50, holdSeconds: 3)])
        let first = rollout.start(now: 0)
        #expect(first == [RolloutChange(event: .started, canaryWeight: 10, reason: rollout.reason)])
        var events: [RolloutEvent] = first.map(\.event)
        var t = 0.0
        while !rollout.phase.isFinished && t < 30 {
            t += 1
            events += rollout.observe(Self.look(share: Double(rollout.canaryWeight) / 100), now: t).map(\.event)
        }
        #expect(rollout.phase == .promoted)
        #expect(rollout.canaryWeight == 100)
        #expect(events == [.started, .advanced, .promoted])
        // Step 1 needs 3 s and 100 canary requests (100 per second at 10 %): it advances at t = 3.
        #expect(t == 6)
    }

    @Test func minimumRequestsHoldAStepPastItsHold() {
        var rollout = Self.rollout([.weight(5, holdSeconds: 1)])
        _ = rollout.start(now: 0)
        // 5 % of 200 = 10 canary requests a look: 100 take 10 looks.
        var t = 0.0
        var changes: [RolloutChange] = []
        while changes.isEmpty && t < 60 {
            t += 1
            changes = rollout.observe(Self.look(share: 0.05, requests: 200), now: t)
        }
        #expect(t == 10)
        #expect(changes.map(\.event) == [.promoted])
    }

    @Test func aFailingCanaryIsRolledBackAtAnyPhase() {
        for phase in ["running", "paused", "stalled"] {
            var settings = Self.settings
            settings.maxStepSeconds = 5
            var rollout = Self.rollout([.weight(20, holdSeconds: 1_000)], settings: settings)
            _ = rollout.start(now: 0)
            var t = 0.0
            if phase == "paused" { _ = try? rollout.apply(.pause, now: 0) }
            if phase == "stalled" {
                while rollout.phase != .stalled && t < 20 { t += 1; _ = rollout.observe(Self.look(share: 0.2), now: t) }
                #expect(rollout.phase == .stalled)
            }
            var changes: [RolloutChange] = []
            while changes.isEmpty && t < 60 {
                t += 1
                changes = rollout.observe(Self.look(share: 0.2, canaryErrors: 40, baselineErrors: 8), now: t)
            }
            #expect(rollout.phase == .rolledBack, "from \(phase)")
            #expect(changes.first?.event == .rolledBack)
            #expect(changes.first?.canaryWeight == 0)
            #expect(rollout.reason.contains("error rate"), "\(rollout.reason)")
            // Finished: looks and verbs change nothing.
            #expect(rollout.observe(Self.look(share: 0.2), now: t + 1).isEmpty)
            #expect(throws: RolloutRefusal.self) { try rollout.apply(.resume, now: t + 1) }
        }
    }

    @Test func aCanaryWithNoServerUpFailsAtOnceEvenWhileWarmingUp() {
        var settings = Self.settings
        settings.warmupSeconds = 30
        var rollout = Self.rollout([.weight(20, holdSeconds: 10)], settings: settings)
        _ = rollout.start(now: 0)
        let changes = rollout.observe(Self.look(share: 0.2), canaryDown: "1 down", now: 1)
        #expect(changes.map(\.event) == [.rolledBack])
        #expect(rollout.reason.contains("no server up"))
    }

    @Test func warmUpKeepsTheFirstSecondsOutOfTheJudgement() {
        var settings = Self.settings
        settings.warmupSeconds = 5
        var rollout = Self.rollout([.weight(20, holdSeconds: 1_000)], settings: settings)
        _ = rollout.start(now: 0)
        // A slow start: every canary request fails during the warm-up and nothing happens.
        for t in 1...4 {
            #expect(rollout.observe(Self.look(share: 0.2, canaryErrors: 200), now: Double(t)).isEmpty)
            #expect(rollout.reason.contains("warming up"))
        }
        #expect(rollout.analyzer.stepCanaryRequests == 0)
        _ = rollout.observe(Self.look(share: 0.2), now: 6)
        #expect(rollout.analyzer.stepCanaryRequests == 200)
        #expect(rollout.phase == .running)
    }

    @Test func theLookThatEndsAsTheWarmUpEndsIsLeftOutToo() {
        var settings = Self.settings
        settings.warmupSeconds = 5
        var rollout = Self.rollout([.weight(20, holdSeconds: 1_000)], settings: settings)
        _ = rollout.start(now: 0)
        // Every canary request fails for exactly the warm-up: the look over (4, 5] ends as it
        // ends, but all of its requests were measured inside it.
        for t in 1...5 {
            #expect(rollout.observe(Self.look(share: 0.2, canaryErrors: 200), now: Double(t)).isEmpty, "look ending at \(t) s")
        }
        #expect(rollout.analyzer.stepCanaryRequests == 0)
        #expect(rollout.phase == .running)
        // A look that began at the warm-up's end is the first one judged.
        _ = rollout.observe(Self.look(share: 0.2), now: 6)
        #expect(rollout.analyzer.stepCanaryRequests == 200)
        // A longer look that began inside it is left out, whenever it ends.
        var late = Self.rollout([.weight(20, holdSeconds: 1_000)], settings: settings)
        _ = late.start(now: 0)
        var straddling = Self.look(share: 0.2, canaryErrors: 200)
        straddling.seconds = 3
        #expect(late.observe(straddling, now: 7).isEmpty)
        #expect(late.analyzer.stepCanaryRequests == 0)
    }

    @Test func pauseStepsWaitForResumeThenMoveOn() throws {
        var rollout = Self.rollout([.weight(10, holdSeconds: 1), .pause, .weight(50, holdSeconds: 1)])
        _ = rollout.start(now: 0)
        var t = 0.0
        while rollout.phase == .running && t < 30 { t += 1; _ = rollout.observe(Self.look(share: 0.1), now: t) }
        #expect(rollout.phase == .paused)
        #expect(rollout.stepIndex == 1)
        #expect(rollout.canaryWeight == 10)
        // Looks while paused never advance.
        for _ in 0..<5 { t += 1; #expect(rollout.observe(Self.look(share: 0.1), now: t).isEmpty) }
        let resumed = try rollout.apply(.resume, now: t)
        #expect(resumed.map(\.event) == [.resumed, .advanced])
        #expect(resumed.last?.canaryWeight == 50)
        #expect(rollout.stepIndex == 2)
    }

    @Test func operatorPauseFreezesTheStepAndResumeContinuesIt() throws {
        var rollout = Self.rollout([.weight(10, holdSeconds: 3)])
        _ = rollout.start(now: 0)
        #expect(try rollout.apply(.pause, now: 0).map(\.event) == [.paused])
        #expect(throws: RolloutRefusal.self) { try rollout.apply(.pause, now: 0) }
        for t in 1...10 { #expect(rollout.observe(Self.look(share: 0.1), now: Double(t)).isEmpty) }
        #expect(rollout.stepIndex == 0)
        #expect(try rollout.apply(.resume, now: 10).map(\.event) == [.resumed])
        #expect(throws: RolloutRefusal.self) { try rollout.apply(.resume, now: 10) }
        // The hold counted while paused: the next look promotes.
        #expect(rollout.observe(Self.look(share: 0.1), now: 11).map(\.event) == [.promoted])
    }

    @Test func abortAndPromoteEndTheRolloutFromEveryLivePhase() throws {
        for verb in [RolloutVerb.abort, .promote] {
            var rollout = Self.rollout([.weight(10, holdSeconds: 100)])
            _ = rollout.start(now: 0)
            let changes = try rollout.apply(verb, now: 1)
            #expect(changes.count == 1)
            #expect(changes[0].canaryWeight == (verb == .abort ? 0 : 100))
            #expect(rollout.phase == (verb == .abort ? .aborted : .promoted))
            #expect(rollout.finishedAt == 1)
            #expect(throws: RolloutRefusal.self) { try rollout.apply(verb, now: 2) }
        }
    }

    @Test func aStepThatCannotDecideStallsAndResumeTriesAgain() throws {
        var settings = Self.settings
        settings.maxStepSeconds = 10
        var rollout = Self.rollout([.weight(10, holdSeconds: 1)], advance: .proven, settings: settings)
        _ = rollout.start(now: 0)
        // No traffic at all: nothing can be shown.
        var t = 0.0
        var events: [RolloutEvent] = []
        while events.isEmpty && t < 60 { t += 1; events = rollout.observe(Self.look(share: 0.1, requests: 0), now: t).map(\.event) }
        #expect(events == [.stalled])
        #expect(t == 10)
        #expect(rollout.phase == .stalled)
        #expect(rollout.reason.contains("max_step_s"))
        #expect(try rollout.apply(.resume, now: t).map(\.event) == [.resumed])
        #expect(rollout.phase == .running)
        #expect(rollout.stepStartedAt == t)
    }

    @Test func provenModePromotesAServiceWithNoErrorsOnEitherSide() {
        var rollout = Self.rollout([.weight(50, holdSeconds: 1)], advance: .proven)
        _ = rollout.start(now: 0)
        var t = 0.0
        while !rollout.phase.isFinished && t < 120 { t += 1; _ = rollout.observe(Self.look(share: 0.5), now: t) }
        #expect(rollout.phase == .promoted, "\(rollout.reason)")
        // About a thousand error-free canary requests show a rate under 0.5 %.
        #expect(t < 10)
    }

    @Test func provenModeNeedsThePassNotJustTheHold() {
        // Canary errors at twice the baseline's: never rolled back this quickly, never passed.
        var rollout = Self.rollout([.weight(50, holdSeconds: 1)], advance: .proven)
        _ = rollout.start(now: 0)
        for t in 1...20 {
            _ = rollout.observe(Self.look(share: 0.5, canaryErrors: 10, baselineErrors: 5), now: Double(t))
        }
        #expect(rollout.phase != .promoted)
    }

    @Test func theRolloutSurvivesEncodingWithItsEvidence() throws {
        var rollout = Self.rollout([.weight(20, holdSeconds: 100)])
        _ = rollout.start(now: 0)
        for t in 1...5 { _ = rollout.observe(Self.look(share: 0.2, canaryErrors: 3, baselineErrors: 2), now: Double(t)) }
        let data = try JSONEncoder().encode(rollout)
        let decoded = try JSONDecoder().decode(Rollout.self, from: data)
        #expect(decoded == rollout)
        #expect(decoded.analyzer.report().metrics[0].failEvidence == rollout.analyzer.report().metrics[0].failEvidence)
    }

    @Test func aRolloutSavedByAnEarlierTurnoutResumesAtItsStepWithFreshEvidence() throws {
        var rollout = Self.rollout([.weight(10, holdSeconds: 1), .weight(40, holdSeconds: 100)])
        _ = rollout.start(now: 0)
        for t in 1...3 { _ = rollout.observe(Self.look(share: 0.1), now: Double(t)) }
        #expect(rollout.stepIndex == 1 && rollout.canaryWeight == 40)
        // An analyzer of an earlier shape: one of today's keys is missing.
        var document = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(rollout)) as? [String: Any])
        var analyzer = try #require(document["analyzer"] as? [String: Any])
        analyzer["baselineRate"] = nil
        document["analyzer"] = analyzer
        let decoded = try JSONDecoder().decode(Rollout.self, from: JSONSerialization.data(withJSONObject: document))
        #expect(decoded.phase == .running && decoded.stepIndex == 1 && decoded.canaryWeight == 40)
        #expect(decoded.stepStartedAt == rollout.stepStartedAt && decoded.looks == rollout.looks)
        #expect(decoded.analyzer.stepCanaryRequests == 0)
        #expect(decoded.reason.contains("fresh evidence") && decoded.reason.contains("baselineRate"), "\(decoded.reason)")
        // Anything else that is missing is still an error.
        document["plan"] = nil
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Rollout.self, from: JSONSerialization.data(withJSONObject: document)) }
    }
}

extension Rollout {
    /// Tests of the step logic run without latency tests.
    mutating func testingDisableLatency() {
        var policy = analyzer.policy
        policy.latencyQuantiles = []
        analyzer = CanaryAnalyzer(policy: policy)
    }
}
