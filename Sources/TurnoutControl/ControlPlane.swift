import Foundation
import Synchronization
import TurnoutConfig
import TurnoutCore
import TurnoutRollout

/// The one place traffic is changed at run time: weights, switches, rollbacks, drained servers,
/// reloads and rollouts. Every change is validated first, saved to the runtime store, published
/// to the workers as a new routing snapshot, and recorded in the history (and notified) — or
/// refused with a `ControlError` and nothing changed at all.
///
/// Two locks, so that nothing waits behind a disk write it does not need:
/// * `changes` serialises changes from the admin thread, the signal thread and the rollout
///   controller; it is held across the store's write and the workers' adoption.
/// * `state` guards the state in memory and is held only for moments: readers (`/status`,
///   `/metrics`), health verdicts and the publication of a committed change take it, never a
///   disk write. Snapshots are built and posted under it, so the workers always adopt them in
///   the order the state changed.
public final class ControlPlane: Sendable {
    public let server: ProxyServer
    public let version: String
    private let configPath: String?
    private let startedAt = Date()
    /// Where the runtime state is saved; nil when `state_file` is null.
    let store: RuntimeStore?
    /// Held by every change; counts the changes committed.
    let changes = Mutex<Int>(0)
    let state: Mutex<State>
    let notice: @Sendable (String) -> Void
    /// Receives every history entry as one JSON object, in history order (SPEC §14). It must
    /// not block: it is called under the state lock.
    let deliver: (@Sendable ([UInt8]) -> Void)?

    struct State {
        var config: Config
        var runtime: RuntimeState
        /// The store's revision of `runtime`: the basis every change is validated against.
        var revision: Int64
        /// Servers observed down or ejected.
        var health = ServerHealth()
        /// Oldest first, bounded by `historyLimit`.
        var history: [ChangeRecord] = []
        /// Rollouts finished since start, per split and outcome (for `/metrics`).
        var rolloutOutcomes: [String: [RolloutPhase: Int]] = [:]
    }

    /// How many history entries are kept in memory.
    static let historyLimit = 1_000

    /// Takes over a running proxy that was started with `runtime`, the store's state at
    /// `revision` (see `loadRuntimeState`).
    public init(server: ProxyServer, config: Config, runtime: RuntimeState, revision: Int64 = 0, store: RuntimeStore?, configPath: String?,
                version: String, deliver: (@Sendable ([UInt8]) -> Void)? = nil, notice: @escaping @Sendable (String) -> Void) {
        self.server = server
        self.version = version
        self.configPath = configPath
        self.store = store
        self.deliver = deliver
        self.notice = notice
        instance = config.cluster?.instance
        state = Mutex(State(config: config, runtime: runtime, revision: revision))
    }

    /// This instance's name in a fleet, stamped on the history entries it records; nil alone.
    public let instance: String?
    /// Waits (bounded) until the shared history holds the entries committed at a revision; set
    /// by `Fleet`, nil alone.
    let sharedHistoryWait = Mutex<(@Sendable (Int64) -> Void)?>(nil)
    /// The fleet as this instance sees it, for `/status`; set by `Fleet`, nil alone.
    let fleetView = Mutex<(@Sendable () -> FleetStatusDocument)?>(nil)

    /// The store `config` asks for: its state file, or none.
    public static func store(for config: Config) -> RuntimeStore? {
        config.stateFile.map { StateFileStore(path: $0) }
    }

    /// The runtime state to start with: the store's, reconciled with `config`. Nothing saved is
    /// a first start; an unreadable store is reported and ignored, never fatal.
    public static func loadRuntimeState(config: Config, store: RuntimeStore?, notice: (String) -> Void) -> StoredState {
        guard let store else { return StoredState(state: RuntimeState(), revision: 0) }
        do {
            guard let loaded = try store.load() else { return StoredState(state: RuntimeState(), revision: 0) }
            let reconciled = reconcile(loaded.state, with: config, now: wallClock(), notice: notice)
            for (split, weights) in reconciled.weights.sorted(by: { $0.key < $1.key }) {
                notice("state \(store.location): split \(split) resumes at \(describe(weights))")
            }
            for (split, rollout) in reconciled.rollouts.sorted(by: { $0.key < $1.key }) where !rollout.phase.isFinished {
                notice("state \(store.location): the rollout of \(rollout.plan.canary) on split \(split) resumes at step \(rollout.stepIndex + 1) (\(rollout.phase.rawValue))")
            }
            return StoredState(state: reconciled, revision: loaded.revision)
        } catch {
            notice("state ignored, starting from the configuration's weights: \(error)")
            return StoredState(state: RuntimeState(), revision: 0)
        }
    }

    // MARK: Reading

    /// The configuration in force.
    public var config: Config { state.withLock { $0.config } }

    /// The weights in force for `split`, every pool named, and where they come from.
    public func weights(of split: String) -> (weights: [String: Int], source: String)? {
        state.withLock { state in
            guard let configured = state.config.split(named: split) else { return nil }
            if let runtime = state.runtime.weights[split] { return (runtime, "runtime") }
            return (configured.weights, "config")
        }
    }

    public var uptimeSeconds: Double { Date().timeIntervalSince(startedAt) }

    /// The runtime state in force.
    public var runtime: RuntimeState { state.withLock { $0.runtime } }

    /// The history in memory, oldest first.
    public var history: [ChangeRecord] { state.withLock { $0.history } }

    /// A consistent copy of the configuration, runtime state and history.
    func read<T>(_ body: (State) -> T) -> T { state.withLock { body($0) } }

    // MARK: Changing weights

    /// Sets a split's weights; pools of the split not named get 0.
    @discardableResult
    public func setWeights(split name: String, to requested: [String: Int], origin: ChangeOrigin) throws(ControlError) -> [String: Int] {
        try changeSplit(name, action: .weights, origin: origin) { split, _, _, _ throws(ControlError) in
            for (pool, weight) in requested {
                guard split.weights[pool] != nil else {
                    throw .badRequest("pool \(quoted(pool)) is not in split \(quoted(name)) (its pools: \(list(split.poolNames)))")
                }
                guard weight >= 0 else { throw .badRequest("weight of \(quoted(pool)) is \(weight): weights are non-negative integers") }
            }
            var weights = split.weights.mapValues { _ in 0 }
            for (pool, weight) in requested { weights[pool] = weight }
            guard weights.values.contains(where: { $0 > 0 }) else {
                throw .badRequest("every weight of split \(quoted(name)) would be 0: at least one pool must get traffic")
            }
            return weights
        }
    }

    /// Blue-green: `pool` gets 100 and every other pool of the split 0. Refused (409) when no
    /// server of `pool` is up, unless `force`.
    @discardableResult
    public func switchSplit(_ name: String, to pool: String, force: Bool, origin: ChangeOrigin) throws(ControlError) -> [String: Int] {
        try changeSplit(name, action: .switch, origin: origin) { split, config, runtime, health throws(ControlError) in
            guard split.weights[pool] != nil else {
                throw .badRequest("pool \(quoted(pool)) is not in split \(quoted(name)) (its pools: \(list(split.poolNames)))")
            }
            if !force, let summary = Self.noServerUp(pool: pool, config: config, runtime: runtime, health: health) {
                throw .conflict("pool \(quoted(pool)) has no server up (\(summary)); nothing changed (use force to switch anyway)")
            }
            return split.weights.mapValues { _ in 0 }.merging([pool: 100]) { $1 }
        }
    }

    /// Restores the weights in force before the split's last change.
    @discardableResult
    public func rollback(split name: String, origin: ChangeOrigin) throws(ControlError) -> [String: Int] {
        try change { (state: State) throws(ControlError) -> Change<[String: Int]> in
            guard let split = state.config.split(named: name) else { throw unknownSplit(name, state.config) }
            try Self.refuseDuringRelease(name, state.runtime)
            guard let previous = state.runtime.previous[name]?.last else {
                throw .conflict("split \(quoted(name)) has no earlier weights to return to")
            }
            let old = state.runtime.weights[name] ?? split.weights
            var runtime = state.runtime
            runtime.previous[name]?.removeLast()
            runtime.weights[name] = previous
            return Change(runtime: runtime, records: [ChangeRecord(time: wallClock(), split: name, action: .rollback, old: old, new: previous, origin: origin)],
                          result: previous)
        }
    }

    /// Computes a split's new weights with `compute` (which validates), then commits them and
    /// remembers the old ones for `rollback`. Refused while a rollout drives the split.
    private func changeSplit(_ name: String, action: ChangeAction, origin: ChangeOrigin,
                             compute: (SplitConfig, Config, RuntimeState, ServerHealth) throws(ControlError) -> [String: Int]) throws(ControlError) -> [String: Int] {
        try change { (state: State) throws(ControlError) -> Change<[String: Int]> in
            guard let split = state.config.split(named: name) else { throw unknownSplit(name, state.config) }
            try Self.refuseDuringRelease(name, state.runtime)
            let old = state.runtime.weights[name] ?? split.weights
            let new = try compute(split, state.config, state.runtime, state.health)
            var runtime = state.runtime
            runtime.push(previous: old, for: name)
            runtime.weights[name] = new
            return Change(runtime: runtime, records: [ChangeRecord(time: wallClock(), split: name, action: action, old: old, new: new, origin: origin)],
                          result: new)
        }
    }

    /// 409 naming the release when one drives `split` (a rollout, or a switch under watch): its
    /// weights are the release's to move.
    static func refuseDuringRelease(_ split: String, _ runtime: RuntimeState) throws(ControlError) {
        if let guarded = runtime.liveGuard(of: split) {
            throw .conflict("split \(quoted(split)) was switched to \(guarded.to) under watch (\(guarded.from) → \(guarded.to), "
                + "until \(RolloutReport.isoTime(guarded.watchEndsAt))); nothing changed. Use the guard's verbs (keep, revert) or wait for its watch to end")
        }
        guard let rollout = runtime.liveRollout(of: split) else { return }
        throw .conflict("split \(quoted(split)) is being rolled out (\(rollout.plan.baseline) → \(rollout.plan.canary), step \(rollout.stepIndex + 1), \(rollout.phase.rawValue)); nothing changed. Use the rollout's verbs (pause, resume, abort, promote) or wait for it to finish")
    }

    /// Why `pool` has no server up (`1 down, 1 drain`), or nil when one is up.
    static func noServerUp(pool: String, config: Config, runtime: RuntimeState, health: ServerHealth) -> String? {
        guard let definition = config.pool(named: pool) else { return "no such pool" }
        let states = definition.servers.map { health.state(pool: pool, server: $0.address.description, drained: runtime.drained) }
        guard !states.contains("up") else { return nil }
        return Dictionary(grouping: states) { $0 }.map { "\($0.value.count) \($0.key)" }.sorted().joined(separator: ", ")
    }

    // MARK: Draining servers

    /// Stops (`drained` true) or resumes new requests to one server; in-flight ones finish.
    /// Returns false when the server was already in that state (nothing recorded).
    @discardableResult
    public func setDrained(pool: String, server address: String, drained: Bool, origin: ChangeOrigin) throws(ControlError) -> Bool {
        try change { (state: State) throws(ControlError) -> Change<Bool> in
            guard let definition = state.config.pool(named: pool) else {
                throw .notFound("no pool named \(quoted(pool)) (pools: \(list(state.config.pools.map(\.name))))")
            }
            let labels = definition.servers.map(\.address.description)
            guard labels.contains(address) else {
                throw .notFound("no server \(quoted(address)) in pool \(quoted(pool)) (its servers: \(list(labels)))")
            }
            var runtime = state.runtime
            var set = runtime.drained[pool] ?? []
            guard drained ? set.insert(address).inserted : set.remove(address) != nil else { return .nothing(state, false) }
            runtime.drained[pool] = set.isEmpty ? nil : set
            return Change(runtime: runtime, records: [ChangeRecord(time: wallClock(), split: nil, action: drained ? .drain : .enable,
                                                                   server: "\(pool)/\(address)", origin: origin)], result: true)
        }
    }

    // MARK: Reload

    /// Re-reads the configuration file: validated first (an invalid file is refused with its
    /// errors and the running configuration stays), then swapped in for the next request.
    /// Runtime weights stay in force for splits whose pools did not change; a rollout stays when
    /// its split kept its pools, and is aborted with the reason otherwise.
    public func reload(origin: ChangeOrigin) throws(ControlError) -> String {
        guard let configPath else { throw .conflict("this process was started without a configuration file; nothing to reload") }
        let loaded: Config
        do {
            loaded = try ConfigLoader.load(path: configPath)
        } catch {
            throw .badRequest("reload refused, the running configuration stays: \(error.description)")
        }
        let summary = try change { (state: State) throws(ControlError) -> Change<String> in
            var notes: [String] = []
            let now = wallClock()
            // A fleet's state may hold splits and pools another instance's file has and this
            // one's lacks: a reload here keeps them for the others (they are not routed here).
            let runtime = Self.reconcile(state.runtime, with: loaded, now: now, keepingUnknown: store?.isShared == true) { notes.append($0) }
            if loaded.listen != state.config.listen || loaded.workers != state.config.workers
                || loaded.admin != state.config.admin || loaded.accessLog != state.config.accessLog || loaded.notify != state.config.notify {
                notes.append("listen, workers, admin, access_log and notify take effect at the next restart")
            }
            var records: [ChangeRecord] = []
            for (split, rollout) in runtime.rollouts.sorted(by: { $0.key < $1.key })
                where rollout.phase == .aborted && state.runtime.liveRollout(of: split) != nil {
                records.append(ChangeRecord(time: now, split: split, action: .rollout(.aborted), old: state.runtime.weights[split],
                                            new: runtime.weights[split], origin: ChangeOrigin(source: .rollout, caller: origin.caller, reason: rollout.reason)))
            }
            let summary = (["reloaded \(configPath)"] + notes).joined(separator: "; ")
            records.append(ChangeRecord(time: now, split: nil, action: .reload,
                                        origin: ChangeOrigin(source: origin.source, caller: origin.caller, reason: summary)))
            var change = Change(config: loaded, runtime: runtime, records: records, result: summary)
            change.keepHealth = Dictionary(uniqueKeysWithValues: loaded.pools.map { ($0.name, Set($0.servers.map(\.address.description))) })
            change.notes = notes
            return change
        }
        // A rotated access log file is reopened, as nginx does on its reopen signal.
        server.accessLog?.reopen()
        return summary
    }

}

// MARK: Words

func wallClock() -> Double { Date().timeIntervalSince1970 }

func quoted(_ text: String) -> String { "\"\(text)\"" }

func list(_ names: [String]) -> String { names.sorted().map(quoted).joined(separator: ", ") }

/// `blue 90, canary 10`, pools in name order.
func describe(_ weights: [String: Int]) -> String {
    weights.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
}

func unknownSplit(_ name: String, _ config: Config) -> ControlError {
    .notFound("no split named \(quoted(name)) (splits: \(list(config.splits.map(\.name))))")
}
