import Foundation
import Testing
import TurnoutAnalysis
@testable import TurnoutRollout

/// Rollouts in the state file (and a fleet's state key, the same document) across the change to
/// `ReleaseState`. `StateFiles/` holds rollouts exactly as the Turnout before it saved them (a
/// `phase` beside `stepIndex`, `pausedByOperator` and `finishedAt`), made by driving that
/// version's machine with `RolloutTests`' plan settings, baseline `blue` and canary `green`,
/// started at 1,760,000,000 s.
@Suite struct RolloutStateFileTests {
    static func saved(_ name: String) throws -> Data {
        let directory = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().appendingPathComponent("StateFiles")
        return try Data(contentsOf: directory.appendingPathComponent(name + ".json"))
    }

    /// The fields an earlier Turnout requires to read a rollout (beside the plan and the
    /// analyzer, whose shapes did not change), and the ones that place it in time.
    struct EarlierTurnoutFields: Decodable, Equatable {
        var phase: String
        var stepIndex: Int
        var pausedByOperator: Bool
        var finishedAt: Double?
        var canaryWeight: Int
        var startedAt: Double
        var stepStartedAt: Double
        var looks: Int
        var reason: String
    }

    static let t0 = 1_760_000_000.0

    struct Case: Sendable, CustomTestStringConvertible {
        var file: String
        var state: ReleaseState
        var canaryWeight: Int
        /// What `resume` does next: its events, nil when refused.
        var resume: [RolloutEvent]?
        var testDescription: String { file }
    }

    static let cases: [Case] = [
        // Step 2 of 10 % for 1 s, 40 % for 100 s, three looks in.
        Case(file: "running", state: .running(step: 1), canaryWeight: 40, resume: nil),
        // 10 % for 1 s, then a pause step.
        Case(file: "paused-at-pause-step", state: .paused(step: 1, by: .pauseStep), canaryWeight: 10, resume: [.resumed, .advanced]),
        Case(file: "paused-by-operator", state: .paused(step: 0, by: .operator), canaryWeight: 10, resume: [.resumed]),
        // max_step_s 5 and no traffic: stalled when the step reached 5 s.
        Case(file: "stalled", state: .stalled(step: 0, since: t0 + 5), canaryWeight: 10, resume: [.resumed]),
        Case(file: "rolled-back", state: .finished(.rolledBack, step: 0, at: t0 + 2), canaryWeight: 0, resume: nil),
    ]

    @Test(arguments: cases) func aRolloutSavedBeforeReleaseStateLoadsIntoItsStateWithItsEvidence(_ saved: Case) throws {
        let data = try Self.saved(saved.file)
        let rollout = try JSONDecoder().decode(Rollout.self, from: data)
        let earlier = try JSONDecoder().decode(EarlierTurnoutFields.self, from: data)
        #expect(rollout.state == saved.state)
        #expect(rollout.phase.rawValue == earlier.phase)
        #expect(rollout.stepIndex == earlier.stepIndex)
        #expect(rollout.finishedAt == earlier.finishedAt)
        #expect(rollout.canaryWeight == saved.canaryWeight && rollout.canaryWeight == earlier.canaryWeight)
        #expect(rollout.startedAt == Self.t0 && rollout.stepStartedAt == earlier.stepStartedAt && rollout.looks == earlier.looks)
        // The analyzer's evidence came with it, and the reason is the saved one, not a fresh start's.
        struct Saved: Decodable { var analyzer: CanaryAnalyzer }
        #expect(rollout.analyzer == (try JSONDecoder().decode(Saved.self, from: data)).analyzer)
        #expect(rollout.reason == earlier.reason)
        #expect(rollout.plan.baseline == "blue" && rollout.plan.canary == "green")

        var next = rollout
        let resumed = try? next.apply(.resume, now: Self.t0 + 100)
        #expect(resumed?.map(\.event) == saved.resume)
    }

    @Test(arguments: cases) func whatThisTurnoutWritesAnEarlierOneStillReads(_ saved: Case) throws {
        let rollout = try JSONDecoder().decode(Rollout.self, from: Self.saved(saved.file))
        let written = try JSONEncoder().encode(rollout)
        // The earlier Turnout's fields, as it wrote them.
        #expect(try JSONDecoder().decode(EarlierTurnoutFields.self, from: written)
                == JSONDecoder().decode(EarlierTurnoutFields.self, from: Self.saved(saved.file)))
        #expect(try JSONDecoder().decode(Rollout.self, from: written) == rollout)
        // `state` alone is enough for this Turnout.
        var document = try #require(JSONSerialization.jsonObject(with: written) as? [String: Any])
        #expect(document["state"] != nil)
        for key in ["phase", "stepIndex", "pausedByOperator", "finishedAt"] { document[key] = nil }
        #expect(try JSONDecoder().decode(Rollout.self, from: JSONSerialization.data(withJSONObject: document)) == rollout)
    }

    /// The state is one object named by its case, with its data.
    @Test func theStateIsWrittenAsOneObjectWithItsData() throws {
        let states: [(ReleaseState, String)] = [
            (.running(step: 1), #"{"running":{"step":1}}"#),
            (.paused(step: 1, by: .operator), #"{"paused":{"by":"operator","step":1}}"#),
            (.paused(step: 1, by: .pauseStep), #"{"paused":{"by":"pause_step","step":1}}"#),
            (.stalled(step: 0, since: 12.5), #"{"stalled":{"since":12.5,"step":0}}"#),
            (.finished(.rolledBack, step: 2, at: 30), #"{"finished":{"at":30,"outcome":"rolled_back","step":2}}"#),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for (state, json) in states {
            #expect(String(decoding: try encoder.encode(state), as: UTF8.self) == json)
            #expect(try JSONDecoder().decode(ReleaseState.self, from: Data(json.utf8)) == state)
        }
        // An ending that is not one is refused with its name.
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(ReleaseState.self, from: Data(#"{"finished":{"at":30,"outcome":"paused","step":2}}"#.utf8))
        }
    }
}
