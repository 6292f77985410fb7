import TurnoutRollout

/// What operators changed at run time and a restart must not undo: weights set through the
/// admin API (with the stack `rollback` pops), drained servers, and releases (rollouts, guarded
/// switches) with their judges' evidence. The configuration file holds the rest.
public struct RuntimeState: Sendable, Equatable {
    /// Weights in force for splits changed at run time, every pool of the split named.
    public var weights: [String: [String: Int]] = [:]
    /// Per split, the weights in force before each change, most recent last.
    public var previous: [String: [[String: Int]]] = [:]
    /// Drained server labels (`host:port`) per pool.
    public var drained: [String: Set<String>] = [:]
    /// Per split, its rollout: the one in progress, or the last one (finished) for its report.
    public var rollouts: [String: Rollout] = [:]
    /// Per split, its guarded switch: the one under watch, or the last one (over) for its report.
    public var guards: [String: GuardedSwitch] = [:]

    /// How many earlier weightings `rollback` can go back through.
    static let rollbackDepth = 50

    public init() {}

    /// Records `old` as the weights to return to, keeping the stack bounded.
    mutating func push(previous old: [String: Int], for split: String) {
        var stack = previous[split, default: []]
        stack.append(old)
        if stack.count > Self.rollbackDepth { stack.removeFirst(stack.count - Self.rollbackDepth) }
        previous[split] = stack
    }

    /// The split's guarded switch while it is watched.
    func liveGuard(of split: String) -> GuardedSwitch? {
        guard let guarded = guards[split], !guarded.isFinished else { return nil }
        return guarded
    }

    /// The split's rollout when it is not over (running, paused or stalled).
    func liveRollout(of split: String) -> Rollout? {
        guard let rollout = rollouts[split], !rollout.phase.isFinished else { return nil }
        return rollout
    }
}
