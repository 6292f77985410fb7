import Foundation
import Synchronization
import TurnoutConfig
import TurnoutCore
import TurnoutRollout

/// The one path every change takes, and how a fleet's changes from other instances join it.
extension ControlPlane {
    // MARK: Committing

    /// A change computed from a consistent copy of the state: the runtime state (and
    /// configuration) to put in force, the history entries to record, and what to answer.
    struct Change<Result> {
        var config: Config?
        var runtime: RuntimeState
        var records: [ChangeRecord]
        var result: Result
        /// Whether routing may have changed (a new snapshot is published).
        var publish = true
        /// Whether the store is written (a rollout's evidence is saved every few seconds only).
        var save = true
        /// On reload: the servers whose observed health is kept.
        var keepHealth: [String: Set<String>]?
        /// Words for the log once the change is in force.
        var notes: [String] = []

        init(config: Config? = nil, runtime: RuntimeState, records: [ChangeRecord], result: Result) {
            self.config = config
            self.runtime = runtime
            self.records = records
            self.result = result
        }

        /// No change at all; `result` is answered.
        static func nothing(_ state: State, _ result: Result) -> Change {
            var change = Change(runtime: state.runtime, records: [], result: result)
            change.publish = false
            change.save = false
            return change
        }
    }

    /// The one path every change takes: `compute` sees a consistent copy of the state and says
    /// what to change; the change is checked (its snapshot must build), committed to the store
    /// over the revision it was computed from, put in force and published under the state lock,
    /// recorded, and then its adoption by the workers is awaited — all under the changes lock, so
    /// changes never interleave. A store that cannot be written refuses the change: a restart
    /// would otherwise undo it silently. When another instance of the fleet committed first, its
    /// state is put in force and the change is validated again on top of it; a refusal, too, is
    /// checked against the fleet's latest state before it is answered.
    func change<Result>(_ compute: (State) throws(ControlError) -> Change<Result>) throws(ControlError) -> Result {
        let (result, shared) = try changes.withLock { (count: inout Int) throws(ControlError) -> (Result, Int64?) in
            for attempt in 1...Self.conflictAttempts {
                let current = state.withLock { $0 }
                var change: Change<Result>
                do throws(ControlError) {
                    change = try compute(current)
                } catch {
                    // Refused by what this instance has seen: in a fleet, only if the store agrees.
                    guard attempt < Self.conflictAttempts, store?.isShared == true, let latest = try? store?.load(),
                          latest.revision > current.revision else { throw error }
                    adoptLocked(latest)
                    continue
                }
                let config = change.config ?? current.config
                if change.publish {
                    do throws(ProxyStartError) {
                        _ = try Self.snapshot(config: config, runtime: change.runtime, health: current.health)
                    } catch {
                        throw .badRequest(error.description)
                    }
                }
                if let instance { change.records = change.records.map { $0.taken(by: instance) } }
                var revision = current.revision
                if change.save, let store {
                    do throws(RuntimeStoreError) {
                        revision = try store.commit(change.runtime, records: change.records, over: current.revision)
                    } catch {
                        switch error {
                        case .conflict(let newer):
                            adoptLocked(newer)
                            guard attempt < Self.conflictAttempts else {
                                throw .conflict("the state changed on another instance \(attempt) times while this change was being validated; "
                                    + "nothing changed, try again")
                            }
                            continue
                        case .unavailable(let reason):
                            throw ControlError(503, "\(reason); nothing changed (routing stays as it is)")
                        case .failed(let reason):
                            throw ControlError(500, "cannot write the runtime state, nothing changed: \(reason)")
                        }
                    }
                }
                count += 1
                // A committed change's entries come back through the fleet's watch, in the order
                // of the store; an uncommitted one's (none today) are this instance's alone.
                let shared = change.save && store?.isShared == true
                let adoption = state.withLock { (state: inout State) -> ProxyServer.Adoption? in
                    state.config = config
                    state.runtime = change.runtime
                    state.revision = revision
                    if let keep = change.keepHealth { state.health.keep(only: keep) }
                    for record in change.records { self.record(record, in: &state, deliver: true, remember: !shared) }
                    return change.publish ? publish(state) : nil
                }
                awaitAdoption(adoption)
                for note in change.notes { notice(note) }
                return (change.result, shared && !change.records.isEmpty ? revision : nil)
            }
            throw .conflict("the state kept changing on other instances; nothing changed, try again")
        }
        // The answer follows the change's history entries into this instance's history, as it
        // does for a Turnout alone (outside the lock: the watch that brings them takes it).
        if let shared, let wait = sharedHistoryWait.withLock({ $0 }) { wait(shared) }
        return result
    }

    /// How often a change is validated again after losing a race with another instance.
    static let conflictAttempts = 5

    /// Puts in force a state another instance of the fleet committed, through the same
    /// publication as a change of this one. A state no newer than the one in force is ignored
    /// (this instance's own writes come back through the watch, too).
    public func adopt(_ stored: StoredState) {
        changes.withLock { _ in adoptLocked(stored) }
    }

    /// `adopt`, under the changes lock.
    private func adoptLocked(_ stored: StoredState) {
        let adoption = state.withLock { (state: inout State) -> ProxyServer.Adoption?? in
            guard stored.revision > state.revision else { return nil }
            let routing = state.runtime.weights != stored.state.weights || state.runtime.drained != stored.state.drained
            state.runtime = stored.state
            state.revision = stored.revision
            return .some(routing ? publish(state) : nil)
        }
        guard case .some(let posted) = adoption else { return }
        awaitAdoption(posted)
    }

    /// Records history entries of a fleet's shared history, in the store's order, as they come
    /// back from the store (this instance's too). They were notified by the instance that took
    /// the change, not again by every one.
    public func recordShared(_ records: [ChangeRecord]) {
        state.withLock { state in
            for record in records { self.record(record, in: &state, deliver: false, remember: true) }
        }
    }

    /// The history of a fleet's changes from before this instance started, put before anything
    /// it recorded since (read from etcd once, never notified again).
    public func seedHistory(_ records: [ChangeRecord]) {
        state.withLock { state in
            state.history = Array((records + state.history).suffix(Self.historyLimit))
        }
    }

    /// Waits (bounded) for every worker to route by a posted snapshot.
    private func awaitAdoption(_ adoption: ProxyServer.Adoption?) {
        if let adoption, !adoption.wait(seconds: 5) {
            notice("a worker did not confirm the new routing within 5 s; it will use it from its next request")
        }
    }

    /// The store's revision of the state in force.
    public var revision: Int64 { state.withLock { $0.revision } }

    /// The routing snapshot of `runtime` under `config`: the runtime weights of splits this
    /// configuration has with the same pools (a fleet's state may hold splits another
    /// instance's file has and this one's lacks; they are kept, not routed).
    static func snapshot(config: Config, runtime: RuntimeState, health: ServerHealth) throws(ProxyStartError) -> ProxySnapshot {
        let weights = runtime.weights.filter { name, weights in config.split(named: name).map { Set($0.poolNames) == Set(weights.keys) } ?? false }
        return try ProxyServer.snapshot(for: config, weights: weights, unavailable: health.unavailable(drained: runtime.drained))
    }

    /// Builds the snapshot of `state` and posts it to the workers (under the state lock).
    func publish(_ state: State) -> ProxyServer.Adoption? {
        do {
            return server.post(try Self.snapshot(config: state.config, runtime: state.runtime, health: state.health))
        } catch {
            notice("routing not published: \(error.description)")
            return nil
        }
    }

    /// Appends to the history (when `remember`) and, when `deliver`, hands the entry to the
    /// notifications, in history order.
    func record(_ record: ChangeRecord, in state: inout State, deliver: Bool, remember: Bool = true) {
        if remember {
            state.history.append(record)
            if state.history.count > Self.historyLimit { state.history.removeFirst(state.history.count - Self.historyLimit) }
        }
        if remember, case .rollout(let event) = record.action, let split = record.split,
           [.promoted, .rolledBack, .aborted].contains(event), let phase = state.runtime.rollouts[split]?.phase {
            state.rolloutOutcomes[split, default: [:]][phase, default: 0] += 1
        }
        if deliver { self.deliver?(Self.historyEntryJSON(record)) }
    }
}
