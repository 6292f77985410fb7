import Synchronization

/// Where the runtime state lives between runs: the one interface the control plane writes
/// through. A state file for one instance and etcd for a fleet (SPEC §16) are two
/// implementations of one model, and the control plane's rules can be tested with `MemoryStore`.
///
/// Every write names the revision the change was validated against: a store shared by several
/// writers refuses a change whose basis moved on (`.conflict`), so that two changes are never
/// interleaved; a store with one writer counts its own revisions.
public protocol RuntimeStore: Sendable {
    /// The state saved last and its revision; nil when nothing was ever saved (a first start).
    func load() throws(RuntimeStoreError) -> StoredState?
    /// Saves `state`, with the history entries of the change that made it, as the revision after
    /// `revision`, durably before returning; returns the new revision. A store that cannot
    /// refuses the change.
    func commit(_ state: RuntimeState, records: [ChangeRecord], over revision: Int64) throws(RuntimeStoreError) -> Int64
    /// Where the state lives, for messages (`run/turnout-state.json`, `etcd /turnout/prod/`).
    var location: String { get }
    /// Whether several instances write the store (a fleet's etcd): the entries of a change are
    /// then recorded in memory when they come back from the store, in the store's order, and a
    /// change refused by the state in memory is validated again on the store's latest state
    /// before the refusal is answered (this instance may not have seen another's change yet).
    var isShared: Bool { get }
}

extension RuntimeStore {
    public var isShared: Bool { false }
}

/// The runtime state as a store holds it, with the revision it was stored at.
public struct StoredState: Sendable, Equatable {
    public var state: RuntimeState
    /// The store's revision of `state`: etcd's mod revision of the state key, or the count of
    /// saves for a store with one writer.
    public var revision: Int64

    public init(state: RuntimeState, revision: Int64) {
        self.state = state
        self.revision = revision
    }
}

/// Why the runtime state could not be read or written.
public enum RuntimeStoreError: Error, Sendable, CustomStringConvertible {
    /// Another writer changed the state since the revision the change was validated against;
    /// this is the state now.
    case conflict(StoredState)
    /// The store cannot be reached now (etcd down); nothing was written.
    case unavailable(String)
    /// The store answered but the state could not be read or written, in words.
    case failed(String)

    public var description: String {
        switch self {
        case .conflict(let current): return "the state changed meanwhile (now at revision \(current.revision))"
        case .unavailable(let reason), .failed(let reason): return reason
        }
    }
}

/// The state file (`state_file`), written atomically (see `StateFile`). One process writes it,
/// so its revision is the count of saves since the process started.
public final class StateFileStore: RuntimeStore {
    public let path: String
    private let saves = Atomic<Int64>(0)

    public init(path: String) { self.path = path }

    public func load() throws(RuntimeStoreError) -> StoredState? {
        try StateFile.load(path: path).map { StoredState(state: $0, revision: saves.load(ordering: .relaxed)) }
    }

    public func commit(_ state: RuntimeState, records: [ChangeRecord], over revision: Int64) throws(RuntimeStoreError) -> Int64 {
        try StateFile.save(state, to: path)
        return saves.add(1, ordering: .relaxed).newValue
    }

    public var location: String { path }
}

/// A store in memory: nothing survives the process. `state_file: null` runs on it, and tests
/// use it to see what the control plane saved and when, and to stage a conflicting writer.
public final class MemoryStore: RuntimeStore {
    private let saved = Mutex<(state: RuntimeState?, revision: Int64, saves: Int)>((nil, 0, 0))
    /// Whether it stands for a store several instances write (a fleet's etcd, in tests).
    public let isShared: Bool

    public init(_ state: RuntimeState? = nil, shared: Bool = false) {
        isShared = shared
        saved.withLock { $0.state = state }
    }

    public func load() -> StoredState? {
        saved.withLock { saved in saved.state.map { StoredState(state: $0, revision: saved.revision) } }
    }

    public func commit(_ state: RuntimeState, records: [ChangeRecord], over revision: Int64) throws(RuntimeStoreError) -> Int64 {
        try saved.withLock { (saved: inout (state: RuntimeState?, revision: Int64, saves: Int)) throws(RuntimeStoreError) -> Int64 in
            guard revision == saved.revision else {
                throw .conflict(StoredState(state: saved.state ?? RuntimeState(), revision: saved.revision))
            }
            saved = (state, saved.revision + 1, saved.saves + 1)
            return saved.revision
        }
    }

    /// Another writer's change: the state becomes `state` at the next revision.
    public func writeBehindTheBack(_ state: RuntimeState) {
        saved.withLock { $0 = (state, $0.revision + 1, $0.saves) }
    }

    /// The state saved last, without its revision.
    public var state: RuntimeState? { saved.withLock { $0.state } }

    /// How many times `commit` succeeded.
    public var saves: Int { saved.withLock { $0.saves } }

    public var location: String { "memory" }
}
