import Foundation
import Testing
@testable import TurnoutRollout

/// The plan check alone (SPEC §9): per weight step, the canary's rate at the measured traffic and
/// the time to `min_requests`, and the refusal of a plan whose step cannot finish.
@Suite struct RolloutPlanFeasibilityTests {
    /// One plan at one rate, with the expected rows (step number, canary requests/s, seconds to
    /// min_requests, seconds needed, fits) and a fragment of the refusal (nil: every step fits).
    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var steps: [RolloutStep]
        var settings = AnalysisSettings()
        var splitRate: Double
        var baselineRate: Double? = nil
        var rows: [Row]
        var refusal: String?
    }

    struct Row: Sendable, Equatable {
        var step: Int
        var canaryRate: Double
        var toMinimum: Double?
        var needed: Double?
        var fits: Bool
    }

    static let cases: [Case] = [
        Case(description: "10 requests/s: 5 % needs 1,000 s, over max_step_s 900",
             steps: [.weight(5, holdSeconds: 60), .weight(25, holdSeconds: 120), .weight(50, holdSeconds: 300)],
             settings: AnalysisSettings(minRequests: 500, maxStepSeconds: 900), splitRate: 10,
             rows: [Row(step: 1, canaryRate: 0.5, toMinimum: 1_000, needed: 1_000, fits: false),
                    Row(step: 2, canaryRate: 2.5, toMinimum: 200, needed: 200, fits: true),
                    Row(step: 3, canaryRate: 5, toMinimum: 100, needed: 300, fits: true)],
             refusal: #"step 1 (5 % canary) needs about 1,000 s to reach min_requests 500 at 0.5 canary requests/s (the baseline serves 10.0 requests/s); max_step_s is 900: raise the step's weight, lower min_requests, raise max_step_s, or start with "force": true"#),
        Case(description: "a busy service fits with the defaults",
             steps: [.weight(5, holdSeconds: 60), .weight(25, holdSeconds: 120)], splitRate: 400,
             rows: [Row(step: 1, canaryRate: 20, toMinimum: 25, needed: 60, fits: true),
                    Row(step: 2, canaryRate: 100, toMinimum: 5, needed: 120, fits: true)],
             refusal: nil),
        Case(description: "a hold longer than the time to min_requests is what the step needs",
             steps: [.weight(10, holdSeconds: 600)], splitRate: 100,
             rows: [Row(step: 1, canaryRate: 10, toMinimum: 50, needed: 600, fits: true)], refusal: nil),
        Case(description: "a hold longer than max_step_s cannot finish either",
             steps: [.weight(50, holdSeconds: 2_000)], settings: AnalysisSettings(maxStepSeconds: 900), splitRate: 100,
             rows: [Row(step: 1, canaryRate: 50, toMinimum: 10, needed: 2_000, fits: false)],
             refusal: "step 1 (50 % canary) holds 2,000 s but max_step_s is 900: shorten its hold_s, raise max_step_s, or start with \"force\": true"),
        Case(description: "pauses and the final 100 % have no row",
             steps: [.pause, .weight(10, holdSeconds: 0), .pause, .weight(50, holdSeconds: 0)], splitRate: 100,
             rows: [Row(step: 2, canaryRate: 10, toMinimum: 50, needed: 50, fits: true),
                    Row(step: 4, canaryRate: 50, toMinimum: 10, needed: 10, fits: true)], refusal: nil),
        Case(description: "no traffic at all: no step ever gets there",
             steps: [.weight(10, holdSeconds: 60)], splitRate: 0,
             rows: [Row(step: 1, canaryRate: 0, toMinimum: nil, needed: nil, fits: false)],
             refusal: "step 1 (10 % canary) would get no canary requests (the baseline serves 0 requests/s over the last 300 s), so it can never reach min_requests 500: start when the split has traffic, or start with \"force\": true"),
        Case(description: "the warm-up delays the first weight step only",
             steps: [.weight(5, holdSeconds: 0), .weight(20, holdSeconds: 0)],
             settings: AnalysisSettings(minRequests: 500, warmupSeconds: 300, maxStepSeconds: 1_200), splitRate: 10,
             rows: [Row(step: 1, canaryRate: 0.5, toMinimum: 1_300, needed: 1_300, fits: false),
                    Row(step: 2, canaryRate: 2, toMinimum: 250, needed: 250, fits: true)],
             refusal: "step 1 (5 % canary) needs about 1,300 s (with the 300 s warm-up) to reach min_requests 500"),
        Case(description: "the baseline at 90 %: the split's rate is named beside it",
             steps: [.weight(1, holdSeconds: 0)], settings: AnalysisSettings(minRequests: 500, maxStepSeconds: 1_800),
             splitRate: 20, baselineRate: 18,
             rows: [Row(step: 1, canaryRate: 0.2, toMinimum: 2_500, needed: 2_500, fits: false)],
             refusal: "at 0.2 canary requests/s (the baseline serves 18.0 of the split's 20.0 requests/s); max_step_s is 1,800"),
    ]

    @Test(arguments: cases) func eachWeightStepIsEstimated(_ c: Case) {
        let plan = RolloutPlan(baseline: "blue", canary: "green", steps: c.steps, analysis: c.settings)
        let check = plan.feasibility(splitRate: c.splitRate, baselineRate: c.baselineRate ?? c.splitRate, measuredSeconds: 300)
        let rows = check.steps.map { Row(step: $0.stepIndex + 1, canaryRate: $0.canaryRate, toMinimum: $0.secondsToMinRequests,
                                         needed: $0.secondsNeeded, fits: $0.fits) }
        #expect(rows.count == c.rows.count)
        for (row, expected) in zip(rows, c.rows) {
            #expect(row.step == expected.step && row.fits == expected.fits, "\(row)")
            #expect(abs(row.canaryRate - expected.canaryRate) < 1e-9, "\(row)")
            #expect(Self.near(row.toMinimum, expected.toMinimum) && Self.near(row.needed, expected.needed), "\(row)")
        }
        #expect(check.measuredSeconds == 300 && !check.forced)
        let refusal = plan.refusal(check)
        if let fragment = c.refusal {
            #expect(refusal?.contains(fragment) == true, "\(refusal ?? "accepted")")
            #expect(plan.summary(check).hasPrefix("does not fit: step \(check.firstMisfit!.stepIndex + 1)"))
        } else {
            #expect(refusal == nil, "\(refusal ?? "")")
            #expect(check.firstMisfit == nil)
            #expect(plan.summary(check).hasPrefix("every step can reach min_requests"))
        }
    }

    @Test func aForcedCheckSaysSoWithoutSuggestingForceAgain() {
        let plan = RolloutPlan(baseline: "blue", canary: "green", steps: [.weight(5, holdSeconds: 60)],
                               analysis: AnalysisSettings(minRequests: 500, maxStepSeconds: 900))
        var check = plan.feasibility(splitRate: 10, baselineRate: 10, measuredSeconds: 300)
        check.forced = true
        let summary = plan.summary(check)
        #expect(summary.hasPrefix("started with \"force\": true although step 1 (5 % canary) needs about 1,000 s"), "\(summary)")
        #expect(!summary.contains("raise"), "\(summary)")
    }

    static let shares: [(rate: Double, share: Double, split: Double?)] = [
        (10, 1, 10), (9, 0.9, 10), (5, 0.05, 100), (0, 0.5, 0), (10, 0, nil), (10, -1, nil), (.nan, 1, nil),
    ]

    @Test(arguments: shares) func theSplitRateIsTheBaselinesOverItsShare(_ rate: Double, _ share: Double, _ split: Double?) {
        let derived = PlanCheck.splitRate(baselineRate: rate, baselineShare: share)
        #expect(Self.near(derived, split), "\(String(describing: derived))")
    }

    static let numbers: [(value: Double, kind: String, text: String)] = [
        (1_000, "about", "1,000"), (999.6, "about", "1,000"), (83.4, "about", "83"), (1_234.4, "about", "1,230"),
        (12_345, "about", "12,300"), (0.5, "rate", "0.5"), (0.05, "rate", "0.05"), (0.0083, "rate", "0.0083"),
        (10, "rate", "10.0"), (1_234.56, "rate", "1,234.6"), (0.999, "rate", "1.0"), (0, "rate", "0"),
        (900, "grouped", "900"), (1_800, "grouped", "1,800"), (1_234_567, "grouped", "1,234,567"),
    ]

    @Test(arguments: numbers) func numbersReadEasily(_ value: Double, _ kind: String, _ text: String) {
        let formatted = switch kind {
        case "about": PlanFormat.about(value)
        case "rate": PlanFormat.rate(value)
        default: PlanFormat.grouped(Int(value))
        }
        #expect(formatted == text)
    }

    @Test func aRolloutKeepsItsCheckAndOneSavedBeforeTheCheckStillDecodes() throws {
        let plan = RolloutPlan(baseline: "blue", canary: "green", steps: [.weight(5, holdSeconds: 60)])
        var rollout = Rollout(plan: plan, latencyThresholds: nil, now: 0)
        rollout.planCheck = plan.feasibility(splitRate: 0, baselineRate: 0, measuredSeconds: 12.5)
        let data = try JSONEncoder().encode(rollout)
        #expect(try JSONDecoder().decode(Rollout.self, from: data) == rollout, "nil seconds survive the trip")
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object.removeValue(forKey: "planCheck") != nil)
        let older = try JSONDecoder().decode(Rollout.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(older.planCheck == nil)
    }

    static func near(_ a: Double?, _ b: Double?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (let a?, let b?): return abs(a - b) < 1e-6 * max(1, abs(b))
        default: return false
        }
    }
}
