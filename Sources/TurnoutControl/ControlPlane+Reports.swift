import TurnoutConfig
import TurnoutCore

/// The documents of `GET /status`, `GET /history` and the split answers (shapes in SPEC §6),
/// assembled on the admin thread, never on the data path.
extension ControlPlane {
    /// Pools with their servers' state and load, splits with their weights and source, routes
    /// with the mirror each is under, and the top-level mirror.
    public func statusDocument() throws(ControlError) -> StatusDocument {
        guard let gauges = server.serverGauges() else { throw Self.workerSilent }
        let fleet = fleetView.withLock { $0 }?()
        return read { state in
            var pools: [String: PoolStatus] = [:]
            for pool in state.config.pools {
                pools[pool.name] = PoolStatus(balance: pool.balance.rawValue, servers: pool.servers.map { server in
                    let label = server.address.description
                    let load = gauges[pool.name]?[label]
                    return ServerStatus(address: label, weight: server.weight,
                                        state: state.health.serverState(pool: pool.name, server: label, drained: state.runtime.drained),
                                        inFlight: load?.inFlight ?? 0, idleConnections: load?.idleConnections ?? 0)
                })
            }
            var splits: [String: SplitStatus] = [:]
            for split in state.config.splits {
                let (weights, source) = Self.weights(of: split, state.runtime)
                splits[split.name] = SplitStatus(weights: weights, source: source, rollbackDepth: state.runtime.previous[split.name]?.count ?? 0,
                                                 rollout: state.runtime.rollouts[split.name].map(RolloutReport.summary),
                                                 guarded: state.runtime.guards[split.name].map(GuardReport.summary))
            }
            return StatusDocument(
                version: version,
                uptime: (uptimeSeconds * 10).rounded() / 10,
                workers: server.workerCount,
                listen: server.listenAddresses.map(\.description),
                pools: pools,
                splits: splits,
                // Each with the mirror in force for it: its own, the top level's, or null.
                routes: state.config.routes.indices.map { RouteDocument(state.config.routes[$0], mirror: state.config.mirror(forRoute: $0)) },
                mirror: state.config.mirror.map(MirrorConfigDocument.init),
                fleet: fleet)
        }
    }

    /// The answer of `GET`/`PUT /splits/NAME`, `switch` and `rollback`; nil for an unknown split.
    public func splitWeightsDocument(_ name: String) -> SplitWeightsDocument? {
        read { state in
            guard let split = state.config.split(named: name) else { return nil }
            let (weights, source) = Self.weights(of: split, state.runtime)
            return SplitWeightsDocument(split: name, weights: weights, source: source, rollout: state.runtime.rollouts[name].map(RolloutReport.summary))
        }
    }

    /// The weights in force and where they come from: the runtime's when set, else the configuration's.
    private static func weights(of split: SplitConfig, _ runtime: RuntimeState) -> ([String: Int], WeightsSource) {
        if let weights = runtime.weights[split.name] { return (weights, .runtime) }
        return (split.weights, .config)
    }

    /// The audit log, newest first.
    public func historyDocument() -> HistoryDocument {
        read { state in HistoryDocument(entries: state.history.reversed().map(HistoryEntry.init)) }
    }

    /// 503 when a worker did not hand over its part of a reading in time.
    static let workerSilent = ControlError(503, "a worker did not answer within 5 s; the reading would be incomplete, try again")

    /// The entry as one line of JSON (a notification's body).
    static func historyEntryJSON(_ record: ChangeRecord) -> [UInt8] {
        Array(compactJSONText(HistoryEntry(record)).utf8)
    }
}

extension HistoryEntry {
    init(_ record: ChangeRecord) {
        self.init(time: RolloutReport.isoTime(record.time), split: record.split, action: record.action, old: record.old, new: record.new,
                  source: record.origin.source, caller: record.origin.caller, reason: record.origin.reason, server: record.server,
                  instance: record.instance)
    }
}

extension RouteDocument {
    /// `route` as it would be written in the configuration; `mirror` is the block in force for it.
    init(_ route: RouteConfig, mirror: MirrorConfig?) {
        switch route.target {
        case .pool(let name): pool = name
        case .split(let name): split = name
        }
        match = RouteMatchDocument(host: route.match.host, pathPrefix: route.match.pathPrefix, method: route.match.method,
                                   header: Self.fields(route.match.headers), cookie: Self.fields(route.match.cookies),
                                   query: Self.fields(route.match.query))
        switch route.sticky {
        case .cookie(let name): sticky = StickyDocument(cookie: name)
        case .header(let name): sticky = StickyDocument(header: name)
        case nil: sticky = nil
        }
        self.mirror = mirror.map(MirrorConfigDocument.init)
    }

    /// Field name to value, `*` for "present"; nil (left out) when there are none.
    private static func fields(_ fields: [FieldMatch]) -> [String: String]? {
        guard !fields.isEmpty else { return nil }
        return Dictionary(uniqueKeysWithValues: fields.map { field -> (String, String) in
            switch field.value {
            case .present: return (field.name, "*")
            case .exact(let value): return (field.name, value)
            }
        })
    }
}

extension MirrorConfigDocument {
    /// A mirror block as it would be written in the configuration.
    init(_ mirror: MirrorConfig) {
        self.init(pool: mirror.pool, percent: mirror.percent, methods: mirror.methods, compare: mirror.compare, noise: mirror.noise,
                  maxBodyBytes: mirror.maxBodyBytes, maxInFlight: mirror.maxInFlight, compareBodyBytes: mirror.compareBodyBytes)
    }
}
