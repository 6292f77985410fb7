import TurnoutConfig
import TurnoutEtcd

/// Joining the fleet at start-up.
extension Fleet {
    /// The etcd store `cluster` names, with this instance's state file as its copy.
    public static func store(for config: Config, cluster: ClusterConfig) throws(EtcdError) -> EtcdStore {
        var endpoints: [EtcdEndpoint] = []
        for url in cluster.etcd { endpoints.append(try EtcdEndpoint(url: url)) }
        return EtcdStore(client: EtcdClient(endpoints: endpoints, timeout: 2), keys: FleetKeys(prefix: cluster.prefix),
                         copy: config.stateFile.map { StateFileStore(path: $0) })
    }

    /// The state to start with: the fleet's, as etcd holds it. A fleet without state yet is
    /// seeded from this instance's state file (a Turnout joining a fleet keeps what its
    /// operators set). etcd unreachable: the state file copy of the last fleet state this
    /// instance applied, said so; the watch adopts the fleet's state when etcd answers.
    public static func loadRuntimeState(config: Config, store: EtcdStore, notice: (String) -> Void) -> StoredState {
        do throws(RuntimeStoreError) {
            if let stored = try store.load() {
                notice("fleet: joined at revision \(stored.revision) of \(store.location)")
                _ = store.saveCopy(stored.state)
                return stored
            }
            guard let seed = try store.loadCopy(), seed != RuntimeState() else {
                notice("fleet: \(store.location) holds no state yet; starting from the configuration's weights")
                return StoredState(state: RuntimeState(), revision: 0)
            }
            let state = ControlPlane.reconcile(seed, with: config, now: wallClock(), notice: notice)
            let revision = try store.commit(state, records: [], over: 0)
            notice("fleet: \(store.location) held no state; seeded it from \(store.copy?.path ?? "the state file")")
            return StoredState(state: state, revision: revision)
        } catch {
            switch error {
            case .unavailable(let reason):
                return startWithoutEtcd(config: config, store: store, reason: reason, notice: notice)
            case .conflict(let newer):
                // Another instance seeded the fleet first: its state wins.
                return newer
            case .failed(let reason):
                notice("fleet: \(reason); starting from the configuration's weights, the watch adopts the fleet's state")
                return StoredState(state: RuntimeState(), revision: 0)
            }
        }
    }

    private static func startWithoutEtcd(config: Config, store: EtcdStore, reason: String, notice: (String) -> Void) -> StoredState {
        do throws(RuntimeStoreError) {
            guard let copy = try store.loadCopy() else {
                notice("fleet: \(reason); no state file copy either, so routing starts from the configuration's weights "
                    + "until etcd answers")
                return StoredState(state: RuntimeState(), revision: 0)
            }
            notice("fleet: \(reason); starting from the state file copy of the last fleet state this instance applied "
                + "(\(store.copy?.path ?? "")), until etcd answers")
            return StoredState(state: ControlPlane.reconcile(copy, with: config, now: wallClock(), notice: notice), revision: 0)
        } catch {
            notice("fleet: \(reason); the state file copy is unreadable (\(error)), so routing starts from the configuration's weights")
            return StoredState(state: RuntimeState(), revision: 0)
        }
    }
}
