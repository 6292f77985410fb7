import Foundation
import Glibc
import Synchronization
import TurnoutConfig
import TurnoutCore
import TurnoutEtcd
import TurnoutNotify
import TurnoutPosix

/// This instance's part in a fleet of Turnouts sharing their state in etcd (SPEC §16).
///
/// Two threads of its own, none of them a worker's:
/// * the **watch** reads the prefix once, puts the fleet's state in force through
///   `ControlPlane.adopt` (the same publication as a local change), then follows every change
///   from the next revision on. A broken stream is re-opened with backoff and jitter from the
///   current revision, after reading again what was missed; one that fell behind a compaction
///   reads the prefix anew.
/// * the **heartbeat** keeps the instance's lease alive (registration, evidence and leader claims
///   live and die with it), registers the instance, claims the lead of rollouts nobody leads,
///   and publishes this instance's evidence for every rollout in progress each second.
///
/// Only the leader of a rollout judges it (`RolloutTraffic`): from the fleet's sum of evidence.
/// etcd unreachable: routing stays as it is, changes are refused with 503 by the store, the
/// rollouts hold their step, and everything resumes when etcd answers again.
public final class Fleet: Sendable, RolloutTraffic {
    public let control: ControlPlane
    public let client: EtcdClient
    public let store: EtcdStore
    public let keys: FleetKeys
    public let cluster: ClusterConfig
    /// Changes at every start: evidence from an earlier run of this instance is told apart.
    public let boot: String
    let member: FleetMemberDocument
    let status = Mutex(Status())
    let stopped = Atomic<Bool>(false)
    let wakeHeartbeat = Latch()
    let threads = Mutex<[pthread_t]>([])
    /// The watch stream in use, so that a lost lease or a stop can cut it.
    let stream = Mutex<EtcdWatch?>(nil)
    /// Tells the rollout controller a rollout became this instance's to judge.
    let leadGained = Mutex<(@Sendable () -> Void)?>(nil)

    /// What this instance knows of the fleet.
    struct Status {
        var reachable = false
        /// Whether etcd has answered since the start (the first answer is not a return).
        var answered = false
        var lastError: String?
        /// Wall-clock time of the last change of `reachable`.
        var since = Date().timeIntervalSince1970
        /// etcd's revision as of the last answer read.
        var revision: Int64 = 0
        var members: [String: FleetMemberDocument] = [:]
        var leaders: [String: LeaderClaim] = [:]
        var lease: Int64?
        /// When a keep-alive last confirmed the lease (monotonic ns).
        var leaseConfirmed: UInt64 = 0
        /// The revision this instance last registered with.
        var registeredRevision: Int64 = -1
        /// When the shared history was last trimmed (monotonic ns).
        var lastTrim: UInt64 = 0
        /// The last history key recorded: entries come back in key order, each once.
        var lastHistoryKey: String?
        /// The revision of the last history entry recorded.
        var historyRevision: Int64 = 0
        /// Per split: the step this instance counts its evidence from, and its workers' reading
        /// when it began routing by that step.
        var stepBases: [String: (step: EvidenceStep, base: [TrafficKey: ServerTally])] = [:]
        /// Per split: the fleet's evidence as this instance (leading) has read it.
        var traffic: [String: FleetTraffic] = [:]
    }

    public init(control: ControlPlane, client: EtcdClient, store: EtcdStore, cluster: ClusterConfig, listen: [String], admin: String?) {
        self.control = control
        self.client = client
        self.store = store
        self.cluster = cluster
        keys = FleetKeys(prefix: cluster.prefix)
        boot = UUID().uuidString.lowercased()
        member = FleetMemberDocument(instance: cluster.instance, listen: listen, admin: admin, version: control.version,
                                     started: Date().timeIntervalSince1970, boot: boot, revision: 0)
        control.fleetView.withLock { $0 = { [unowned self] in statusDocument } }
        control.sharedHistoryWait.withLock { $0 = { [unowned self] revision in waitForHistory(through: revision) } }
    }

    public func start(onLeadGained: @escaping @Sendable () -> Void) {
        leadGained.withLock { $0 = onLeadGained }
        let watch = LoopThread.start(name: "turnout-fleet-watch") { [self] in watchLoop() }
        let heartbeat = LoopThread.start(name: "turnout-fleet-beat") { [self] in heartbeatLoop() }
        threads.withLock { $0 = [watch, heartbeat] }
    }

    /// Stops both threads and revokes the lease, so the fleet sees this instance leave at once
    /// (its leads are taken over without waiting for the lease to run out).
    public func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        wakeHeartbeat.signal()
        stream.withLock { $0?.cancel() }
        for thread in threads.withLock({ $0 }) { LoopThread.join(thread) }
        if let lease = status.withLock({ $0.lease }) { try? client.revokeLease(lease) }
    }

    var isStopped: Bool { stopped.load(ordering: .acquiring) }

    /// Waits, at most a second, until the watch has recorded the history entries committed at
    /// `revision` (or etcd is unreachable, when it will not).
    func waitForHistory(through revision: Int64) {
        for _ in 0..<500 {
            if status.withLock({ $0.historyRevision >= revision || !$0.reachable }) || isStopped { return }
            usleep(2_000)
        }
    }

    /// Records etcd's reachability; a change is reported once.
    func noteReachable(_ reachable: Bool, error: String? = nil) {
        let (changed, first) = status.withLock { status -> (Bool, Bool) in
            defer { status.lastError = reachable ? nil : error ?? status.lastError }
            let first = reachable && !status.answered
            status.answered = status.answered || reachable
            guard status.reachable != reachable else { return (false, false) }
            status.reachable = reachable
            status.since = Date().timeIntervalSince1970
            return (true, first)
        }
        guard changed else { return }
        if !reachable {
            // Every instance's report says why its rollouts stand still, not only the leader's.
            let why = ControlError(503, "etcd is unreachable (\(error ?? "no answer")); the fleet's rollouts wait for it")
            for (split, rollout) in control.liveRollouts() { control.holdRollout(split: split, startedAt: rollout.startedAt, because: why) }
        }
        let endpoints = client.endpoints.map(\.description).joined(separator: ", ")
        control.notice(first ? "fleet: \(cluster.instance) follows \(cluster.prefix) on etcd \(endpoints)"
            : reachable ? "fleet: etcd answers again at \(endpoints); the state missed meanwhile is read and the watch resumed"
            : "fleet: etcd is unreachable (\(error ?? "no answer")); routing stays as it is, changes are refused until it answers")
    }

    // MARK: RolloutTraffic

    /// Whether this instance leads `split`'s rollout, with a lease confirmed within half its
    /// life: an instance cut off from etcd stops judging before another could take over.
    public func judges(split: String) -> Bool {
        let now = monotonicNanoseconds()
        let life = UInt64(cluster.leaseSeconds) * 1_000_000_000
        return status.withLock { status in
            status.leaders[split]?.instance == cluster.instance && status.leaders[split]?.boot == boot
                && status.lease != nil && now &- status.leaseConfirmed < life / 2
        }
    }

    /// The fleet's tallies for the rollout's current step: this instance's workers now, every
    /// other instance's last published evidence for the same step.
    public func reading(split: String, pools: Set<String>, timeout: Double) throws(ControlError) -> [TrafficKey: ServerTally]? {
        guard let step = liveReleases().first(where: { $0.split == split })?.step else { return nil }
        guard let own = stepReading(split: split, step: step, pools: pools, timeout: timeout) else { return nil }
        let published: EtcdRangeResponse
        do {
            published = try client.range(prefix: keys.evidence(of: split))
        } catch {
            noteReachable(false, error: "\(error)")
            throw ControlError(503, "reading the fleet's evidence needs etcd: \(error)")
        }
        return status.withLock { status in
            var traffic = status.traffic[split] ?? FleetTraffic()
            traffic.add(instance: cluster.instance, boot: boot, step: step, reading: own)
            for kv in published.kvs {
                // Another step's evidence (an earlier one, or one an instance has not left yet) is not this step's.
                guard let document = try? Self.decoder.decode(EvidenceDocument.self, from: Data(kv.value)), document.step == step,
                      document.instance != cluster.instance || document.boot != boot else { continue }
                traffic.add(instance: document.instance, boot: document.boot, step: step, reading: document.reading)
            }
            status.traffic[split] = traffic
            return traffic.total.filter { pools.contains($0.key.pool) }
        }
    }

    /// This instance's tallies since it began routing by `step`: the first reading for a step
    /// is its base (so it counts nothing it served before the step).
    func stepReading(split: String, step: EvidenceStep, pools: Set<String>, timeout: Double) -> [TrafficKey: ServerTally]? {
        guard let local = control.server.trafficTotals(pools: pools, timeout: timeout).map(LocalTraffic.tallies) else { return nil }
        return status.withLock { status in
            guard let started = status.stepBases[split], started.step == step else {
                status.stepBases[split] = (step, local)
                return local.mapValues { _ in ServerTally() }
            }
            var since: [TrafficKey: ServerTally] = [:]
            for (key, tally) in local { since[key] = started.base[key].map { tally.subtracting($0) } ?? tally }
            return since
        }
    }

    /// Takes the base of every release whose step this instance has just begun to route by
    /// (called as soon as a state is put in force, so the count starts with the routing).
    func noteSteps() {
        for (split, step, pools) in liveReleases() where status.withLock({ $0.stepBases[split]?.step != step }) {
            _ = stepReading(split: split, step: step, pools: pools, timeout: 2)
        }
    }

    /// Every release in progress on a split this instance's configuration has: a rollout, or a
    /// switch under watch (its one step is the switch: 100 % to the new pool). Its step is what
    /// evidence counts from, its pools what evidence covers.
    func liveReleases() -> [(split: String, step: EvidenceStep, pools: Set<String>)] {
        let config = control.config
        let rollouts = control.liveRollouts().map { split, rollout in
            (split, EvidenceStep(rollout: rollout.startedAt, canaryWeight: rollout.canaryWeight), Set([rollout.plan.baseline, rollout.plan.canary]))
        }
        let guards = control.liveGuards().map { split, guarded in (split, EvidenceStep(rollout: guarded.startedAt, canaryWeight: 100), Set([guarded.to])) }
        return (rollouts + guards).filter { config.split(named: $0.0) != nil }
    }

    /// Every look is saved: a new leader resumes from the evidence the old one last judged.
    public var checkpointNanoseconds: UInt64 { 0 }

    /// The instances registered, this one included: a balancer spreads the traffic over them.
    public var trafficScale: Double { Double(max(1, status.withLock { $0.members.count })) }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static let decoder = JSONDecoder()
}
