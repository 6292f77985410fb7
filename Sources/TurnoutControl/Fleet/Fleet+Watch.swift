import Foundation
import TurnoutEtcd
import TurnoutNotify
import TurnoutPosix

/// The watch: the fleet's state read once, then followed change by change.
extension Fleet {
    /// Until `stop`: read the prefix, adopt it, follow the watch; on any failure wait with
    /// backoff and jitter and do it again from what etcd holds then.
    func watchLoop() {
        var failures = 0
        let backoff = Backoff(baseMs: 200, capMs: 5_000, jitter: 0.5)
        while !isStopped {
            do throws(EtcdError) {
                let revision = try resynchronise()
                failures = 0
                noteReachable(true)
                try follow(from: revision + 1)
            } catch .compacted(let oldest) {
                control.notice("fleet: the watch fell behind etcd's compaction (oldest revision \(oldest)); reading the fleet's state anew")
                continue
            } catch {
                guard !isStopped else { return }
                failures += 1
                noteReachable(false, error: "\(error)")
                let delay = backoff.delayMs(afterFailures: failures, unit: Double.random(in: 0..<1))
                var waited = 0
                while waited < delay && !isStopped {
                    usleep(50_000)
                    waited += 50
                }
            }
        }
    }

    /// Reads everything under the prefix and puts it in force; returns etcd's revision as of
    /// that reading (the watch continues after it).
    func resynchronise() throws(EtcdError) -> Int64 {
        let everything = try client.range(prefix: keys.prefix)
        var stateKV: EtcdKeyValue?
        var history: [(key: String, revision: Int64, record: ChangeRecord)] = []
        var members: [String: FleetMemberDocument] = [:]
        var leaders: [String: LeaderClaim] = [:]
        for kv in everything.kvs {
            switch keys.kind(of: kv.key) {
            case .state: stateKV = kv
            case .history: if let record = ChangeRecord(historyJSON: kv.value) { history.append((kv.key, kv.modRevision, record)) }
            case .instance(let name): if let doc = try? Self.decoder.decode(FleetMemberDocument.self, from: Data(kv.value)) { members[name] = doc }
            case .leader(let split): if let claim = try? Self.decoder.decode(LeaderClaim.self, from: Data(kv.value)) { leaders[split] = claim }
            case .evidence, .other: break
            }
        }
        status.withLock { status in
            status.members = members
            status.leaders = leaders
            status.revision = everything.header.revision
        }
        if let stateKV { adopt(stateKV) }
        record(history)
        wakeHeartbeat.signal()
        return everything.header.revision
    }

    /// Follows the watch from `revision` until it breaks or the fleet stops.
    func follow(from revision: Int64) throws(EtcdError) {
        // Everything but the evidence, which only a leader reads (by range, when it looks): keys
        // sort as bytes, so `evidence/` comes before `history/` and a watch from `history/` to the
        // end of the prefix leaves it out. Each instance's evidence each second would otherwise be
        // delivered to every instance.
        let watch = try client.watch(key: keys.watchedFrom, rangeEnd: EtcdCodec.prefixEnd(keys.prefix), startRevision: revision)
        stream.withLock { $0 = watch }
        defer {
            stream.withLock { $0 = nil }
            watch.cancel()
        }
        while !isStopped {
            guard let message = try watch.next(timeout: 1) else { continue }
            if message.canceled {
                if message.compactRevision > 0 { throw .compacted(revision: message.compactRevision) }
                throw .unavailable("etcd canceled the watch: \(message.cancelReason ?? "no reason given")")
            }
            apply(message)
        }
    }

    /// One message of the watch: a new state with its history entries (one transaction, so one
    /// message), members coming and going, leads claimed and released.
    func apply(_ message: EtcdWatchMessage) {
        var stateKV: EtcdKeyValue?
        var history: [(key: String, revision: Int64, record: ChangeRecord)] = []
        var leadsReleased = false
        status.withLock { status in
            for event in message.events {
                let kv = event.kv
                switch (keys.kind(of: kv.key), event.kind) {
                case (.state, .put): stateKV = kv
                case (.history, .put): if let record = ChangeRecord(historyJSON: kv.value) { history.append((kv.key, kv.modRevision, record)) }
                case (.instance(let name), .put): status.members[name] = try? Self.decoder.decode(FleetMemberDocument.self, from: Data(kv.value))
                case (.instance(let name), .delete): status.members[name] = nil
                case (.leader(let split), .put): status.leaders[split] = try? Self.decoder.decode(LeaderClaim.self, from: Data(kv.value))
                case (.leader(let split), .delete):
                    status.leaders[split] = nil
                    leadsReleased = true
                default: break
                }
            }
            status.revision = max(status.revision, message.header.revision)
        }
        if let stateKV { adopt(stateKV) }
        record(history)
        if leadsReleased { wakeHeartbeat.signal() }
    }

    /// Puts a state read from etcd in force and keeps its state file copy.
    private func adopt(_ kv: EtcdKeyValue) {
        guard kv.modRevision > control.revision else { return }
        let state: RuntimeState
        do throws(RuntimeStoreError) {
            state = try StateFile.decode(Data(kv.value), source: "etcd \(kv.key)")
        } catch {
            control.notice("fleet: \(error); the state in force stays")
            return
        }
        control.adopt(StoredState(state: state, revision: kv.modRevision))
        noteSteps()
        if let problem = store.saveCopy(state) { control.notice("fleet: \(problem)") }
    }

    /// Records the history entries not recorded yet, in key order (the order of the changes).
    /// The first reading's are the fleet's history before this instance started: they go
    /// before anything it recorded since.
    private func record(_ entries: [(key: String, revision: Int64, record: ChangeRecord)]) {
        let (fresh, first) = status.withLock { status -> ([(key: String, revision: Int64, record: ChangeRecord)], Bool) in
            let first = status.lastHistoryKey == nil
            let fresh = entries.sorted { $0.key < $1.key }.filter { status.lastHistoryKey == nil || $0.key > status.lastHistoryKey! }
            if let last = fresh.last { status.lastHistoryKey = last.key } else if first { status.lastHistoryKey = "" }
            return (fresh, first)
        }
        if first {
            control.seedHistory(fresh.map(\.record))
        } else if !fresh.isEmpty {
            control.recordShared(fresh.map(\.record))
        }
        // Only now: a change's answer waits for this (`waitForHistory`).
        if let newest = fresh.map(\.revision).max() {
            status.withLock { $0.historyRevision = max($0.historyRevision, newest) }
        }
    }
}
