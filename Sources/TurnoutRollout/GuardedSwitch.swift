import TurnoutAnalysis

/// A blue-green switch under watch (SPEC §5): all of a split's traffic moved from `from` to `to`,
/// then the new pool judged against the old pool's traffic before the switch for `watchSeconds`.
/// A fail switches back on its own; a watch that ends without one keeps the switch. The same
/// release model as a rollout: a `ReleaseState` (running at its one step, then finished), the
/// judge's evidence saved with it, time and looks in, weight changes and events out. Pure.
///
/// Outcomes: `.promoted` is *kept* (by the watch's end or an operator's `keep`), `.rolledBack`
/// is *reverted* by the judge (or because `to` has no server up), `.aborted` is *reverted* by an
/// operator.
public struct GuardedSwitch: Sendable, Equatable, Codable {
    /// The pool traffic left, and the pool it went to.
    public let from: String
    public let to: String
    /// The split's weights before the switch: what a revert restores.
    public let previousWeights: [String: Int]
    public let watchSeconds: Double
    public let startedAt: Double
    public private(set) var state: ReleaseState
    public private(set) var judge: GuardJudge
    public private(set) var looks = 0
    public private(set) var lastLookAt: Double?
    /// Why the guard is where it is, in words.
    public private(set) var reason: String

    /// A guard that has just switched `from` → `to` at `now`.
    public init(from: String, to: String, previousWeights: [String: Int], watchSeconds: Double, judge: GuardJudge, now: Double) {
        self.from = from
        self.to = to
        self.previousWeights = previousWeights
        self.watchSeconds = watchSeconds
        self.judge = judge
        startedAt = now
        state = .running(step: 0)
        reason = "watching \(to) against \(from)'s \(judge.reference.requests) requests before the switch, for \(Int(watchSeconds)) s"
    }

    /// The wire name of where the guard stands.
    public var phase: GuardPhase {
        switch state {
        case .finished(.promoted, _, _): .kept
        case .finished: .reverted
        default: .watching
        }
    }

    public var isFinished: Bool { state.isFinished }

    /// When the watch ends (or ended).
    public var watchEndsAt: Double { startedAt + watchSeconds }

    /// What a look or a verb did: the history event, and the weights to put in force (nil: none).
    public struct Change: Sendable, Equatable {
        public var event: GuardEvent
        public var weights: [String: Int]?
        public var reason: String
    }

    /// One look at the new pool's traffic since the last; `toDown` says why `to` has no server
    /// up (nil when one is). A fail reverts, the watch's end keeps, otherwise nothing changes.
    public mutating func observe(_ window: PoolWindow, toDown: String? = nil, now: Double) -> [Change] {
        guard !isFinished else { return [] }
        looks += 1
        lastLookAt = now
        if let toDown {
            return finish(.rolledBack, "pool \(to) has no server up (\(toDown))", now: now)
        }
        if judge.observe(window) != .watching {
            return finish(.rolledBack, judge.reason(new: to, old: from), now: now)
        }
        if now >= watchEndsAt {
            return finish(.promoted, "kept: \(Int(watchSeconds)) s watched with no fail; " + judge.reason(new: to, old: from)
                .replacingPrefix("watching: ", with: ""), now: now)
        }
        reason = judge.reason(new: to, old: from)
        return []
    }

    /// An operator's verb: `keep` ends the watch keeping the switch, `revert` switches back.
    public mutating func apply(_ verb: GuardVerb, now: Double) throws(RolloutRefusal) -> [Change] {
        guard !isFinished else {
            throw RolloutRefusal("the guard of the switch to \(to) is over (\(phase.rawValue)); nothing to \(verb.rawValue)")
        }
        switch verb {
        case .keep: return finish(.promoted, "kept by an operator before the watch's end", now: now)
        case .revert: return finish(.aborted, "reverted by an operator", now: now)
        }
    }

    /// Ends the watch where it stands, changing no weights: a reload took the split or its pools
    /// away, so there is nothing to keep or to switch back to.
    public mutating func abandon(because why: String, now: Double) {
        guard !isFinished else { return }
        state = .finished(.aborted, step: 0, at: now)
        reason = why
    }

    private mutating func finish(_ outcome: ReleaseState.Outcome, _ why: String, now: Double) -> [Change] {
        state = .finished(outcome, step: 0, at: now)
        reason = why
        switch outcome {
        case .promoted: return [Change(event: .kept, weights: nil, reason: why)]
        case .rolledBack, .aborted: return [Change(event: .reverted, weights: previousWeights, reason: why)]
        }
    }
}

/// Where a guard stands on the wire (`GET /splits/NAME/guard`, the history).
public enum GuardPhase: String, Sendable, Equatable, Codable, CaseIterable {
    case watching, kept, reverted
}

/// What a guard did, as the history names it.
public enum GuardEvent: String, Sendable, Equatable, Codable, CaseIterable {
    case started = "guard_start"
    case kept = "guard_keep"
    case reverted = "guard_revert"
}

/// An operator's command to a guard.
public enum GuardVerb: String, Sendable, Equatable, CaseIterable {
    case keep, revert
}

extension String {
    fileprivate func replacingPrefix(_ prefix: String, with replacement: String) -> String {
        hasPrefix(prefix) ? replacement + dropFirst(prefix.count) : self
    }
}
