import Foundation
import TurnoutEtcd
import TurnoutPosix
import TurnoutRollout

/// The heartbeat: the lease, the registration, the claims on rollouts and the evidence.
extension Fleet {
    /// How often the heartbeat runs: every second, or thrice per lease when that is shorter.
    var beatSeconds: Double { min(1, Double(cluster.leaseSeconds) / 3) }

    func heartbeatLoop() {
        while !isStopped {
            beat()
            _ = wakeHeartbeat.wait(seconds: beatSeconds)
        }
    }

    /// One beat; any etcd failure ends it early (the next beat tries again).
    func beat() {
        do throws(EtcdError) {
            let lease = try keepLease()
            try register(lease: lease)
            // A release on a split this instance's file lacks is left to an instance that has it.
            let live = liveReleases()
            try claimLeads(of: live.map(\.split), lease: lease)
            try releaseLeads(keeping: Set(live.map(\.split)))
            try publishEvidence(for: live, lease: lease)
            try trimHistory()
        } catch {
            noteReachable(false, error: "\(error)")
            // The watch may be waiting on a connection that is gone; it reconnects at once.
            stream.withLock { $0?.cancel() }
        }
    }

    /// The lease, granted anew when there is none or etcd forgot it (it ran out while etcd was
    /// away): registration, evidence and claims are then written again under the new one.
    private func keepLease() throws(EtcdError) -> Int64 {
        if let lease = status.withLock({ $0.lease }) {
            let remaining = try client.keepAlive(lease: lease)
            if remaining > 0 {
                status.withLock { $0.leaseConfirmed = monotonicNanoseconds() }
                return lease
            }
            control.notice("fleet: this instance's lease ran out while etcd was unreachable; registering again")
        }
        let granted = try client.grantLease(ttl: Int64(cluster.leaseSeconds))
        status.withLock { status in
            status.lease = granted.id
            status.leaseConfirmed = monotonicNanoseconds()
            status.registeredRevision = -1
        }
        return granted.id
    }

    /// Writes the registration when it is new or the revision applied moved on.
    private func register(lease: Int64) throws(EtcdError) {
        let applied = control.revision
        guard status.withLock({ $0.registeredRevision }) != applied else { return }
        var document = member
        document.revision = applied
        try client.put(keys.instance(cluster.instance), value: Self.encode(document), lease: lease)
        status.withLock { $0.registeredRevision = applied }
    }

    /// Claims the lead of every rollout in progress that nobody leads: the first instance to
    /// create the key has it, for as long as its lease lives.
    private func claimLeads(of splits: [String], lease: Int64) throws(EtcdError) {
        let unled = status.withLock { status in splits.filter { status.leaders[$0] == nil } }
        for split in unled {
            let claim = LeaderClaim(instance: cluster.instance, boot: boot)
            let key = keys.leader(of: split)
            let answer = try client.txn(EtcdTxn(compare: [EtcdCompare(key: key, .equal, .createRevision(0))],
                                                success: [.put(key: key, value: Self.encode(claim), lease: lease)],
                                                failure: [.range(key: key, rangeEnd: nil, limit: 0, revision: 0)]))
            if answer.succeeded {
                status.withLock { $0.leaders[split] = claim }
                control.notice("fleet: this instance leads the rollout on split \(split)")
                leadGained.withLock { $0 }?()
            } else if case .range(let range)? = answer.responses.first, let kv = range.kvs.first,
                      let holder = try? Self.decoder.decode(LeaderClaim.self, from: Data(kv.value)) {
                status.withLock { $0.leaders[split] = holder }
            }
        }
    }

    /// Gives up the lead of rollouts that ended, so the key does not outlive them.
    private func releaseLeads(keeping live: Set<String>) throws(EtcdError) {
        let ended = status.withLock { status in
            status.leaders.filter { !live.contains($0.key) && $0.value.instance == cluster.instance && $0.value.boot == boot }.map(\.key)
        }
        for split in ended {
            let key = keys.leader(of: split)
            _ = try client.txn(EtcdTxn(compare: [EtcdCompare(key: key, .equal, .value(Self.encode(LeaderClaim(instance: cluster.instance, boot: boot))))],
                                       success: [.deleteRange(key: key, rangeEnd: nil)], failure: []))
            status.withLock { $0.leaders[split] = nil }
        }
    }

    /// This instance's tallies for each release's current step, under its lease.
    private func publishEvidence(for releases: [(split: String, step: EvidenceStep, pools: Set<String>)], lease: Int64) throws(EtcdError) {
        for (split, step, pools) in releases {
            guard let reading = stepReading(split: split, step: step, pools: pools, timeout: 2) else { continue }
            let document = EvidenceDocument(instance: cluster.instance, boot: boot, step: step, time: Date().timeIntervalSince1970, reading: reading)
            try client.put(keys.evidence(of: split, from: cluster.instance), value: Self.encode(document), lease: lease)
        }
    }

    /// Keeps the shared history at `ControlPlane.historyLimit` entries, oldest dropped, about
    /// once a minute (any instance may; deleting what another already deleted is harmless).
    private func trimHistory() throws(EtcdError) {
        let now = monotonicNanoseconds()
        guard status.withLock({ status in
            guard now &- status.lastTrim >= 60_000_000_000 || status.lastTrim == 0 else { return false }
            status.lastTrim = now
            return true
        }) else { return }
        let history = try client.range(prefix: keys.history)
        let excess = history.kvs.count - ControlPlane.historyLimit
        guard excess > 0 else { return }
        try client.deleteRange(keys.history, rangeEnd: history.kvs[excess].key)
    }

    static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        // The documents hold strings, numbers and histograms: encoding cannot fail.
        (try? encoder.encode(value)).map(Array.init) ?? []
    }
}
