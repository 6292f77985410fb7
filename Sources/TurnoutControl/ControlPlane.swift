import Foundation
import Synchronization
import TurnoutConfig
import TurnoutCore

/// The one place traffic is changed at run time: weights, switches, rollbacks, drained servers
/// and reloads. Every change is validated first, written to the state file, published to the
/// workers as a new routing snapshot, and recorded in the history — or refused with a
/// `ControlError` and nothing changed at all. Changes are serialised by one lock: the admin
/// thread and the signal thread may ask at once, and two changes must not interleave.
public final class ControlPlane: Sendable {
    public let server: ProxyServer
    public let version: String
    private let configPath: String?
    private let startedAt = Date()
    let state: Mutex<State>
    let notice: @Sendable (String) -> Void

    struct State {
        var config: Config
        var runtime: RuntimeState
        /// Servers observed down or ejected.
        var health = ServerHealth()
        /// Oldest first, bounded by `historyLimit`.
        var history: [ChangeRecord] = []
    }

    /// How many history entries are kept in memory.
    static let historyLimit = 1_000

    /// Takes over a running proxy that was started with `runtime` (see `loadRuntimeState`).
    public init(server: ProxyServer, config: Config, runtime: RuntimeState, configPath: String?, version: String,
                notice: @escaping @Sendable (String) -> Void) {
        self.server = server
        self.version = version
        self.configPath = configPath
        self.notice = notice
        state = Mutex(State(config: config, runtime: runtime))
    }

    /// The runtime state to start with: the state file's, reconciled with `config`. A missing
    /// file is a first start; an unreadable one is reported and ignored, never fatal.
    public static func loadRuntimeState(config: Config, notice: (String) -> Void) -> RuntimeState {
        guard let path = config.stateFile else { return RuntimeState() }
        do {
            guard let loaded = try StateFile.load(path: path) else { return RuntimeState() }
            let reconciled = reconcile(loaded, with: config, notice: notice)
            for (split, weights) in reconciled.weights.sorted(by: { $0.key < $1.key }) {
                notice("state file \(path): split \(split) resumes at \(describe(weights))")
            }
            return reconciled
        } catch {
            notice("state file ignored, starting from the configuration's weights: \(error)")
            return RuntimeState()
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

    /// A consistent copy of the configuration, runtime state and history.
    func read<T>(_ body: (State) -> T) -> T { state.withLock { body($0) } }

    // MARK: Changing weights

    /// Sets a split's weights; pools of the split not named get 0.
    @discardableResult
    public func setWeights(split name: String, to requested: [String: Int], origin: ChangeOrigin) throws(ControlError) -> [String: Int] {
        try changeSplit(name, action: "weights", origin: origin) { split, _, _, _ throws(ControlError) in
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
        try changeSplit(name, action: "switch", origin: origin) { split, config, runtime, health throws(ControlError) in
            guard split.weights[pool] != nil else {
                throw .badRequest("pool \(quoted(pool)) is not in split \(quoted(name)) (its pools: \(list(split.poolNames)))")
            }
            if !force, let definition = config.pool(named: pool) {
                let states = definition.servers.map { health.state(pool: pool, server: $0.address.description, drained: runtime.drained) }
                guard states.contains("up") else {
                    let summary = Dictionary(grouping: states) { $0 }.map { "\($0.value.count) \($0.key)" }.sorted().joined(separator: ", ")
                    throw .conflict("pool \(quoted(pool)) has no server up (\(summary)); nothing changed (use force to switch anyway)")
                }
            }
            return split.weights.mapValues { _ in 0 }.merging([pool: 100]) { $1 }
        }
    }

    /// Restores the weights in force before the split's last change.
    @discardableResult
    public func rollback(split name: String, origin: ChangeOrigin) throws(ControlError) -> [String: Int] {
        try state.withLock { (state: inout State) throws(ControlError) -> [String: Int] in
            guard let split = state.config.split(named: name) else { throw unknownSplit(name, state.config) }
            guard let previous = state.runtime.previous[name]?.last else {
                throw .conflict("split \(quoted(name)) has no earlier weights to return to")
            }
            let old = state.runtime.weights[name] ?? split.weights
            var runtime = state.runtime
            runtime.previous[name]?.removeLast()
            runtime.weights[name] = previous
            try commit(runtime, under: state.config, to: &state)
            record(ChangeRecord(time: wallClock(), split: name, action: "rollback", old: old, new: previous, origin: origin), in: &state)
            return previous
        }
    }

    /// Computes a split's new weights with `compute` (which validates), then commits them and
    /// remembers the old ones for `rollback`.
    private func changeSplit(_ name: String, action: String, origin: ChangeOrigin,
                             compute: (SplitConfig, Config, RuntimeState, ServerHealth) throws(ControlError) -> [String: Int]) throws(ControlError) -> [String: Int] {
        try state.withLock { (state: inout State) throws(ControlError) -> [String: Int] in
            guard let split = state.config.split(named: name) else { throw unknownSplit(name, state.config) }
            let old = state.runtime.weights[name] ?? split.weights
            let new = try compute(split, state.config, state.runtime, state.health)
            var runtime = state.runtime
            runtime.push(previous: old, for: name)
            runtime.weights[name] = new
            try commit(runtime, under: state.config, to: &state)
            record(ChangeRecord(time: wallClock(), split: name, action: action, old: old, new: new, origin: origin), in: &state)
            return new
        }
    }

    // MARK: Draining servers

    /// Stops (`drained` true) or resumes new requests to one server; in-flight ones finish.
    /// Returns false when the server was already in that state (nothing recorded).
    @discardableResult
    public func setDrained(pool: String, server address: String, drained: Bool, origin: ChangeOrigin) throws(ControlError) -> Bool {
        try state.withLock { (state: inout State) throws(ControlError) -> Bool in
            guard let definition = state.config.pool(named: pool) else {
                throw .notFound("no pool named \(quoted(pool)) (pools: \(list(state.config.pools.map(\.name))))")
            }
            let labels = definition.servers.map(\.address.description)
            guard labels.contains(address) else {
                throw .notFound("no server \(quoted(address)) in pool \(quoted(pool)) (its servers: \(list(labels)))")
            }
            var runtime = state.runtime
            var set = runtime.drained[pool] ?? []
            guard drained ? set.insert(address).inserted : set.remove(address) != nil else { return false }
            runtime.drained[pool] = set.isEmpty ? nil : set
            try commit(runtime, under: state.config, to: &state)
            record(ChangeRecord(time: wallClock(), split: nil, action: drained ? "drain" : "enable", server: "\(pool)/\(address)", origin: origin), in: &state)
            return true
        }
    }

    // MARK: Reload

    /// Re-reads the configuration file: validated first (an invalid file is refused with its
    /// errors and the running configuration stays), then swapped in for the next request.
    /// Runtime weights stay in force for splits whose pools did not change.
    public func reload(origin: ChangeOrigin) throws(ControlError) -> String {
        guard let configPath else { throw .conflict("this process was started without a configuration file; nothing to reload") }
        let loaded: Config
        do {
            loaded = try ConfigLoader.load(path: configPath)
        } catch {
            throw .badRequest("reload refused, the running configuration stays: \(error.description)")
        }
        return try state.withLock { (state: inout State) throws(ControlError) -> String in
            var notes: [String] = []
            let runtime = Self.reconcile(state.runtime, with: loaded) { notes.append($0) }
            if loaded.listen != state.config.listen || loaded.workers != state.config.workers
                || loaded.admin != state.config.admin || loaded.accessLog != state.config.accessLog {
                notes.append("listen, workers, admin and access_log take effect at the next restart")
            }
            var health = state.health
            health.keep(only: Dictionary(uniqueKeysWithValues: loaded.pools.map { ($0.name, Set($0.servers.map(\.address.description))) }))
            try commit(runtime, health: health, under: loaded, to: &state)
            // A rotated access log file is reopened, as nginx does on its reopen signal.
            server.accessLog?.reopen()
            let summary = (["reloaded \(configPath)"] + notes).joined(separator: "; ")
            record(ChangeRecord(time: wallClock(), split: nil, action: "reload",
                                origin: ChangeOrigin(source: origin.source, caller: origin.caller, reason: summary)), in: &state)
            for note in notes { notice(note) }
            return summary
        }
    }

    // MARK: Committing

    /// Builds the snapshot for `runtime` under `config`, writes the state file, publishes the
    /// snapshot, and only then makes both the state. A state file that cannot be written
    /// refuses the change: a restart would otherwise undo it silently.
    func commit(_ runtime: RuntimeState, health: ServerHealth? = nil, under config: Config, to state: inout State) throws(ControlError) {
        let health = health ?? state.health
        let snapshot: ProxySnapshot
        do {
            snapshot = try ProxyServer.snapshot(for: config, weights: runtime.weights, unavailable: health.unavailable(drained: runtime.drained))
        } catch {
            throw .badRequest(error.description)
        }
        if let path = config.stateFile {
            do {
                try StateFile.save(runtime, to: path)
            } catch {
                throw ControlError(500, "cannot write the state file, nothing changed: \(error)")
            }
        }
        if !server.publish(snapshot) {
            notice("a worker did not confirm the new routing within 5 s; it will use it from its next request")
        }
        state.config = config
        state.runtime = runtime
        state.health = health
    }

    func record(_ record: ChangeRecord, in state: inout State) {
        state.history.append(record)
        if state.history.count > Self.historyLimit { state.history.removeFirst(state.history.count - Self.historyLimit) }
    }

    /// Keeps what still fits `config`: weights of splits whose pools are unchanged, drained
    /// servers that still exist. Everything dropped is reported through `notice`.
    static func reconcile(_ runtime: RuntimeState, with config: Config, notice: (String) -> Void) -> RuntimeState {
        var kept = RuntimeState()
        for (name, weights) in runtime.weights.sorted(by: { $0.key < $1.key }) {
            guard let split = config.split(named: name) else {
                notice("split \(name) is no longer configured; its runtime weights are dropped")
                continue
            }
            guard Set(weights.keys) == Set(split.poolNames), weights.values.contains(where: { $0 > 0 }) else {
                notice("split \(name) now has pools \(list(split.poolNames)); its runtime weights \(describe(weights)) are dropped")
                continue
            }
            kept.weights[name] = weights
            kept.previous[name] = (runtime.previous[name] ?? []).filter { Set($0.keys) == Set(split.poolNames) }
        }
        for (pool, servers) in runtime.drained.sorted(by: { $0.key < $1.key }) {
            guard let definition = config.pool(named: pool) else { continue }
            let labels = Set(definition.servers.map(\.address.description))
            let still = servers.intersection(labels)
            if !still.isEmpty { kept.drained[pool] = still }
        }
        return kept
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

private func unknownSplit(_ name: String, _ config: Config) -> ControlError {
    .notFound("no split named \(quoted(name)) (splits: \(list(config.splits.map(\.name))))")
}
