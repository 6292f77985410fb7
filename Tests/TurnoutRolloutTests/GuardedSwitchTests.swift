import Foundation
import Testing
import TurnoutAnalysis
import TurnoutMetrics
@testable import TurnoutRollout

/// The guarded switch's state machine alone, by table: each state × each verb, and what a look
/// does (a fail reverts to the weights before the switch, the watch's end keeps, a pool with no
/// server up reverts).
struct GuardedSwitchTests {
    static let before = ["blue": 100, "green": 0]

    /// A pool's second: `requests` at 20 ms, `slow` of them at 400 ms, `errors` failed.
    static func window(requests: UInt64, errors: UInt64 = 0, slow: UInt64 = 0) -> PoolWindow {
        var latency = Histogram()
        latency.record(20_000_000, occurrences: requests - slow)
        latency.record(400_000_000, occurrences: slow)
        return PoolWindow(requests: requests, errors: errors, latency: latency)
    }

    static func guarded(now: Double = 100) throws -> GuardedSwitch {
        var latency = Histogram()
        latency.record(20_000_000, occurrences: 2_990)
        latency.record(30_000_000, occurrences: 10)
        let judge = try GuardJudge(reference: PoolTraffic(requests: 3_000, errors: 3, latency: latency, seconds: 300), policy: AnalysisPolicy())
        return GuardedSwitch(from: "blue", to: "green", previousWeights: before, watchSeconds: 60, judge: judge, now: now)
    }

    enum Start: String, CaseIterable { case watching, kept, revertedByJudge = "reverted by the judge", revertedByOperator = "reverted by an operator" }

    static func guardIn(_ start: Start) throws -> GuardedSwitch {
        var guarded = try guarded()
        switch start {
        case .watching: break
        case .kept: _ = guarded.observe(window(requests: 100), now: 161)
        case .revertedByJudge: _ = guarded.observe(window(requests: 100, errors: 100), now: 101)
        case .revertedByOperator: _ = try guarded.apply(.revert, now: 101)
        }
        return guarded
    }

    /// One row: a state, a verb, and the phase and event after it (nil: refused).
    static let table: [(Start, GuardVerb, GuardPhase?, GuardEvent?)] = [
        (.watching, .keep, .kept, .kept),
        (.watching, .revert, .reverted, .reverted),
        (.kept, .keep, nil, nil), (.kept, .revert, nil, nil),
        (.revertedByJudge, .keep, nil, nil), (.revertedByJudge, .revert, nil, nil),
        (.revertedByOperator, .keep, nil, nil), (.revertedByOperator, .revert, nil, nil),
    ]

    @Test(arguments: 0..<table.count) func eachStateAndVerb(_ row: Int) throws {
        let (start, verb, phase, event) = Self.table[row]
        var guarded = try Self.guardIn(start)
        let before = guarded
        do {
            let changes = try guarded.apply(verb, now: 120)
            #expect(guarded.phase == phase, "\(start.rawValue) × \(verb)")
            #expect(changes.map(\.event) == [event].compactMap { $0 })
            #expect(changes.first?.weights == (event == .reverted ? Self.before : nil), "a revert restores the weights before the switch")
        } catch {
            #expect(phase == nil, "\(start.rawValue) × \(verb) refused: \(error)")
            #expect(error.description.contains("is over"), "\(error)")
            #expect(guarded == before, "a refusal changes nothing")
        }
    }

    @Test func aFailRevertsWithTheJudgesReasonAndTheWatchsEndKeeps() throws {
        var failing = try Self.guarded()
        #expect(failing.observe(Self.window(requests: 100), now: 101).isEmpty)
        #expect(failing.phase == .watching && failing.reason.hasPrefix("watching:"))
        let reverted = failing.observe(Self.window(requests: 200, errors: 40), now: 102)
        #expect(reverted.map(\.event) == [.reverted] && reverted.first?.weights == Self.before)
        #expect(failing.phase == .reverted && failing.reason.contains("green's error rate"), "\(failing.reason)")
        #expect(failing.state == .finished(.rolledBack, step: 0, at: 102))
        #expect(failing.observe(Self.window(requests: 100), now: 103).isEmpty, "over: nothing more")

        var slow = try Self.guarded()
        var changes: [GuardedSwitch.Change] = []
        for second in 1...30 where changes.isEmpty { changes = slow.observe(Self.window(requests: 100, slow: 20), now: 100 + Double(second)) }
        #expect(changes.map(\.event) == [.reverted] && slow.reason.contains("green's p99"), "\(slow.reason)")

        var healthy = try Self.guarded()
        for second in 1...59 { #expect(healthy.observe(Self.window(requests: 100), now: 100 + Double(second)).isEmpty) }
        let kept = healthy.observe(Self.window(requests: 100), now: 160)
        #expect(kept.map(\.event) == [.kept] && kept.first?.weights == nil)
        #expect(healthy.phase == .kept && healthy.reason.hasPrefix("kept: 60 s watched with no fail"), "\(healthy.reason)")
    }

    @Test func aNewPoolWithNoServerUpIsReverted() throws {
        var guarded = try Self.guarded()
        let changes = guarded.observe(Self.window(requests: 0), toDown: "1 down", now: 101)
        #expect(changes.map(\.event) == [.reverted])
        #expect(guarded.reason == "pool green has no server up (1 down)")
    }

    @Test func itIsSavedAndReadBackWithItsEvidence() throws {
        var guarded = try Self.guarded()
        _ = guarded.observe(Self.window(requests: 150, errors: 2), now: 101)
        let read = try JSONDecoder().decode(GuardedSwitch.self, from: JSONEncoder().encode(guarded))
        #expect(read == guarded)
        #expect(read.judge.requests == 150)
    }
}
