import Foundation
import TurnoutEtcd

/// The runtime state of a fleet in etcd (SPEC §16): the `state` key holds the same document as
/// the state file, and every change is one transaction that puts the new state and the change's
/// history entries only if the state key is still at the revision the change was validated
/// against; otherwise etcd answers with the state now, and the change is validated again on it
/// (`ControlPlane.change`). A copy of every state this instance applied is kept in its state
/// file, to start from when etcd is unreachable at start-up.
public final class EtcdStore: RuntimeStore {
    public let client: EtcdClient
    public let keys: FleetKeys
    /// The state file copy; nil when `state_file` is null.
    public let copy: StateFileStore?

    public init(client: EtcdClient, keys: FleetKeys, copy: StateFileStore?) {
        self.client = client
        self.keys = keys
        self.copy = copy
    }

    /// Every instance of the fleet writes it.
    public var isShared: Bool { true }

    public var location: String { "etcd \(client.endpoints.map(\.description).joined(separator: ", ")) \(keys.state)" }

    public func load() throws(RuntimeStoreError) -> StoredState? {
        let answer: EtcdRangeResponse
        do {
            answer = try client.range(keys.state)
        } catch {
            throw Self.storeError(error, doing: "reading the fleet's state")
        }
        guard let kv = answer.kvs.first else { return nil }
        return StoredState(state: try StateFile.decode(Data(kv.value), source: "etcd \(keys.state)"), revision: kv.modRevision)
    }

    public func commit(_ state: RuntimeState, records: [ChangeRecord], over revision: Int64) throws(RuntimeStoreError) -> Int64 {
        let value = Array(try StateFile.encode(state))
        var puts: [EtcdOp] = [.put(key: keys.state, value: value, lease: 0)]
        for (index, record) in records.enumerated() {
            puts.append(.put(key: keys.history(basis: revision, index: index), value: ControlPlane.historyEntryJSON(record), lease: 0))
        }
        // A key that does not exist has mod revision 0: the first change of a fleet commits over 0.
        let txn = EtcdTxn(compare: [EtcdCompare(key: keys.state, .equal, .modRevision(revision))], success: puts,
                          failure: [.range(key: keys.state, rangeEnd: nil, limit: 0, revision: 0)])
        let answer: EtcdTxnResponse
        do {
            answer = try client.txn(txn)
        } catch .timeout(let words) {
            // Sent, but no answer: the change may or may not be in. Read what is, and say which.
            return try settle(value: value, over: revision, after: words)
        } catch {
            throw Self.storeError(error, doing: "writing the change")
        }
        guard answer.succeeded else {
            guard case .range(let range)? = answer.responses.first else {
                throw .failed("etcd refused the change's transaction without the state it compared against")
            }
            guard let kv = range.kvs.first else { throw .conflict(StoredState(state: RuntimeState(), revision: 0)) }
            throw .conflict(StoredState(state: try StateFile.decode(Data(kv.value), source: "etcd \(keys.state)"), revision: kv.modRevision))
        }
        saveCopy(state)
        return answer.header.revision
    }

    /// After a transaction that timed out: its revision when the state key holds exactly what it
    /// wrote; otherwise etcd is treated as unreachable and nothing changed.
    private func settle(value: [UInt8], over revision: Int64, after words: String) throws(RuntimeStoreError) -> Int64 {
        if let now = try? client.range(keys.state), let kv = now.kvs.first, kv.modRevision > revision, kv.value == value {
            return kv.modRevision
        }
        throw .unavailable("etcd did not confirm the change (\(words))")
    }

    /// Writes the state file copy of a state this instance applied; a failure is reported, the
    /// fleet's state in etcd is the truth.
    @discardableResult
    public func saveCopy(_ state: RuntimeState) -> String? {
        guard let copy else { return nil }
        do {
            _ = try copy.commit(state, records: [], over: 0)
            return nil
        } catch {
            return "the state file copy \(copy.path) could not be written: \(error)"
        }
    }

    /// The state file copy: the last fleet state this instance applied, for a start without etcd.
    public func loadCopy() throws(RuntimeStoreError) -> RuntimeState? {
        try copy?.load()?.state
    }

    /// An etcd failure as a store error: unreachable, timed out or down is `.unavailable` (503),
    /// the rest `.failed`.
    static func storeError(_ error: EtcdError, doing what: String) -> RuntimeStoreError {
        switch error {
        case .unavailable, .timeout:
            return .unavailable("\(what) needs etcd: \(error)")
        case .server(let code, _) where code == 14 || code == 4:
            // UNAVAILABLE, DEADLINE_EXCEEDED: no leader, a member cut off.
            return .unavailable("\(what) needs etcd: \(error)")
        default:
            return .failed("\(what): \(error)")
        }
    }
}
