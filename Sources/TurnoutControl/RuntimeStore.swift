import Synchronization

/// Where the runtime state lives between runs: the one interface the control plane writes
/// through, so a state file today and a shared store later (SPEC §16) are two implementations of
/// one model, and the control plane's rules can be tested with `MemoryStore`.
public protocol RuntimeStore: Sendable {
    /// The state saved last; nil when nothing was ever saved (a first start).
    func load() throws(RuntimeStoreError) -> RuntimeState?
    /// Saves `state` durably before returning; a store that cannot refuses the change.
    func save(_ state: RuntimeState) throws(RuntimeStoreError)
    /// Where the state lives, for messages (`run/turnout-state.json`).
    var location: String { get }
}

/// Why the runtime state could not be read or written, in words.
public struct RuntimeStoreError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The state file (`state_file`), written atomically (see `StateFile`).
public struct StateFileStore: RuntimeStore {
    public let path: String

    public init(path: String) { self.path = path }

    public func load() throws(RuntimeStoreError) -> RuntimeState? { try StateFile.load(path: path) }

    public func save(_ state: RuntimeState) throws(RuntimeStoreError) { try StateFile.save(state, to: path) }

    public var location: String { path }
}

/// A store in memory: nothing survives the process. `state_file: null` runs on it, and tests
/// use it to see what the control plane saved and when.
public final class MemoryStore: RuntimeStore {
    private let saved = Mutex<(state: RuntimeState?, saves: Int)>((nil, 0))

    public init(_ state: RuntimeState? = nil) {
        saved.withLock { $0.state = state }
    }

    public func load() -> RuntimeState? { saved.withLock { $0.state } }

    public func save(_ state: RuntimeState) {
        saved.withLock { $0 = (state, $0.saves + 1) }
    }

    /// How many times `save` was called.
    public var saves: Int { saved.withLock { $0.saves } }

    public var location: String { "memory" }
}
